import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChartData, ChartRequest } from '../shared/api/chart';
import { openWorkbench } from '../electron/core/workbench';
import { median, p95, time } from './panel-timing';

const ROWS = 5_000_000;
const WIDTH = 1200;
const RUNS = 20;
const ctx = { transport: 'test' as const };

/**
 * A chart of a 5M-row time-series result vs the grid's first window, in the same process: the time from asking
 * query.chart (M4 at 1,200 px) to having its points, and query.window's first 200 rows of the same kept result
 * (the grid's first page). p95 of 20 runs each after a warm-up; also a zoom to a tenth of the range.
 */
export async function benchChart(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-bench-chart-'));
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'cli', appVersion: 'bench' });
  try {
    const kept = await wb.core.query.run(
      {
        sql: `SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, sin(i / 1000.0) AS v, cos(i / 7000.0) AS w FROM range(${ROWS}) t(i)`,
        target: 'workspace',
        runId: 'bench-chart',
      },
      ctx,
    );
    const settings = { type: 'line' as const, x: 'ts', y: ['v'], series: null, aggregate: 'sum' as const, bins: 50, splitAxes: true };
    let last: ChartData | null = null;
    const chart = async (req: Omit<ChartRequest, 'resultId' | 'width'>) => {
      last = await wb.core.query.chart({ resultId: kept.resultId, width: WIDTH, ...req }, ctx);
    };
    const timed = async (fn: () => Promise<unknown>): Promise<number[]> => {
      await fn();
      const out: number[] = [];
      for (let i = 0; i < RUNS; i++) out.push(await time(fn));
      return out;
    };
    const windowMs = await timed(() => wb.core.query.window({ resultId: kept.resultId, offset: 0, limit: 200, sort: [] }, ctx));
    const chartMs = await timed(() => chart({ settings }));
    const full = last as ChartData | null;
    if (!full || full.rows !== ROWS || full.points > 4 * WIDTH) throw new Error('the chart read the wrong rows');
    const from = Date.UTC(2024, 0, 1);
    const zoomMs = await timed(() => chart({ settings, range: { from, to: from + (ROWS / 10) * 1000 } }));
    const twoSeriesMs = await timed(() => chart({ settings: { ...settings, y: ['v', 'w'] } }));
    const chartP95 = p95(chartMs);
    const windowP95 = p95(windowMs);
    return {
      name: 'chart',
      rows: ROWS,
      widthPx: WIDTH,
      points: full.points,
      chartP95Ms: chartP95,
      chartMedianMs: Math.round(median(chartMs) * 10) / 10,
      windowP95Ms: windowP95,
      windowMedianMs: Math.round(median(windowMs) * 10) / 10,
      ratioChartOverWindow: Math.round((chartP95 / Math.max(0.1, windowP95)) * 10) / 10,
      zoomTenthP95Ms: p95(zoomMs),
      twoSeriesP95Ms: p95(twoSeriesMs),
      target: 'chart p95 <= 300 ms at 1,200 px',
      meetsTarget: chartP95 <= 300,
    };
  } finally {
    await wb.close();
    await rm(dir, { recursive: true, force: true });
  }
}
