import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { CompactionReport } from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { queryNumber } from '../engine/duck-query';
import { demoWorkspace, lakeCheck, runCli } from '../testing/cli-process.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { partitionKey } from './lake';
import { LakeCatalog } from './lake-catalog';
import { sha256File, writeManifest, type BatchManifest } from './manifest';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A Parquet file written into the lake the way every writer does: staged, published, recorded in a manifest. */
async function putFile(wb: Workbench, dataset: string, day: string, tag: string, select: string, kv: string): Promise<void> {
  const staged = await wb.data.lake.stage(partitionKey(dataset, day, tag));
  const conn = await wb.engine.connect();
  try {
    await conn.run(`COPY (${select}) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${kv})`);
    const rows = await queryNumber(conn, `SELECT count(*) FROM read_parquet(${quoteLiteral(staged.path)})`);
    const sha256 = await sha256File(staged.path);
    const file = await wb.data.lake.publish(staged);
    await writeManifest(wb.data.lake, {
      batchId: `test-${day}-${tag}`,
      dataset,
      source: 'test',
      writtenAt: new Date().toISOString(),
      rows,
      files: [{ key: file.key, rows, bytes: file.size, sha256, minTime: null, maxTime: null }],
    });
  } finally {
    conn.closeSync();
  }
}

