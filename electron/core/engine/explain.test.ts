import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplainResult, PlanNode } from '../../../shared/api/explain';
import type { Result } from '../../../shared/api/errors';
import { FIXTURE, fixtureSplitMs, openFixtureWorkbench, type FixtureWorkbench } from '../rollups/fleet-fixture';

let fx: FixtureWorkbench;
let seq = 0;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-explain-');
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const explain = async (sql: string, analyze: boolean): Promise<Result<ExplainResult>> =>
  (await fx.wb.dispatch('query.explain', { sql, analyze, runId: `e${++seq}` }, { transport: 'test' })) as Result<ExplainResult>;

async function plan(sql: string, analyze: boolean): Promise<ExplainResult> {
  const r = await explain(sql, analyze);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function operators(node: PlanNode): PlanNode[] {
  return [node, ...node.children.flatMap(operators)];
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('query.explain', () => {
  it('a unified-view query: a tree with estimates, actual rows and times, the lake files and bytes it reads, and the hot mirror rows', async () => {
    const oneColdDay = FIXTURE.startMs + 86_400_000;
    const sql = `SELECT battery_id, count(*) AS n FROM telemetry WHERE ts >= TIMESTAMPTZ '${day(oneColdDay)}' AND ts < TIMESTAMPTZ '${day(fixtureSplitMs() + 86_400_000)}' GROUP BY ALL`;
    const r = await plan(sql, true);
    expect(r.analyzed).toBe(true);
    expect(r.totalMs).toBeGreaterThan(0);
    const ops = operators(r.root);
    expect(ops.some((o) => o.operator.includes('GROUP_BY'))).toBe(true);
    expect(ops.every((o) => o.actualRows !== null && o.timeMs !== null)).toBe(true);
    // The rows the plan's top produces are the query's rows.
    const rows = await fx.conn.runAndReadAll(sql);
    expect(r.root.actualRows).toBe(rows.currentRowCount);
    // Cold: the lake's March files of telemetry, with their bytes from the catalog.
    const cold = r.parquet.filter((p) => p.dataset === 'telemetry');
    expect(cold.length).toBeGreaterThan(0);
    expect(cold[0].months).toEqual(['2024-03']);
    expect(cold[0].bytesExact).toBe(true);
    const onDisk = await Promise.all(cold[0].names.map((n) => stat(n)));
    expect(cold[0].names).toHaveLength(cold[0].files);
    expect(cold[0].bytes).toBe(onDisk.reduce((n, s) => n + s.size, 0));
    // Hot: the mirror's telemetry table, with the rows it scanned.
    const hot = r.tables.filter((t) => t.hot && t.table.endsWith('telemetry'));
    expect(hot).toHaveLength(1);
    expect(hot[0].rows).toBeGreaterThan(0);
    expect(hot[0].tableRows).toBeGreaterThan(0);
  });

  it('without ANALYZE nothing runs: estimates only', async () => {
    const r = await plan('SELECT count(*) FROM telemetry', false);
    expect(r.analyzed).toBe(false);
    expect(r.totalMs).toBeNull();
    expect(operators(r.root).every((o) => o.actualRows === null && o.timeMs === null)).toBe(true);
    expect(operators(r.root).some((o) => o.estimatedRows !== null)).toBe(true);
  });

  it('a query that reads only hot days scans no lake file', async () => {
    const r = await plan(`SELECT count(*) FROM telemetry WHERE ts >= TIMESTAMPTZ '${new Date(fixtureSplitMs()).toISOString()}'`, true);
    expect(r.parquet.reduce((n, p) => n + p.files, 0)).toBe(0);
    expect(r.tables.some((t) => t.hot)).toBe(true);
  });

  it('refuses two statements, an EXPLAIN and bad SQL with a clear error', async () => {
    const two = await explain('SELECT 1; SELECT 2', false);
    expect(two.ok ? '' : two.error.message).toMatch(/one statement/);
    const again = await explain('EXPLAIN SELECT 1', false);
    expect(again.ok ? '' : again.error.message).toMatch(/already an EXPLAIN/);
    const bad = await explain('SELECT * FROM no_such_table', true);
    expect(bad.ok ? '' : `${bad.error.code}: ${bad.error.message}`).toMatch(/^SQL_ERROR: .*no_such_table/);
  });
});
