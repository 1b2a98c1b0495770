import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PivotSpec } from '../../../shared/api/pivot';
import type { QueryRunResult, QueryWindowResult } from '../../../shared/api/query';
import { dispatcher } from '../testing/dispatch.fixture';
import { openWorkbench, type Workbench } from '../workbench';

let dir: string;
let wb: Workbench;
let seq = 0;

const { call, ok } = dispatcher(() => wb);

const run = (sql: string) => ok<QueryRunResult>('query.run', { sql, runId: `p${++seq}` });
const pivot = (resultId: string, spec: Partial<PivotSpec>) => call<QueryRunResult>('query.pivot', { resultId, runId: `p${++seq}`, spec });

/** A kept result's rows as plain objects, numbers as numbers. */
async function rows(result: QueryRunResult): Promise<Record<string, unknown>[]> {
  const w = await ok<QueryWindowResult>('query.window', { resultId: result.resultId, offset: 0, limit: 10_000, sort: [] });
  return tableFromIPC(w.arrow)
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) =>
      Object.fromEntries(Object.entries(r.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-pivot-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test', appVersion: '9.9.9-test' });
  await run(`CREATE TABLE readings AS SELECT 'S' || (i % 3) AS site, 'm' || (i % 4) AS month, (i % 7)::INTEGER AS v, i % 5 AS jar
             FROM range(1000) t(i)`);
});

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('query.pivot', () => {
  it('spreads a column into columns, each cell the aggregate of its rows, rows in order of the row columns', async () => {
    const base = await run('SELECT * FROM readings');
    const r = await pivot(base.resultId, { rows: ['site'], columns: ['month'], values: [{ column: 'v', aggregate: 'sum' }] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.columns.map((c) => c.name)).toEqual(['site', 'm0', 'm1', 'm2', 'm3']);
    const expected = await rows(
      await run(`SELECT site, sum(v) FILTER (month = 'm0') AS m0, sum(v) FILTER (month = 'm1') AS m1,
                   sum(v) FILTER (month = 'm2') AS m2, sum(v) FILTER (month = 'm3') AS m3
                 FROM readings GROUP BY site ORDER BY site`),
    );
    expect(await rows(r.value)).toEqual(expected);
    expect(r.value.rowCount).toBe(3);
  });

  it('several values name their columns apart; without rows it is one row', async () => {
    const base = await run('SELECT * FROM readings');
    const r = await pivot(base.resultId, {
      columns: ['site'],
      values: [
        { column: 'v', aggregate: 'avg' },
        { column: 'jar', aggregate: 'count_distinct' },
      ],
    });
    if (!r.ok) throw new Error(r.error.message);
    const got = await rows(r.value);
    expect(got).toHaveLength(1);
    const expected = await rows(await run(`SELECT avg(v) AS a, count(DISTINCT jar) AS d FROM readings WHERE site = 'S1'`));
    expect(got[0]['S1_avg(v)']).toBeCloseTo(Number(expected[0].a), 12);
    expect(got[0]['S1_count_distinct(jar)']).toBe(expected[0].d);
  });

  it('a hostile column name is a column, never SQL', async () => {
    const base = await run(`SELECT site AS "x""; DROP TABLE readings; --", v AS "v'); DROP TABLE readings; --" FROM readings`);
    const r = await pivot(base.resultId, {
      columns: [`x"; DROP TABLE readings; --`],
      values: [{ column: `v'); DROP TABLE readings; --`, aggregate: 'max' }],
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.columns.map((c) => c.name)).toEqual(['S0', 'S1', 'S2']);
    expect((await rows(await run('SELECT count(*) AS n FROM readings')))[0].n).toBe(1000);
  });

  it('refuses by name: a missing column, a repeated column, and a pivot too wide, and the result stays readable', async () => {
    const base = await run('SELECT * FROM readings');
    const missing = await pivot(base.resultId, { columns: ['nope'], values: [{ column: 'v', aggregate: 'sum' }] });
    expect(missing.ok ? '' : `${missing.error.code}: ${missing.error.message}`).toBe(
      'BAD_INPUT: The result has no column "nope" to pivot on.',
    );
    const twice = await pivot(base.resultId, { rows: ['site'], columns: ['site'], values: [{ column: 'v', aggregate: 'sum' }] });
    expect(twice.ok ? '' : twice.error.message).toMatch(/uses "site" twice/);
    const wide = await run('SELECT i, i % 2 AS v FROM range(5000) t(i)');
    const tooWide = await pivot(wide.resultId, { columns: ['i'], values: [{ column: 'v', aggregate: 'sum' }] });
    expect(tooWide.ok ? '' : tooWide.error.message).toMatch(/would make 5,000 columns, more than the 1,000 it allows/);
    expect((await rows(base)).length).toBe(1000);
  });

  it('a pivot of a result that is gone says so', async () => {
    const r = await pivot('r-gone', { columns: ['site'], values: [{ column: 'v', aggregate: 'sum' }] });
    expect(r.ok ? '' : r.error.code).toBe('NOT_FOUND');
  });
});
