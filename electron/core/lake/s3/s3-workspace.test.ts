// Everything besides archival on an S3 lake, through the workbench: conversion, compaction, the inspector,
// compression statistics, lake check (manifests against objects against the cache), a second workspace's pull,
// and the cache cap with pinned working sets.
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../../shared/api/jobs';
import type { CompactionReport, LakeCheckReport, LakePullReport, ParquetInspection, StorageOverview } from '../../../../shared/api/storage';
import { queryNumber } from '../../engine/duck-query';
import { lakeCheck, runCli } from '../../testing/cli-process.fixture';
import { startS3, type S3Fixture } from '../../testing/s3-server.fixture';
import { openWorkbench, type Workbench } from '../../workbench';

const made: string[] = [];
let s3: S3Fixture;
const savedEnv = { ...process.env };
const OFF = { BATTERY_WORKBENCH_HOT: 'off' };

beforeAll(async () => {
  s3 = await startS3();
  Object.assign(process.env, s3.env);
});
afterAll(async () => {
  process.env = savedEnv;
  await s3?.stop();
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function workspace(prefix: string, cache?: { maxBytes: number }): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-s3ws-'));
  made.push(ws);
  const lake = { kind: 's3', url: `s3://lake/${prefix}`, endpoint: s3.endpoint, ...(cache ? { cache } : {}) };
  await writeFile(join(ws, 'settings.json'), JSON.stringify({ hot: { kind: 'embedded' }, lake }));
  return ws;
}

async function withWb<T>(ws: string, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { hot: 'none' } });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

/** A workbench and one connection on a workspace, closed after `fn`. */
function withConn<T>(ws: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withWb(ws, async (wb) => {
    const conn = await wb.engine.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  });
}

async function call<T>(wb: Workbench, method: string, req: unknown): Promise<T> {
  const r = await wb.dispatch(method, req, { transport: 'test' });
  if (!r.ok) throw new Error(r.error.message);
  const value = r.value as { jobId?: string };
  if (value.jobId === undefined) return r.value as T;
  const summary: JobSummary = await wb.jobs.wait(value.jobId);
  if (summary.state !== 'done') throw new Error(JSON.stringify(summary.error));
  return summary.report as T;
}