async function compact(wb: Workbench, dataset: string): Promise<JobSummary> {
  const started = await wb.dispatch('storage.compact', { dataset }, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  return wb.jobs.wait((started.value as { jobId: string }).jobId);
}

describe('compaction', () => {
  it('merges each partition of several files into one: every row and column kept (by name), no column added, metadata and manifest recorded', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-compact-'));
    made.push(ws);
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const rows = (day: string, n: number, extra: boolean): string =>
        `SELECT i AS id, TIMESTAMP '${day}' + INTERVAL (i) SECOND AS ts, 2.0 + i / 1000.0 AS voltage_v, CASE WHEN i % 10 = 0 THEN NULL ELSE 'jar' END AS label` +
        `${extra ? `, 'x' || i AS extra` : ''} FROM range(${n}) t(i)`;
      // A missing day (01-03) and two files on 01-02; only the later one has the column `extra`.
      await putFile(wb, 'ds', '2024-01-01', 'a', rows('2024-01-01', 1000, false), "{writer: 'test'}");
      await putFile(wb, 'ds', '2024-01-02', 'a', rows('2024-01-02', 700, false), "{writer: 'test', batch_id: 'b-1'}");
      await putFile(
        wb,
        'ds',
        '2024-01-02',
        'b',
        `SELECT id + 700 AS id, ts, voltage_v, label, extra FROM (${rows('2024-01-02', 300, true)})`,
        "{writer: 'test', batch_id: 'b-2'}",
      );
      await putFile(wb, 'ds', '2024-01-04', 'a', rows('2024-01-04', 50, false), "{writer: 'test'}");
      await wb.data.refresh();
      const conn = await wb.engine.connect();
      const digest = async (): Promise<string> =>
        String(
          (await conn.runAndReadAll("SELECT count(*) || ':' || sum(hash(id, ts, voltage_v, label, extra)) FROM cold.ds")).getRowsJS()[0][0],
        );
      const before = await digest();
      expect(await queryNumber(conn, 'SELECT count(extra) FROM cold.ds')).toBe(300);

      const summary = await compact(wb, 'ds');
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      const report = summary.report as CompactionReport;
      expect(report.partitions).toBe(1);
      expect(report.filesBefore).toBe(2);
      expect(report.filesAfter).toBe(1);
      expect(report.rows).toBe(1000);
      const day2 = await readdir(join(ws, 'lake', 'ds', 'date=2024-01-02'));
      expect(day2).toHaveLength(1);
      expect(await digest()).toBe(before);
      // The workspace's lake catalog followed the compaction: it equals the manifests' live set.
      expect(await new LakeCatalog(conn, wb.data.lake).drift()).toEqual({ missing: [], extra: [] });
      expect((await new LakeCatalog(conn, wb.data.lake).files('ds')).map((f) => f.key)).toEqual([
        'ds/date=2024-01-01/part-a.parquet',
        `ds/date=2024-01-02/${day2[0]}`,
        'ds/date=2024-01-04/part-a.parquet',
      ]);
      // The merged file holds the union of the columns by name, and no `date` column from the folder name.
      const merged = join(ws, 'lake', 'ds', 'date=2024-01-02', day2[0]);
      const cols = (
        await conn.runAndReadAll(
          `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(merged)}, hive_partitioning = false))`,
        )
      )
        .getRowsJS()
        .map((r) => String(r[0]));
      expect(cols).toEqual(['id', 'ts', 'voltage_v', 'label', 'extra']);
      expect(await queryNumber(conn, `SELECT count(extra) FROM read_parquet(${quoteLiteral(merged)})`)).toBe(300);
      // Key-value metadata: what the originals agree on, and what each said.
      const kv = new Map(
        (await conn.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${quoteLiteral(merged)})`))
          .getRowsJS()
          .map((r) => [String(r[0]), String(r[1])]),
      );
      expect(kv.get('writer')).toBe('test');
      const from = JSON.parse(kv.get('compacted_from') ?? '[]') as { key: string; kv: Record<string, string> }[];
      expect(from.map((f) => [f.key, f.kv.batch_id])).toEqual([
        ['ds/date=2024-01-02/part-a.parquet', 'b-1'],
        ['ds/date=2024-01-02/part-b.parquet', 'b-2'],
      ]);
      // The compaction is recorded in the manifests: which files it replaced by which.
      const names = await readdir(join(ws, 'lake', '_manifests', 'ds'));
      const m = JSON.parse(
        await readFile(join(ws, 'lake', '_manifests', 'ds', names.find((n) => n.startsWith('compact-')) ?? ''), 'utf8'),
      ) as BatchManifest;
      expect(m.source).toBe('compact');
      expect(m.replaces).toEqual(['ds/date=2024-01-02/part-a.parquet', 'ds/date=2024-01-02/part-b.parquet']);
      expect(m.files.map((f) => [f.key, f.rows])).toEqual([[`ds/date=2024-01-02/${day2[0]}`, 1000]]);
      conn.closeSync();
    } finally {
      await wb.close();
    }
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('takes turns with archival: one lake-writer lock per lake, waited for (cancellably) while it is held', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-compact-lock-'));
    made.push(ws);
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      await putFile(wb, 'ds', '2024-01-01', 'a', 'SELECT 1 AS x', '{w: 1}');
      await putFile(wb, 'ds', '2024-01-01', 'b', 'SELECT 2 AS x', '{w: 1}');
      const files = async (): Promise<number> => (await wb.data.lake.list('ds')).length;
      const start = async (): Promise<string> => {
        const started = await wb.dispatch('storage.compact', { dataset: 'ds' }, { transport: 'test' });
        if (!started.ok) throw new Error(started.error.message);
        return (started.value as { jobId: string }).jobId;
      };
      const waiting = async (jobId: string): Promise<void> => {
        await expect
          .poll(() => wb.jobs.get(jobId)?.message ?? '', { timeout: 15_000 })
          .toMatch(/Waiting|in use by an archive run \(test\)/);
        expect(wb.jobs.get(jobId)?.state).toBe('running');
      };
      const held = await wb.data.lake.lockWriter('an archive run (test)');
      try {
        // Cancelled while it waits: nothing was touched.
        const first = await start();
        await waiting(first);
        expect(await files()).toBe(2);
        expect((await wb.dispatch('jobs.cancel', { jobId: first }, { transport: 'test' })).ok).toBe(true);
        const cancelled = await wb.jobs.wait(first);
        expect(cancelled.state).toBe('cancelled');
        expect(await files()).toBe(2);
        // Waiting, then its turn when the holder lets go.
        const second = await start();
        await waiting(second);
        expect(await files()).toBe(2);
        await held.release();
        expect((await wb.jobs.wait(second)).state).toBe('done');
      } finally {
        await held.release();
      }
      expect(await files()).toBe(1);
    } finally {
      await wb.close();
    }
  });

  it('survives SIGKILL at each step: an archive run (which sweeps) loses nothing, the same rows stay visible, and the next compaction finishes', async () => {
    const ws = await demoWorkspace(made);
    const csv = async (name: string, text: string): Promise<string> => {
      const p = join(ws, name);
      await writeFile(p, text);
      return p;
    };
    const a = await csv('a.csv', 'ts,v,site\n2024-01-01 10:00:00,1,a\n2024-01-02 00:30:00,2,b\n2024-01-02 12:00:00,3,c\n');
    const b = await csv('b.csv', 'ts,v,extra\n2024-01-02 13:00:00,4,x\n2024-01-03 12:00:00,5,y\n');
    const digestSql = 'SELECT count(*) AS n, sum(hash(ts, v, site, extra))::VARCHAR AS h, count(extra) AS e FROM cold.imp';
    for (const step of ['write', 'publish', 'cleanup']) {
      // Two conversions into one dataset: 2024-01-02 has two files.
      for (const f of [a, b]) {
        const c = await runCli(['convert', f, '--out', 'lake:imp', '--partition-by-day', 'ts', '--workspace', ws]);
        expect(c.code, c.stderr).toBe(0);
      }
      const before = await runCli(['query', digestSql, '--json', '--workspace', ws]);
      const killed = await runCli(['lake', 'compact', '--dataset', 'imp', '--workspace', ws], { BW_KILL_AT: `compact:${step}` });
      expect(killed.signal, `kill at compact:${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect((await runCli(['query', digestSql, '--json', '--workspace', ws])).stdout, `rows after a kill at compact:${step}`).toBe(
        before.stdout,
      );
      const archive = await runCli(['archive', '--older-than', '2d', '--workspace', ws]);
      expect(archive.code, archive.stderr).toBe(0);
      expect(
        (await runCli(['query', digestSql, '--json', '--workspace', ws])).stdout,
        `rows after the archive run's sweep (compact:${step})`,
      ).toBe(before.stdout);
      const pending = await lakeCheck(ws);
      expect(pending.problems.map((p) => p.kind)).toContain('unfinished-job');
      const repaired = await lakeCheck(ws, ['--repair']);
      expect(repaired.repaired.length, JSON.stringify(repaired)).toBeGreaterThan(0);
      expect(repaired.problems).toEqual([]);
      expect((await runCli(['query', digestSql, '--json', '--workspace', ws])).stdout).toBe(before.stdout);
      const again = await runCli(['lake', 'compact', '--dataset', 'imp', '--json', '--workspace', ws]);
      expect(again.code, again.stderr).toBe(0);
      expect((await runCli(['query', digestSql, '--json', '--workspace', ws])).stdout).toBe(before.stdout);
      expect((await lakeCheck(ws)).problems).toEqual([]);
      await rm(join(ws, 'lake', 'imp'), { recursive: true, force: true });
      await rm(join(ws, 'lake', '_manifests', 'imp'), { recursive: true, force: true });
    }
  }, 600_000);
});
