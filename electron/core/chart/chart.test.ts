import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartData, ChartSettings } from '../../../shared/api/chart';
import type { ExportedFile } from '../../../shared/api/export';
import type { JobSummary } from '../../../shared/api/jobs';
import type { QueryRunResult } from '../../../shared/api/query';
import { dispatcher } from '../testing/dispatch.fixture';
import { openWorkbench, type Workbench } from '../workbench';

let dir: string;
let wb: Workbench;
let seq = 0;

const { call, ok } = dispatcher(() => wb);

const run = (sql: string) => ok<QueryRunResult>('query.run', { sql, runId: `c${++seq}` });

function settings(s: Partial<ChartSettings> & Pick<ChartSettings, 'type' | 'x'>): ChartSettings {
  return { y: [], series: null, aggregate: 'sum', bins: 50, splitAxes: true, ...s };
}

async function exportChart(request: Record<string, unknown>): Promise<ExportedFile> {
  const { jobId } = await ok<{ jobId: string }>('export.chart', request);
  const summary = (await wb.jobs.wait(jobId)) as JobSummary;
  expect(summary.error).toBeNull();
  return summary.report as ExportedFile;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-chart-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test', appVersion: '9.9.9-test' });
});

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('query.chart', () => {
  it('draws 5M time-series rows with at most 4 points per pixel column and series (M4), extremes kept', async () => {
    const r = await run(`SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, sin(i / 1000.0) AS v,
        CASE WHEN i = 3333333 THEN 50 ELSE cos(i / 5000.0) END AS w, i % 3 AS k FROM range(5000000) t(i)`);
    expect(r.rowCount).toBe(5_000_000);
    const width = 300;
    const data = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'line', x: 'ts', y: ['v', 'w'] }),
      width,
    });
    expect(data.xKind).toBe('time');
    expect(data.rows).toBe(5_000_000);
    expect(data.series.map((s) => s.name)).toEqual(['v', 'w']);
    // Each series names the column it plots (the renderer's axes follow it).
    expect(data.yColumns).toEqual(['v', 'w']);
    expect(data.series.map((s) => s.y)).toEqual([0, 1]);
    for (const s of data.series) {
      expect(s.points.length).toBeGreaterThan(width);
      expect(s.points.length).toBeLessThanOrEqual(4 * width);
    }
    expect(data.points).toBeLessThanOrEqual(2 * 4 * width);
    // The one spike survives downsampling at its own time.
    const spike = data.series[1].points.find((p) => p[1] === 50);
    expect(spike?.[0]).toBe(Date.UTC(2024, 0, 1) + 3_333_333_000);
    expect(data.extent).toEqual({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 1) + 4_999_999_000 });

    // Split by a column: one series per value, each bounded the same way.
    const split = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'line', x: 'ts', y: ['v'], series: 'k' }),
      width,
    });
    expect(split.series.map((s) => s.name)).toEqual(['0', '1', '2']);
    expect(split.series.map((s) => s.y)).toEqual([0, 0, 0]);
    for (const s of split.series) expect(s.points.length).toBeLessThanOrEqual(4 * width);
  });

  it('re-queries a zoomed range at full resolution, and exports exactly the rows in it', async () => {
    const r = await run('SELECT i AS x, i * 2.0 AS y FROM range(100000) t(i)');
    const s = settings({ type: 'line', x: 'x', y: ['y'] });
    const zoomed = await ok<ChartData>('query.chart', { resultId: r.resultId, settings: s, width: 2000, range: { from: 1000, to: 1999 } });
    expect(zoomed.rows).toBe(1000);
    // 1,000 rows over 2,000 pixel columns: every row is a point.
    expect(zoomed.points).toBe(1000);
    for (const [x] of zoomed.series[0].points) expect(x >= 1000 && x <= 1999).toBe(true);
    const scatter = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: { ...s, type: 'scatter' },
      width: 100,
      range: { from: 50_000, to: 60_000 },
    });
    expect(scatter.rows).toBe(10_001);
    expect(scatter.points).toBeLessThanOrEqual(400);
    for (const [x] of scatter.series[0].points) expect(x >= 50_000 && x <= 60_000).toBe(true);

    const hist = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: { ...s, type: 'histogram', bins: 10 },
      width: 100,
      range: { from: 1000, to: 1999 },
    });
    expect(hist.series[0].points.map((p) => p[1])).toEqual(Array(10).fill(100));

    const file = await exportChart({ resultId: r.resultId, settings: s, range: { from: 1000, to: 1999 }, format: 'csv' });
    expect(file.rows).toBe(1000);
    const lines = (await readFile(file.path, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('x,y');
    expect(lines).toHaveLength(1001);
    expect(lines[1]).toBe('1000,2000.0');
    expect(lines[1000]).toBe('1999,3998.0');
    const all = await exportChart({ resultId: r.resultId, settings: s, format: 'parquet' });
    expect(all.rows).toBe(100_000);
  });

  it('zooms into a range of any time type exactly, to the millisecond', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const r = await run(`SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, to_timestamp(1704067200 + i) AS tz,
        CAST(TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS TIMESTAMP_S) AS tss, CAST(TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS TIMESTAMP_NS) AS tns,
        CAST(DATE '2024-01-01' + CAST(i // 86400 AS INTEGER) AS DATE) AS d, i AS v FROM range(1000000) t(i)`);
    const rowsIn = async (x: string, from: number, to: number) =>
      (
        await ok<ChartData>('query.chart', {
          resultId: r.resultId,
          settings: settings({ type: 'line', x, y: ['v'] }),
          width: 500,
          range: { from, to },
        })
      ).rows;
    // Seconds 101..200: the range starts and ends half a second past a row.
    for (const x of ['ts', 'tz', 'tss', 'tns']) expect(await rowsIn(x, t0 + 100_500, t0 + 200_500), x).toBe(100);
    expect(await rowsIn('ts', t0 + 101_000, t0 + 200_000)).toBe(100);
    // Days 2 and 3 (from midnight on): 2 x 86,400 rows.
    expect(await rowsIn('d', t0 + 1.5 * 86_400_000, t0 + 3.5 * 86_400_000)).toBe(2 * 86_400);
  });

  it('counts every row in exactly one histogram bin', async () => {
    const r = await run('SELECT CASE WHEN i % 101 = 100 THEN NULL ELSE i % 1000 END AS v FROM range(100000) t(i)');
    const data = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'histogram', x: 'v', bins: 10 }),
      width: 800,
    });
    const points = data.series[0].points;
    expect(points).toHaveLength(10);
    expect(points.reduce((n, p) => n + p[1], 0)).toBe(data.rows);
    // Bin i holds the values [99.9 i, 99.9 (i+1)): 100 distinct values each; the last bin takes 999.
    const expected = await ok<ChartData>('query.chart', {
      resultId: (await run('SELECT i % 1000 AS v FROM range(100000) t(i)')).resultId,
      settings: settings({ type: 'histogram', x: 'v', bins: 10 }),
      width: 800,
    });
    expect(expected.series[0].points.map((p) => p[1])).toEqual(Array(10).fill(10_000));
    expect(expected.series[0].points.map((p) => Math.round(p[0] * 10) / 10)).toEqual([
      0, 99.9, 199.8, 299.7, 399.6, 499.5, 599.4, 699.3, 799.2, 899.1,
    ]);
    // NULLs are not counted: 100,000 minus the 990 rows with i % 101 = 100.
    expect(data.rows).toBe(100_000 - 990);
  });

  it('bins a heatmap and aggregates bars over a bounded number of categories', async () => {
    const r = await run(`SELECT i % 10 AS a, (i * 7) % 10 AS b, 'cat-' || (i % 80) AS c, 1.5 AS one FROM range(8000) t(i)`);
    const heat = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'heatmap', x: 'a', y: ['b'], bins: 5 }),
      width: 600,
    });
    const cells = heat.series[0].points;
    expect(cells.length).toBeLessThanOrEqual(25);
    expect(cells.reduce((n, p) => n + p[2], 0)).toBe(8000);
    const bar = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'bar', x: 'c', y: ['one'] }),
      width: 600,
    });
    expect(bar.categories).toHaveLength(50);
    expect(bar.note).toMatch(/50 categories/);
    // 8,000 rows over 80 categories: 100 rows of 1.5 each.
    expect(bar.series[0].points.every((p) => p[1] === 150)).toBe(true);
    expect(bar.rows).toBe(8000);
  });

  it('puts the smallest and largest values in the first and last bins (bounds are exact doubles)', async () => {
    const r = await run('SELECT i AS x, sin(i / 100.0) AS v FROM range(100000) t(i)');
    const heat = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'heatmap', x: 'x', y: ['v'], bins: 50 }),
      width: 600,
    });
    const cells = heat.series[0].points;
    expect(cells.length).toBeLessThanOrEqual(2500);
    expect(cells.reduce((n, p) => n + p[2], 0)).toBe(100_000);
    const ys = cells.map((p) => p[1]);
    const lo = Math.min(...ys);
    const yStarts = new Set(ys);
    expect(yStarts.size).toBe(50);
    // The smallest value starts the first bin of its histogram and of the heatmap's y axis.
    const v = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'histogram', x: 'v', bins: 7 }),
      width: 600,
    });
    expect(v.series[0].points.reduce((n, p) => n + p[1], 0)).toBe(100_000);
    expect(v.series[0].points).toHaveLength(7);
    expect(Math.min(...v.series[0].points.map((p) => p[0]))).toBe(v.extent?.from);
    expect(lo).toBe(v.extent?.from);
    // M4 over that axis: the smallest value's row in the first pixel column, never one before it.
    const m4 = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'scatter', x: 'v', y: ['x'] }),
      width: 50,
    });
    expect(m4.points).toBeLessThanOrEqual(4 * 50);
    // A range from the smallest value: its data export holds exactly the rows the chart counted, that value's row too.
    const range = { from: v.extent?.from ?? 0, to: 0 };
    const zoomed = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'histogram', x: 'v', bins: 7 }),
      width: 600,
      range,
    });
    const file = await exportChart({ resultId: r.resultId, settings: settings({ type: 'histogram', x: 'v' }), range, format: 'csv' });
    expect(file.rows).toBe(zoomed.rows);
    expect(zoomed.series[0].points.reduce((n, p) => n + p[1], 0)).toBe(zoomed.rows);
  });

  it('treats a hostile column name as a column, never as SQL', async () => {
    await run('CREATE TABLE victim AS SELECT 1 AS keep');
    const hostile = 'a"; DROP TABLE victim; --';
    const quoted = `"a""; DROP TABLE victim; --"`;
    const r = await run(`SELECT i AS ${quoted}, i % 7 AS "v'); DROP TABLE victim; --" FROM range(1000) t(i)`);
    const s = settings({ type: 'scatter', x: hostile, y: ["v'); DROP TABLE victim; --"], series: hostile });
    const data = await ok<ChartData>('query.chart', { resultId: r.resultId, settings: s, width: 100, range: { from: 0, to: 9 } });
    expect(data.rows).toBe(10);
    const hist = await ok<ChartData>('query.chart', { resultId: r.resultId, settings: { ...s, type: 'histogram' }, width: 100 });
    expect(hist.rows).toBe(1000);
    const file = await exportChart({ resultId: r.resultId, settings: s, format: 'csv' });
    const header = (await readFile(file.path, 'utf8')).split('\n')[0];
    expect(header).toBe(`"a""; DROP TABLE victim; --",v'); DROP TABLE victim; --`);
    expect((await run('SELECT keep FROM victim')).rowCount).toBe(1);
  });

  it('refuses what it cannot draw with a clear error, and keeps the result', async () => {
    const r = await run(`SELECT 'x' || i AS name, i AS n FROM range(10) t(i)`);
    const missing = await call('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'line', x: 'nope', y: ['n'] }),
      width: 300,
    });
    expect(missing.ok ? null : missing.error).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/"nope" is not in the result/),
    });
    const text = await call('query.chart', { resultId: r.resultId, settings: settings({ type: 'line', x: 'name', y: ['n'] }), width: 300 });
    expect(text.ok ? null : text.error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/"name" is text/) });
    const badRange = await call('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'line', x: 'n', y: ['n'] }),
      width: 300,
      range: { from: 5, to: 1 },
    });
    expect(badRange.ok ? null : badRange.error.code).toBe('INVALID_REQUEST');
    const gone = await call('query.chart', { resultId: 'r999_dead', settings: settings({ type: 'histogram', x: 'n' }), width: 300 });
    expect(gone.ok ? null : gone.error.code).toBe('NOT_FOUND');
    // The result is still there, whole.
    const data = await ok<ChartData>('query.chart', {
      resultId: r.resultId,
      settings: settings({ type: 'bar', x: 'name', aggregate: 'count' }),
      width: 300,
    });
    expect(data.rows).toBe(10);
  });
});
