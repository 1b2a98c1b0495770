import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMap, EventName } from '../../../shared/api/contract';
import type { Result } from '../../../shared/api/errors';
import type { QueryRunResult, QueryWindowResult, SortKey } from '../../../shared/api/query';
import { openWorkbench, type Workbench } from '../workbench';
import { memoryLimitBytes, WORKSPACE_BLOCK_SIZE } from './engine';

let dir: string;
let wb: Workbench;
const events: { event: EventName; payload: EventMap[EventName] }[] = [];
let runSeq = 0;

async function call<T>(channel: string, request: unknown): Promise<Result<T>> {
  return (await wb.dispatch(channel, request, { transport: 'test' })) as Result<T>;
}

async function run(sql: string): Promise<QueryRunResult> {
  const r = await call<QueryRunResult>('query.run', { sql, runId: `t${++runSeq}` });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function window(resultId: string, offset: number, limit: number, sort: SortKey[] = []): Promise<{ w: QueryWindowResult; t: Table }> {
  const r = await call<QueryWindowResult>('query.window', { resultId, offset, limit, sort });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return { w: r.value, t: tableFromIPC(r.value.arrow) };
}

/** Column values of an Arrow table, by index (names may repeat); NULL as null. */
function values(t: Table, index: number): unknown[] {
  const v = t.getChildAt(index);
  if (!v) throw new Error(`no column ${index}`);
  return Array.from({ length: v.length }, (_x, i) => v.get(i) as unknown);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-engine-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test', appVersion: '9.9.9-test' });
  wb.events.on((event, payload) => events.push({ event, payload }));
});

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('query.run + query.window', () => {
  it('keeps full precision for BIGINT, HUGEINT, DECIMAL(38,10), UUID, and types each field', async () => {
    const r = await run(`SELECT 9223372036854775807::BIGINT AS big,
        (-9223372036854775808)::BIGINT AS small,
        18446744073709551615::UBIGINT AS ubig,
        170141183460469231731687303715884105727::HUGEINT AS huge,
        1234567890123456789012345678.0123456789::DECIMAL(38,10) AS dec,
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID AS id,
        42::INTEGER AS i, 2.5::DOUBLE AS d, 0.1::FLOAT AS f, true AS b`);
    expect(r.rowCount).toBe(1);
    expect(r.columns.map((c) => c.type)).toEqual([
      'BIGINT',
      'BIGINT',
      'UBIGINT',
      'HUGEINT',
      'DECIMAL(38,10)',
      'UUID',
      'INTEGER',
      'DOUBLE',
      'FLOAT',
      'BOOLEAN',
    ]);
    const { t } = await window(r.resultId, 0, 10);
    expect(values(t, 0)).toEqual([9223372036854775807n]);
    expect(values(t, 1)).toEqual([-9223372036854775808n]);
    expect(values(t, 2)).toEqual([18446744073709551615n]);
    expect(values(t, 3)).toEqual(['170141183460469231731687303715884105727']);
    expect(values(t, 4)).toEqual(['1234567890123456789012345678.0123456789']);
    expect(values(t, 5)).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    expect(values(t, 6)).toEqual([42]);
    expect(values(t, 7)).toEqual([2.5]);
    expect(values(t, 8)).toEqual([Math.fround(0.1)]);
    expect(values(t, 9)).toEqual([true]);
    expect(t.schema.fields.map((f) => f.metadata.get('duckdb_type'))).toEqual(r.columns.map((c) => c.type));
    expect(t.schema.fields.map((f) => String(f.type))).toEqual([
      'Int64',
      'Int64',
      'Uint64',
      'Utf8',
      'Utf8',
      'Utf8',
      'Int32',
      'Float64',
      'Float32',
      'Bool',
    ]);
  });

  it('decodes DATE, TIMESTAMP and TIMESTAMPTZ as DuckDB date text (TIMESTAMPTZ in the session time zone)', async () => {
    const r = await run(`SELECT DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 13:14:15.123456' AS ts,
        TIMESTAMPTZ '2024-02-29 13:14:15+00' AS tz, TIME '01:02:03' AS t, INTERVAL 90 MINUTE AS iv,
        current_setting('TimeZone') AS zone, strftime(TIMESTAMPTZ '2024-02-29 13:14:15+00', '%Y-%m-%d %H:%M:%S') AS local_text`);
    const { t } = await window(r.resultId, 0, 1);
    expect(values(t, 0)).toEqual(['2024-02-29']);
    expect(values(t, 1)).toEqual(['2024-02-29 13:14:15.123456']);
    const tz = String(values(t, 2)[0]);
    // DuckDB renders TIMESTAMPTZ in the session zone with its offset, e.g. `2024-02-29 13:14:15+00`.
    expect(tz.startsWith(String(values(t, 6)[0]))).toBe(true);
    expect(tz).toMatch(/^2024-02-29 \d\d:14:15[+-]\d\d/);
    expect(values(t, 3)).toEqual(['01:02:03']);
    expect(values(t, 4)).toEqual(['01:30:00']);
    expect(r.columns[2].type).toBe('TIMESTAMP WITH TIME ZONE');
  });

  it('makes LIST, STRUCT, MAP, BLOB, ENUM and NULL readable', async () => {
    const r = await run(`SELECT [1, 2, NULL] AS l, {'a': 1, 'b': 'x'} AS s, map(['k'], [7]) AS m,
        '\\x00\\xFFab'::BLOB AS bl, 'hi'::ENUM('hi', 'lo') AS e, NULL AS n, NULL::BIGINT AS nb, [[1], []]::INT[][] AS nested`);
    const { t } = await window(r.resultId, 0, 1);
    expect(values(t, 0)).toEqual(['[1, 2, NULL]']);
    expect(values(t, 1)).toEqual(["{'a': 1, 'b': x}"]);
    expect(values(t, 2)).toEqual(['{k=7}']);
    expect(values(t, 3)).toEqual(['\\x00\\xFFab']);
    expect(values(t, 4)).toEqual(['hi']);
    expect(values(t, 5)).toEqual([null]);
    expect(values(t, 6)).toEqual([null]);
    expect(values(t, 7)).toEqual(['[[1], []]']);
  });

  it('returns hostile strings byte-identical, and long strings with NULLs exactly as DuckDB has them', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const r = await run(`SELECT '${hostile}' AS x, 'Ünïcødé ✓ 𝄞 ' || repeat('é', 30) AS u`);
    const { t } = await window(r.resultId, 0, 1);
    expect(values(t, 0)).toEqual([hostile]);
    expect(values(t, 1)).toEqual(['Ünïcødé ✓ 𝄞 ' + 'é'.repeat(30)]);

    // Mixed short/long/NULL strings across many chunks, from a stored table and from a CAST.
    await run(`CREATE OR REPLACE TABLE strs AS SELECT range AS i,
        CASE WHEN range % 7 = 0 THEN NULL WHEN range % 3 = 0 THEN 'short' || range ELSE 'a much longer string value #' || range END AS s,
        TIMESTAMP '2020-01-01' + INTERVAL (range * 37) SECOND AS ts FROM range(10000)`);
    const r2 = await run('SELECT s, ts FROM strs ORDER BY i');
    const { t: t2 } = await window(r2.resultId, 123, 9000);
    const expected = await wb.engine.connect().then(async (c) => {
      try {
        const reader = await c.runAndReadAll('SELECT s, CAST(ts AS VARCHAR) FROM strs ORDER BY i LIMIT 9000 OFFSET 123');
        return reader.getRows();
      } finally {
        c.closeSync();
      }
    });
    expect(values(t2, 0)).toEqual(expected.map((row) => row[0]));
    expect(values(t2, 1)).toEqual(expected.map((row) => row[1]));

    // Long strings in scattered order, and one long constant shared by every row.
    const shuffledSql = `SELECT repeat('ab', 10) || (range % 5) || CASE WHEN range % 11 = 0 THEN NULL ELSE '' END AS s,
        'a constant long string value' AS c, range AS i FROM range(6000) ORDER BY hash(range)`;
    const r3 = await run(shuffledSql);
    const { t: t3 } = await window(r3.resultId, 0, 6000);
    const expected3 = await wb.engine.connect().then(async (c) => {
      try {
        return (await c.runAndReadAll(shuffledSql)).getRows();
      } finally {
        c.closeSync();
      }
    });
    expect(values(t3, 0)).toEqual(expected3.map((row) => row[0]));
    expect(values(t3, 1)).toEqual(expected3.map((row) => row[1]));
  });

  it('runs several statements and returns the last', async () => {
    const r = await run(`CREATE OR REPLACE TABLE multi(x INTEGER); INSERT INTO multi VALUES (1), (2), (3);
        SELECT sum(x) AS total FROM multi`);
    expect(r.statements).toBe(3);
    expect(r.columns).toEqual([{ name: 'total', type: 'HUGEINT' }]);
    const { t } = await window(r.resultId, 0, 1);
    expect(values(t, 0)).toEqual(['6']);
  });

  it('turns any statement into a result: INSERT count, EXPLAIN, DESCRIBE, SHOW, PRAGMA', async () => {
    await run('CREATE OR REPLACE TABLE any_t(a INTEGER, b VARCHAR)');
    const ins = await run("INSERT INTO any_t VALUES (1, 'x'), (2, 'y')");
    expect(ins.columns).toEqual([{ name: 'Count', type: 'BIGINT' }]);
    expect(values((await window(ins.resultId, 0, 1)).t, 0)).toEqual([2n]);
    const explain = await run('EXPLAIN SELECT * FROM any_t');
    expect(explain.sortable).toBe(false);
    expect(String(values((await window(explain.resultId, 0, 5)).t, 1)[0])).toContain('any_t');
    const describe = await run('DESCRIBE any_t');
    expect(values((await window(describe.resultId, 0, 5)).t, 0)).toEqual(['a', 'b']);
    const show = await run('SHOW TABLES');
    expect(values((await window(show.resultId, 0, 100)).t, 0)).toContain('any_t');
    const pragma = await run('PRAGMA table_info(any_t)');
    expect(pragma.rowCount).toBe(2);
  });

  it('keeps duplicate and odd column names', async () => {
    const r = await run(`SELECT 1::BIGINT AS a, 'two' AS a, 3 AS " ", 4 AS "we""ird col", 5 AS rowid`);
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'a', ' ', 'we"ird col', 'rowid']);
    const { t } = await window(r.resultId, 0, 1);
    expect(t.schema.fields.map((f) => f.metadata.get('column_name'))).toEqual(['a', 'a', ' ', 'we"ird col', 'rowid']);
    expect(new Set(t.schema.fields.map((f) => f.name)).size).toBe(5);
    expect(values(t, 0)).toEqual([1n]);
    expect(values(t, 1)).toEqual(['two']);
    expect(values(t, 3)).toEqual([4]);
    expect(values(t, 4)).toEqual([5]);
  });

  it('windows the start, middle and end of a 5,000,000-row result, and sorts by re-querying', async () => {
    const r = await run('SELECT range AS n, range % 10 AS m, range::VARCHAR AS s FROM range(5000000)');
    expect(r.rowCount).toBe(5_000_000);
    const first = await window(r.resultId, 0, 100);
    expect(values(first.t, 0).slice(0, 3)).toEqual([0n, 1n, 2n]);
    expect(first.w.rows).toBe(100);
    const middle = await window(r.resultId, 2_500_000, 100);
    expect(values(middle.t, 0)[0]).toBe(2_500_000n);
    expect(values(middle.t, 2)[99]).toBe('2500099');
    const t0 = performance.now();
    const end = await window(r.resultId, 4_999_950, 100);
    const endMs = performance.now() - t0;
    expect(end.w.rows).toBe(50);
    expect(end.w.rowCount).toBe(5_000_000);
    expect(values(end.t, 0)[49]).toBe(4_999_999n);
    expect(endMs).toBeLessThan(2000);

    const desc = await window(r.resultId, 0, 3, [{ column: 'n', direction: 'desc' }]);
    expect(values(desc.t, 0)).toEqual([4_999_999n, 4_999_998n, 4_999_997n]);
    const descEnd = await window(r.resultId, 4_999_998, 10, [{ column: 'n', direction: 'desc' }]);
    expect(values(descEnd.t, 0)).toEqual([1n, 0n]);
    // Two keys: m ascending, then n descending.
    const two = await window(r.resultId, 0, 2, [
      { column: 'm', direction: 'asc' },
      { column: 'n', direction: 'desc' },
    ]);
    expect(values(two.t, 0)).toEqual([4_999_990n, 4_999_980n]);
    const asc = await window(r.resultId, 1_000_000, 2, [{ column: 'n', direction: 'asc' }]);
    expect(values(asc.t, 0)).toEqual([1_000_000n, 1_000_001n]);
    expect((await call('query.close', { resultId: r.resultId })).ok).toBe(true);
    const gone = await call('query.window', { resultId: r.resultId, offset: 0, limit: 1 });
    expect(gone.ok ? null : gone.error.code).toBe('NOT_FOUND');
  });

  it('cancels a long query and the next query works', async () => {
    const runId = 'cancel-me';
    const pending = call<QueryRunResult>('query.run', {
      sql: 'SELECT count(*) FROM range(400000000) a, range(1000) b WHERE a.range + b.range = 7',
      runId,
    });
    // Progress comes every 250 ms while it runs; a busy machine may take a while to start the query.
    const progress = (): number =>
      events.filter((e) => e.event === 'query.progress' && (e.payload as EventMap['query.progress']).runId === runId).length;
    await expect.poll(progress, { timeout: 15_000 }).toBeGreaterThan(0);
    const t0 = performance.now();
    const cancelled = await call<{ cancelled: boolean }>('query.cancel', { runId });
    expect(cancelled).toEqual({ ok: true, value: { cancelled: true } });
    const result = await pending;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(result.ok ? null : result.error.code).toBe('CANCELLED');
    const next = await run('SELECT 42 AS answer');
    expect(values((await window(next.resultId, 0, 1)).t, 0)).toEqual([42]);
    expect(await call('query.cancel', { runId })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('keeps SET, TEMP tables and transactions within an editor session, and ends them with it', async () => {
    const inSession = async (sql: string, sessionId = 'tab-a'): Promise<Result<QueryRunResult>> =>
      call<QueryRunResult>('query.run', { sql, runId: `s${++runSeq}`, sessionId });
    expect((await inSession("CREATE TEMP TABLE scratch AS SELECT 7 AS x; SET TimeZone = 'Asia/Tokyo'")).ok).toBe(true);
    const r = await inSession("SELECT x, current_setting('TimeZone') AS tz FROM scratch");
    if (!r.ok) throw new Error(r.error.message);
    expect(values((await window(r.value.resultId, 0, 1)).t, 0)).toEqual([7]);
    expect(values((await window(r.value.resultId, 0, 1)).t, 1)).toEqual(['Asia/Tokyo']);
    // Another tab is another session: it sees neither.
    const other = await inSession('SELECT x FROM scratch', 'tab-b');
    expect(other.ok ? null : other.error.code).toBe('SQL_ERROR');
    // A transaction spans runs of one session.
    await inSession('CREATE TABLE IF NOT EXISTS session_tx (v INTEGER)');
    await inSession('BEGIN TRANSACTION; INSERT INTO session_tx VALUES (1)');
    await inSession('ROLLBACK');
    const count = await run('SELECT count(*) FROM session_tx');
    expect(values((await window(count.resultId, 0, 1)).t, 0)).toEqual([0n]);
    expect(await call('query.closeSession', { sessionId: 'tab-a' })).toEqual({ ok: true, value: { closed: true } });
    const gone = await inSession('SELECT x FROM scratch');
    expect(gone.ok ? null : gone.error.code).toBe('SQL_ERROR');
  });

  it("returns an SQL error as a value with DuckDB's message", async () => {
    const r = await call('query.run', { sql: 'SELECT * FROM no_such_table_xyz', runId: 'err1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('SQL_ERROR');
    expect(r.error.message).toContain('no_such_table_xyz');
    expect(r.error.message).toMatch(/Catalog Error/);
    const parse = await call('query.run', { sql: 'SELEC 1', runId: 'err2' });
    expect(parse.ok ? null : parse.error.message).toMatch(/syntax error/i);
    const blank = await call('query.run', { sql: '-- only a comment\n', runId: 'err3' });
    expect(blank.ok ? null : blank.error).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('no SQL statement') });
  });

  it('says HOT_UNAVAILABLE for the hot target until a hot runner is wired', async () => {
    const r = await call('query.run', { sql: 'SELECT 1', target: 'hot', runId: 'hot1' });
    expect(r.ok ? null : r.error.code).toBe('HOT_UNAVAILABLE');
  });

  it('stores a hot runner result like any other result', async () => {
    wb.engine.setHotRunner({
      run: async (sql) => ({
        statements: 1,
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'at', type: 'TIMESTAMPTZ' },
          { name: 'sql', type: 'VARCHAR' },
        ],
        batches: (async function* () {
          yield [
            ['9007199254740993', '2024-01-01 00:00:00+00', sql],
            [null, null, null],
          ];
        })(),
      }),
    });
    try {
      const r = await call<QueryRunResult>('query.run', { sql: 'select from pg', target: 'hot', runId: 'hot2' });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.rowCount).toBe(2);
      const { t } = await window(r.value.resultId, 0, 5);
      expect(values(t, 0)).toEqual([9007199254740993n, null]);
      expect(values(t, 2)).toEqual(['select from pg', null]);
      expect(t.schema.fields[1].metadata.get('duckdb_type')).toBe('TIMESTAMPTZ');
    } finally {
      wb.engine.setHotRunner(null);
    }
  });

  it('records history and searches it newest first', async () => {
    await run("SELECT 'history-needle-1' AS x");
    await run("SELECT 'history-needle-2' AS x");
    await call('query.run', { sql: 'SELECT history_needle_broken FROM nowhere', runId: 'h3' });
    const r = await call<{ entries: { sql: string; error: string | null; rowCount: number | null; target: string }[] }>('query.history', {
      search: 'HISTORY-needle',
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.entries.map((e) => e.sql)).toEqual(["SELECT 'history-needle-2' AS x", "SELECT 'history-needle-1' AS x"]);
    expect(r.value.entries[0].rowCount).toBe(1);
    const broken = await call<{ entries: { error: string | null; rowCount: number | null }[] }>('query.history', {
      search: 'history_needle_broken',
    });
    if (!broken.ok) throw new Error(broken.error.message);
    expect(broken.value.entries).toHaveLength(1);
    expect(broken.value.entries[0].error).toMatch(/nowhere/);
    // % and _ are literal, not wildcards.
    const literal = await call<{ entries: unknown[] }>('query.history', { search: 'history%needle' });
    expect(literal.ok && literal.value.entries).toEqual([]);
    const limited = await call<{ entries: unknown[] }>('query.history', { search: '', limit: 2 });
    expect(limited.ok && limited.value.entries.length).toBe(2);
  });

  it('rejects a bad request with INVALID_REQUEST naming the field', async () => {
    const r = await call('query.window', { resultId: 'x', offset: -1, limit: 10 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_REQUEST');
    expect(r.error.message).toContain('offset');
    const empty = await call('query.run', { sql: '', runId: 'e' });
    expect(empty.ok ? '' : empty.error.message).toContain('sql');
  });
});

describe('catalog and workspace', () => {
  it('lists user schemas, tables, views and columns, not internals, and says when the catalog changed', async () => {
    events.length = 0;
    await run(`CREATE SCHEMA IF NOT EXISTS cold; CREATE OR REPLACE TABLE cold.readings(id BIGINT, v DOUBLE);
        INSERT INTO cold.readings SELECT range, range / 2 FROM range(1000);
        CREATE OR REPLACE VIEW readings_v AS SELECT * FROM cold.readings`);
    expect(events.some((e) => e.event === 'catalog.changed')).toBe(true);
    const r = await call<{
      schemas: {
        database: string;
        name: string;
        objects: { name: string; kind: string; rowCount: number | null; columns: { name: string; type: string }[] }[];
      }[];
    }>('catalog.tree', {});
    if (!r.ok) throw new Error(r.error.message);
    const schemas = r.value.schemas;
    const databases = new Set(schemas.map((s) => s.database));
    expect(databases.has('bw_results')).toBe(false);
    expect(databases.has('system')).toBe(false);
    expect(databases.has('temp')).toBe(false);
    expect(schemas.some((s) => s.name === '_workbench')).toBe(false);
    const cold = schemas.find((s) => s.name === 'cold');
    const readings = cold?.objects.find((o) => o.name === 'readings');
    expect(readings?.kind).toBe('table');
    expect(readings?.rowCount).toBe(1000);
    expect(readings?.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'v', type: 'DOUBLE' },
    ]);
    const main = schemas.find((s) => s.name === 'main');
    expect(main?.objects.find((o) => o.name === 'readings_v')?.kind).toBe('view');
  });

  it('reports workspace info', async () => {
    const r = await call<{ path: string; duckdbVersion: string; appVersion: string }>('workspace.info', {});
    expect(r).toEqual({ ok: true, value: { path: dir, duckdbVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), appVersion: '9.9.9-test' } });
  });

  it('keeps a bounded number of results', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await run(`SELECT ${i} AS i`)).resultId);
    expect(wb.engine.keptResults).toBeLessThanOrEqual(20);
    const oldest = await call('query.window', { resultId: ids[0], offset: 0, limit: 1 });
    expect(oldest.ok ? null : oldest.error.code).toBe('NOT_FOUND');
    expect(values((await window(ids[24], 0, 1)).t, 0)).toEqual([24]);
  });
});

