import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/api/errors';
import type { HistoryEntry, QueryRunResult } from '../../../shared/api/query';
import { quoteLiteral } from '../../../shared/sql';
import { foldDays } from '../mirror/run-provenance';
import { openWorkbench, type Workbench } from '../workbench';
import { QueryHistory } from './history';
import { SerialQueue } from './serial-queue';

let dir: string;
let wb: Workbench;
let runSeq = 0;

async function call<T>(channel: string, request: unknown): Promise<Result<T>> {
  return (await wb.dispatch(channel, request, { transport: 'test' })) as Result<T>;
}

async function history(search = '', limit = 50): Promise<HistoryEntry[]> {
  const r = await call<{ entries: HistoryEntry[] }>('query.history', { search, limit });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.entries;
}

/** Runs `sql` and returns its history entry once its fingerprint is stored. */
async function runEntry(sql: string): Promise<HistoryEntry> {
  const r = await call<QueryRunResult>('query.run', { sql, runId: `fp${++runSeq}` });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  await wb.engine.fingerprintsSettled();
  const entry = (await history('', 1))[0];
  expect(entry.sql).toBe(sql);
  return entry;
}

async function hashOf(sql: string): Promise<string> {
  const entry = await runEntry(sql);
  expect(entry.resultHash).toMatch(/^[0-9a-f]{64}$/);
  return entry.resultHash as string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-runhist-'));
  wb = await openWorkbench({ workspaceDir: join(dir, 'ws'), entry: 'test', appVersion: '9.9.9-test' });
});

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('result fingerprints (real DuckDB)', () => {
  it('is the same for the same query over the same data, run again', async () => {
    await call('query.run', { sql: 'CREATE TABLE fp_t AS SELECT i, i % 97 AS k, i * 0.5 AS v FROM range(300000) r(i)', runId: 'fp-setup' });
    // An unordered GROUP BY: its rows come back in an order that may differ from run to run.
    const unordered = 'SELECT k, count(*) AS n, sum(v) AS s FROM fp_t GROUP BY k';
    const a = await hashOf(unordered);
    expect(await hashOf(unordered)).toBe(a);
    const ordered = 'SELECT * FROM fp_t ORDER BY i';
    const b = await hashOf(ordered);
    expect(await hashOf(ordered)).toBe(b);
  });

  it('changes when one value changes', async () => {
    const sql = 'SELECT * FROM fp_t ORDER BY i';
    const before = await hashOf(sql);
    await call('query.run', { sql: 'UPDATE fp_t SET v = v + 0.5 WHERE i = 123456', runId: 'fp-update' });
    const after = await hashOf(sql);
    expect(after).not.toBe(before);
    const grouped = await hashOf('SELECT k, count(*) AS n FROM fp_t GROUP BY k');
    await call('query.run', { sql: 'UPDATE fp_t SET k = 0 WHERE i = 5', runId: 'fp-update-2' });
    expect(await hashOf('SELECT k, count(*) AS n FROM fp_t GROUP BY k')).not.toBe(grouped);
  });

  it('is order-sensitive when the query orders, and not when it does not', async () => {
    const asc = await hashOf("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(i, s) ORDER BY i");
    const desc = await hashOf("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(i, s) ORDER BY i DESC");
    expect(desc).not.toBe(asc);
    // No ORDER BY: the same rows as a set, whatever order they come in.
    const set1 = await hashOf("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(i, s)");
    const set2 = await hashOf("SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b')) t(i, s)");
    expect(set2).toBe(set1);
    // ...but a duplicated row is another result.
    expect(await hashOf("SELECT * FROM (VALUES (1, 'a'), (1, 'a'), (2, 'b'), (3, 'c')) t(i, s)")).not.toBe(set1);
  });

  it('is type-sensitive: 1, 1.0 and the text 1 differ', async () => {
    const hashes: string[] = [];
    for (const sql of ['SELECT 1 AS x', 'SELECT 1.0 AS x', "SELECT '1' AS x", 'SELECT 1::BIGINT AS x']) hashes.push(await hashOf(sql));
    expect(new Set(hashes).size).toBe(4);
  });

  it('fingerprints an empty result by its types, and not a failed run', async () => {
    const empty = await hashOf('SELECT 1 AS x WHERE false');
    expect(await hashOf('SELECT 2 AS x WHERE false')).toBe(empty);
    expect(await hashOf("SELECT 'a' AS x WHERE false")).not.toBe(empty);
    const failed = await call('query.run', { sql: 'SELECT * FROM fp_no_such_table', runId: 'fp-fail' });
    expect(failed.ok).toBe(false);
    await wb.engine.fingerprintsSettled();
    const entry = (await history('fp_no_such_table'))[0];
    expect(entry.error).toMatch(/fp_no_such_table/);
    expect(entry.resultHash).toBeNull();
  });

  it('is stored before the result is closed (the CLI closes it at once)', async () => {
    const r = await call<QueryRunResult>('query.run', { sql: 'SELECT * FROM fp_t ORDER BY i DESC', runId: 'fp-close' });
    if (!r.ok) throw new Error(r.error.message);
    await call('query.close', { resultId: r.value.resultId });
    const entry = (await history('ORDER BY i DESC', 1))[0];
    expect(entry.resultHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('run history context', () => {
  it('records params {}, the hot watermark and the lake days of the cold views a query names', async () => {
    const paths: string[] = [];
    for (const day of ['2024-01-01', '2024-01-02', '2024-01-05']) {
      const folder = join(dir, 'lake', 'fp_ds', `date=${day}`);
      await mkdir(folder, { recursive: true });
      const path = join(folder, 'part-0.parquet');
      await call('query.run', {
        sql: `COPY (SELECT DATE '${day}' AS d, 1 AS v) TO ${quoteLiteral(path)} (FORMAT parquet)`,
        runId: `fp-copy-${day}`,
      });
      paths.push(path);
    }
    await call('query.run', {
      sql: `CREATE OR REPLACE VIEW cold.fp_ds AS SELECT * FROM read_parquet([${paths.map(quoteLiteral).join(', ')}])`,
      runId: 'fp-view',
    });
    const entry = await runEntry('SELECT count(*) FROM cold.fp_ds');
    expect(entry.params).toEqual({});
    expect(entry.coldDays).toEqual({ fp_ds: ['2024-01-01..2024-01-02', '2024-01-05'] });
    expect(typeof entry.hotWatermark).toBe('object');
    for (const v of Object.values(entry.hotWatermark)) expect(typeof v).toBe('number');
    expect((await runEntry('SELECT 42 AS answer')).coldDays).toEqual({});
  });

  it('folds consecutive days into runs', () => {
    expect(foldDays([])).toEqual([]);
    expect(foldDays(['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-03', '2024-12-31', '2025-01-01'])).toEqual([
      '2024-02-28..2024-03-01',
      '2024-03-03',
      '2024-12-31..2025-01-01',
    ]);
  });

  it('keeps the parameter values given to the record API', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const h = await QueryHistory.open(conn, new SerialQueue());
      const id = await h.record({
        sql: 'SELECT * FROM battery WHERE site = $site',
        target: 'workspace',
        startedAt: new Date().toISOString(),
        elapsedMs: 3,
        rowCount: 2,
        error: null,
        params: { site: "FRA1'; DROP TABLE x; --", n: 2 },
      });
      await h.setResultHash(id, 'abc');
      const [entry] = await h.search('', 5);
      expect(entry.params).toEqual({ site: "FRA1'; DROP TABLE x; --", n: 2 });
      expect(entry.resultHash).toBe('abc');
      expect(entry.coldDays).toEqual({});
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('history table migration', () => {
  it('adds the new columns to an existing workspace in place, losing no run', async () => {
    const old = join(dir, 'old-ws');
    await mkdir(old, { recursive: true });
    const instance = await DuckDBInstance.create(join(old, 'workspace.duckdb'));
    const conn = await instance.connect();
    // The table as the previous version made it.
    await conn.run(`CREATE SCHEMA _workbench;
      CREATE SEQUENCE _workbench.query_history_id;
      CREATE TABLE _workbench.query_history (
        id BIGINT PRIMARY KEY DEFAULT nextval('_workbench.query_history_id'),
        sql VARCHAR NOT NULL, target VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL,
        elapsed_ms DOUBLE NOT NULL, row_count BIGINT, error VARCHAR);
      INSERT INTO _workbench.query_history (sql, target, started_at, elapsed_ms, row_count, error)
        VALUES ('SELECT ''old run''', 'workspace', TIMESTAMPTZ '2025-06-01 10:00:00+00', 12.5, 1, NULL),
               ('SELECT broken', 'hot', TIMESTAMPTZ '2025-06-01 10:01:00+00', 1, NULL, 'no such column');`);
    conn.closeSync();
    instance.closeSync();

    const owb = await openWorkbench({ workspaceDir: old, entry: 'test', appVersion: '9.9.9-test' });
    try {
      const r = await owb.dispatch('query.run', { sql: 'SELECT 7 AS seven', runId: 'm1' }, { transport: 'test' });
      expect((r as Result<unknown>).ok).toBe(true);
      await owb.engine.fingerprintsSettled();
      const listed = (await owb.dispatch('query.history', { search: '', limit: 10 }, { transport: 'test' })) as Result<{
        entries: HistoryEntry[];
      }>;
      if (!listed.ok) throw new Error(listed.error.message);
      const [fresh, broken, kept] = listed.value.entries;
      expect(fresh.sql).toBe('SELECT 7 AS seven');
      expect(fresh.resultHash).toMatch(/^[0-9a-f]{64}$/);
      expect(kept).toMatchObject({
        sql: "SELECT 'old run'",
        target: 'workspace',
        startedAt: '2025-06-01T10:00:00.000Z',
        elapsedMs: 12.5,
        rowCount: 1,
        error: null,
        params: {},
        coldDays: {},
        hotWatermark: {},
        resultHash: null,
      });
      expect(broken).toMatchObject({ sql: 'SELECT broken', target: 'hot', error: 'no such column', params: {}, resultHash: null });
    } finally {
      await owb.close();
    }
  });
});
