import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../../shared/api/errors';
import type { QueryRunResult, QueryWindowResult } from '../../../shared/api/query';
import type { SavedQuery } from '../../../shared/api/saved-queries';
import { dispatcher } from '../testing/dispatch.fixture';
import { openWorkbench, type Workbench } from '../workbench';

let dir: string;
let wb: Workbench;
let runSeq = 0;

const { call, ok: value } = dispatcher(() => wb);

async function failure(channel: string, request: unknown): Promise<ApiError> {
  const r = await call(channel, request);
  if (r.ok) throw new Error(`${channel} succeeded but should have failed`);
  return r.error;
}

/** The rows of a run, as objects with text values (BIGINT, DATE and TIMESTAMP as their SQL text). */
async function rows(request: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const run = await value<QueryRunResult>('query.run', { runId: `p${++runSeq}`, ...request });
  const w = await value<QueryWindowResult>('query.window', { resultId: run.resultId, offset: 0, limit: 1000 });
  return tableFromIPC(w.arrow)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
}

function runFailure(request: Record<string, unknown>): Promise<ApiError> {
  return failure('query.run', { runId: `p${++runSeq}`, ...request });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-saved-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test', appVersion: '9.9.9-test' });
  await value('query.run', {
    runId: 'setup',
    sql: `CREATE TABLE site_note (site VARCHAR, note VARCHAR);
          INSERT INTO site_note VALUES ('FRA1', 'ok'), ('AMS2', 'ok'), ('x''; DROP TABLE site_note; --', 'hostile')`,
  });
});

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('named parameters bound as values', () => {
  it("keeps a value containing '; DROP TABLE ...; -- a value: the table survives and the row matches literally", async () => {
    const hostile = "x'; DROP TABLE site_note; --";
    const found = await rows({ sql: 'SELECT note FROM site_note WHERE site = $site', params: { site: hostile } });
    expect(found).toEqual([{ note: 'hostile' }]);
    const typed = await rows({
      sql: 'SELECT note FROM site_note WHERE site = $site',
      params: { site: hostile },
      paramTypes: [{ name: 'site', type: 'text' }],
    });
    expect(typed).toEqual([{ note: 'hostile' }]);
    expect(await rows({ sql: 'SELECT count(*)::INTEGER AS n FROM site_note' })).toEqual([{ n: 3 }]);
  });

  it('names the parameter that has no value, and runs nothing', async () => {
    const e = await runFailure({
      sql: "INSERT INTO site_note VALUES ('NEW', 'x'); SELECT * FROM site_note WHERE site = $site AND note = $note",
      params: { note: 'ok' },
    });
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('$site');
    expect(e.message).not.toContain('$note');
    const none = await runFailure({ sql: 'SELECT $site AS s, $from AS f' });
    expect(none.message).toContain('the parameters $site, $from');
  });

  it('binds each declared type as its DuckDB type', async () => {
    const [row] = await rows({
      sql: 'SELECT typeof($i) AS ti, $i + 1 AS i, typeof($n) AS tn, typeof($d) AS td, $d + 1 AS d, typeof($t) AS tt, CAST($t AS VARCHAR) AS t',
      params: { i: '9007199254740993', n: '2.5', d: '2024-02-29', t: '2025-03-31T14:05:06.25' },
      paramTypes: [
        { name: 'i', type: 'integer' },
        { name: 'n', type: 'number' },
        { name: 'd', type: 'date' },
        { name: 't', type: 'timestamp' },
      ],
    });
    expect(row.ti).toBe('BIGINT');
    expect(String(row.i)).toBe('9007199254740994');
    expect(row.tn).toBe('DOUBLE');
    expect(row.td).toBe('DATE');
    expect(row.tt).toBe('TIMESTAMP');
    expect(row.t).toBe('2025-03-31 14:05:06.25');
    const [dates] = await rows({
      sql: 'SELECT CAST($d AS VARCHAR) AS d',
      params: { d: '2024-02-29' },
      paramTypes: [{ name: 'd', type: 'date' }],
    });
    expect(dates.d).toBe('2024-02-29');
  });

  it.each([
    ['integer', '12abc', 'a whole number'],
    ['integer', '1.5', 'a whole number'],
    ['number', 'three', 'a number'],
    ['date', '2025-02-30', 'a date written YYYY-MM-DD'],
    ['date', '31/03/2025', 'a date written YYYY-MM-DD'],
    ['timestamp', '2025-03-31 25:00', 'a timestamp'],
  ] as const)('refuses a bad %s (%s) and names the parameter', async (type, bad, needs) => {
    const e = await runFailure({ sql: 'SELECT $v AS v', params: { v: bad }, paramTypes: [{ name: 'v', type }] });
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('$v');
    expect(e.message).toContain(needs);
    expect(e.message).toContain(JSON.stringify(bad));
  });

  it("a choice list accepts its query's values and refuses any other", async () => {
    const paramTypes = [{ name: 'site', type: 'choice', choicesSql: 'SELECT site FROM site_note ORDER BY site;' }];
    expect(await rows({ sql: 'SELECT note FROM site_note WHERE site = $site', params: { site: 'FRA1' }, paramTypes })).toEqual([
      { note: 'ok' },
    ]);
    const e = await runFailure({ sql: 'SELECT note FROM site_note WHERE site = $site', params: { site: 'LON9' }, paramTypes });
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('$site');
    expect(e.message).toContain('"LON9"');
    const choices = await value<{ values: string[]; truncated: boolean }>('savedQueries.choices', {
      sql: 'SELECT site FROM site_note ORDER BY site',
    });
    expect(choices.values).toEqual(['AMS2', 'FRA1', "x'; DROP TABLE site_note; --"]);
    expect(choices.truncated).toBe(false);
    const broken = await failure('savedQueries.choices', { sql: 'SELECT nope FROM nowhere' });
    expect(broken.code).toBe('SQL_ERROR');
    expect(broken.message).toContain("choice list's query failed");
  });

  it('refuses a choice declaration without its query, and parameters on the hot store', async () => {
    const e = await runFailure({ sql: 'SELECT $v', params: { v: 'a' }, paramTypes: [{ name: 'v', type: 'choice' }] });
    expect(e.code).toBe('INVALID_REQUEST');
    expect(e.message).toContain('choice list');
    const hot = await runFailure({ sql: 'SELECT 1', target: 'hot', params: { v: 'a' } });
    expect(hot.code).toBe('BAD_INPUT');
    expect(hot.message).toContain('workspace queries only');
  });
});