describe('workspace database file', () => {
  async function blockSize(w: Workbench): Promise<number> {
    return w.engine.withConnection(async (conn) => {
      const r = await conn.runAndReadAll('SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()');
      return Number(r.getRows()[0][0]);
    });
  }

  it('creates a new workspace with 64 KiB blocks, and lets DuckDB hand freed memory back', async () => {
    expect(WORKSPACE_BLOCK_SIZE).toBe(65_536);
    expect(await blockSize(wb)).toBe(WORKSPACE_BLOCK_SIZE);
    const settings = await wb.engine.withConnection(async (conn) =>
      (await conn.runAndReadAll("SELECT current_setting('allocator_background_threads'), current_setting('allocator_flush_threshold')"))
        .getRows()[0]
        .map(String),
    );
    expect(settings).toEqual(['true', '32.0 MiB']);
  });

  it("opens a workspace created with DuckDB's 256 KiB blocks as it is, its tables intact", async () => {
    const old = await mkdtemp(join(tmpdir(), 'bw-engine-old-'));
    try {
      const instance = await DuckDBInstance.create(join(old, 'workspace.duckdb'));
      const conn = await instance.connect();
      await conn.run('CREATE TABLE kept AS SELECT range AS i FROM range(300000)');
      conn.closeSync();
      instance.closeSync();
      const other = await openWorkbench({ workspaceDir: old, entry: 'test' });
      try {
        expect(await blockSize(other)).toBe(262_144);
        const kept = await other.engine.withConnection(
          async (conn) => (await conn.runAndReadAll('SELECT count(*), sum(i) FROM kept')).getRows()[0],
        );
        expect(kept.map(String)).toEqual(['300000', String((299_999 * 300_000) / 2)]);
      } finally {
        await other.close();
      }
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});

describe('memory budget', () => {
  const MB = 1e6;
  /** The instance's memory_limit in MB (DuckDB reports it rounded to a tenth of a MiB or GiB). */
  const limitMb = async (): Promise<number> => {
    const rows = await wb.engine.withConnection(async (c) =>
      (await c.runAndReadAll("SELECT current_setting('memory_limit') AS l")).getRowObjectsJson(),
    );
    const bytes = memoryLimitBytes(String(rows[0].l));
    if (bytes === null) throw new Error(`unreadable memory_limit ${String(rows[0].l)}`);
    return bytes / MB;
  };

  it('reads sizes in DuckDB units and refuses what is not one', () => {
    expect(memoryLimitBytes('4GB')).toBe(4e9);
    expect(memoryLimitBytes('512MB')).toBe(512e6);
    expect(memoryLimitBytes('286.1 MiB')).toBeCloseTo(286.1 * 2 ** 20);
    expect(memoryLimitBytes('lots')).toBeNull();
  });

  it('lowers the limit while a job holds a budget, restores it after (also when the job fails), and never raises it', async () => {
    const before = await limitMb();
    expect(before).toBeGreaterThan(300);
    expect(wb.engine.memoryBudget).toBeNull();
    const during = await wb.engine.withMemoryBudget('300MB', async () => {
      // A second holder overlapping the first keeps the budget until both end.
      await wb.engine.withMemoryBudget('300MB', async () => undefined);
      expect(wb.engine.memoryBudget).toBe('300MB');
      return limitMb();
    });
    expect(Math.abs(during - 300)).toBeLessThan(3);
    expect(wb.engine.memoryBudget).toBeNull();
    const restored = await limitMb();
    expect(Math.abs(restored - before) / before).toBeLessThan(0.01);
    await expect(
      wb.engine.withMemoryBudget('300MB', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await limitMb()).toBe(restored);
    // Holders that start together all run at the budget (the later ones wait for the first to lower it).
    const together = await Promise.all([1, 2, 3].map(() => wb.engine.withMemoryBudget('300MB', () => limitMb())));
    for (const mb of together) expect(Math.abs(mb - 300)).toBeLessThan(3);
    expect(await limitMb()).toBe(restored);
    expect(await wb.engine.withMemoryBudget('100TB', () => limitMb())).toBe(restored);
    await expect(wb.engine.withMemoryBudget('lots', async () => undefined)).rejects.toThrow('Not a memory size');
  });
});