async function csvOf(ws: string, day: string, n: number, offset: number): Promise<string> {
  const lines = ['id,ts,voltage_v'];
  for (let i = 0; i < n; i++)
    lines.push(
      `${offset + i},${day} ${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${(2 + i / 1000).toFixed(3)}`,
    );
  const file = join(ws, `in-${day}-${offset}.csv`);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

const digestSql = "SELECT count(*) || ':' || sum(hash(id, ts, voltage_v)) FROM cold.imp";

describe('an S3 lake in the workbench', () => {
  it('converts, compacts, inspects and checks on S3; a second workspace pulls the same data', async () => {
    const ws = await workspace('work');
    // Two conversions into the same days: two files per day folder, then one compaction.
    for (const offset of [0, 1000]) {
      const csv = await csvOf(ws, '2024-03-01', 500, offset);
      const run = await runCli(['convert', csv, '--out', 'lake:imp', '--partition-by-day', 'ts', '--json', '--workspace', ws], OFF);
      expect(run.code, run.stderr).toBe(0);
    }
    const before = await withConn(ws, async (conn) => {
      expect(await queryNumber(conn, 'SELECT count(*) FROM cold.imp')).toBe(1000);
      return String((await conn.runAndReadAll(digestSql)).getRowsJS()[0][0]);
    });
    await withWb(ws, async (wb) => {
      const report = await call<CompactionReport>(wb, 'storage.compact', { dataset: 'imp' });
      expect(report).toMatchObject({ partitions: 1, filesBefore: 2, filesAfter: 1, rows: 1000 });
      // The originals left the bucket; only the merged object remains under the day.
      const objects = (await wb.data.lake.listEntries('imp')).filter((e) => e.kind === 'data');
      expect(objects).toHaveLength(1);
      const inspection = await call<ParquetInspection>(wb, 'storage.inspect', { dataset: 'imp' });
      expect(inspection.files.length).toBe(1);
      const overview = await call<StorageOverview>(wb, 'storage.overview', {});
      const imp = overview.datasets.find((d) => d.dataset === 'imp');
      expect(imp).toMatchObject({ files: 1, rows: 1000, parquetBytes: objects[0].size });
      const conn = await wb.engine.connect();
      try {
        expect(String((await conn.runAndReadAll(digestSql)).getRowsJS()[0][0])).toBe(before);
      } finally {
        conn.closeSync();
      }
    });
    const check = await lakeCheck(ws, []);
    expect(check.problems).toEqual([]);
    expect(check.files).toBe(1);

    // Another workspace: nothing cached until it pulls; then the same rows, byte for byte.
    const other = await workspace('work');
    await withConn(other, async (conn) => {
      expect(await queryNumber(conn, "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'cold' AND view_name = 'imp'")).toBe(0);
    });
    const pulled = await runCli(['lake', 'pull', '--json', '--workspace', other], OFF);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((JSON.parse(pulled.stdout) as LakePullReport).fetched).toBeGreaterThanOrEqual(1);
    await withConn(other, async (conn) => {
      expect(String((await conn.runAndReadAll(digestSql)).getRowsJS()[0][0])).toBe(before);
    });
  });

  it('lake check finds a corrupted cache copy and --repair fetches it again', async () => {
    const ws = await workspace('corrupt');
    const csv = await csvOf(ws, '2024-04-01', 300, 0);
    expect((await runCli(['convert', csv, '--out', 'lake:imp', '--partition-by-day', 'ts', '--workspace', ws], OFF)).code).toBe(0);
    const key = await withWb(ws, async (wb) => (await wb.data.lake.list('imp'))[0].key);
    const path = join(ws, 'lake-cache', ...key.split('/'));
    const bytes = await readFile(path);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(path, bytes);
    const found = await lakeCheck(ws);
    expect(found.problems.map((p) => p.kind)).toEqual(['checksum-mismatch']);
    const repaired = await lakeCheck(ws, ['--repair']);
    expect(repaired.repaired.join('\n')).toMatch(/fetched .* again/);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('above the cache cap keeps only pinned working sets, and every reader says what the cold tier covers', async () => {
    const writer = await workspace('capped');
    for (const day of ['2024-05-01', '2024-05-02', '2024-05-03']) {
      const csv = await csvOf(writer, day, 2000, 0);
      expect((await runCli(['convert', csv, '--out', 'lake:imp', '--partition-by-day', 'ts', '--workspace', writer], OFF)).code).toBe(0);
    }
    const reader = await workspace('capped', { maxBytes: 1 });
    const pin = await runCli(['lake', 'pin', '--dataset', 'imp', '--from', '2024-05-02', '--to', '2024-05-02', '--workspace', reader], OFF);
    expect(pin.code, pin.stderr).toBe(0);
    // The whole lake is asked for: the pinned day comes whatever the cap; the others do not fit and are skipped.
    const pulled = JSON.parse((await runCli(['lake', 'pull', '--json', '--workspace', reader], OFF)).stdout) as LakePullReport;
    expect(pulled).toMatchObject({ fetched: 1, skipped: 2, evicted: 0 });
    const imp = pulled.status.datasets.find((d) => d.dataset === 'imp');
    expect(imp).toMatchObject({ daysRemote: 3, daysCached: 1, missingDays: ['2024-05-01', '2024-05-03'] });
    expect(pulled.status.complete).toBe(false);
    await withConn(reader, async (conn) => {
      expect(await queryNumber(conn, 'SELECT count(*) FROM cold.imp')).toBe(2000);
    });
    const check: LakeCheckReport = await lakeCheck(reader);
    expect(check.problems).toEqual([]);
  });
});