describe('saved queries', () => {
  it('saves, lists by folder, reads, renames and deletes', async () => {
    const saved = await value<SavedQuery>('savedQueries.save', {
      name: ' fleet / daily voltage ',
      sql: 'SELECT note FROM site_note WHERE site = $site',
      params: [{ name: 'site', type: 'text' }],
      chart: { type: 'line', x: 'day', y: ['v'], series: null, aggregate: 'sum', bins: 50 },
    });
    expect(saved).toMatchObject({
      name: 'fleet/daily voltage',
      folder: 'fleet',
      target: 'workspace',
      chart: { type: 'line', x: 'day', y: ['v'], series: null },
    });
    expect(saved.params).toEqual([{ name: 'site', type: 'text' }]);
    await value('savedQueries.save', { name: 'adhoc', sql: 'SELECT 1', target: 'hot' });
    const list = await value<{ queries: SavedQuery[] }>('savedQueries.list', {});
    expect(list.queries.map((q) => [q.folder, q.name])).toEqual([
      ['', 'adhoc'],
      ['fleet', 'fleet/daily voltage'],
    ]);
    expect(list.queries[0].target).toBe('hot');

    const over = await value<SavedQuery>('savedQueries.save', { name: 'fleet/daily voltage', sql: 'SELECT 2', overwrite: true });
    expect(over.sql).toBe('SELECT 2');
    expect(over.createdAt).toBe(saved.createdAt);
    // Saved without splitAxes (as before the second y axis): read with it on.
    expect(over.chart).toEqual({ type: 'line', x: 'day', y: ['v'], series: null, aggregate: 'sum', bins: 50, splitAxes: true });

    const renamed = await value<SavedQuery>('savedQueries.rename', { from: 'fleet/daily voltage', to: 'sites/archive/voltage' });
    expect(renamed).toMatchObject({ name: 'sites/archive/voltage', folder: 'sites/archive', sql: 'SELECT 2' });
    expect((await failure('savedQueries.get', { name: 'fleet/daily voltage' })).code).toBe('NOT_FOUND');
    expect((await failure('savedQueries.rename', { from: 'sites/archive/voltage', to: 'adhoc' })).code).toBe('CONFLICT');

    expect(await value('savedQueries.delete', { name: 'adhoc' })).toEqual({ deleted: true });
    const gone = await failure('savedQueries.delete', { name: 'adhoc' });
    expect(gone.code).toBe('NOT_FOUND');
    expect(gone.message).toContain('"adhoc"');
    expect((await value<{ queries: SavedQuery[] }>('savedQueries.list', {})).queries.map((q) => q.name)).toEqual(['sites/archive/voltage']);
  });

  it('refuses an empty, too long, badly foldered or duplicate name, and keeps what was there', async () => {
    await value('savedQueries.save', { name: 'keep me', sql: 'SELECT 1' });
    const empty = await failure('savedQueries.save', { name: '   ', sql: 'SELECT 1' });
    expect(empty.code).toBe('INVALID_REQUEST');
    expect(empty.message).toContain('name is empty');
    const long = await failure('savedQueries.save', { name: 'x'.repeat(201), sql: 'SELECT 1' });
    expect(long.message).toContain('at most 200');
    const folder = await failure('savedQueries.save', { name: 'fleet//x', sql: 'SELECT 1' });
    expect(folder.message).toContain('empty folder part');
    const dup = await failure('savedQueries.save', { name: 'keep me', sql: 'SELECT 2' });
    expect(dup.code).toBe('CONFLICT');
    expect(dup.message).toContain('"keep me" already exists');
    expect((await value<SavedQuery>('savedQueries.get', { name: 'keep me' })).sql).toBe('SELECT 1');
  });

  it('keeps saved queries across a reopen of the workspace', async () => {
    await wb.close();
    wb = await openWorkbench({ workspaceDir: dir, entry: 'test', appVersion: '9.9.9-test' });
    expect((await value<SavedQuery>('savedQueries.get', { name: 'keep me' })).sql).toBe('SELECT 1');
  });
});
