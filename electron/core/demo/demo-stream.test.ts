import type { DuckDBConnection } from '@duckdb/node-api';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf, type JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport } from '../../../shared/api/storage';
import { queryRows } from '../engine/duck-query';
import { hotStoreIsEmpty } from '../hot/hot-schema';
import { FAMILIES, SIBLING_HOURLY, STATE, rollupTable } from '../rollups/gold-schema';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import { HOLD_AT_ENV, HOLD_FILE_ENV } from '../system/hold-point';
import type { Workbench } from '../workbench';
import { DEMO_MARKER_KEY } from './seed-demo';
import { workspaceIsEmpty } from './demo-job';

/**
 * The demo streams its cold history a UTC day at a time: each day published with its own manifest and its rollups
 * built from the day's rows as it lands, so the refresh at the end adds only the hot days, and Ctrl+C between
 * days leaves whole, recorded days behind.
 */
const END = new Date('2024-06-15T12:00:00Z');
const DAYS_HOT = 3;
const DAYS_COLD = 5;

const cleanup: DemoWorkbench[] = [];
afterAll(async () => {
  for (const d of cleanup) await d.close();
});

/**
 * A digest of every gold table: a hash sum per column, and the sum of each mean. What ties decide is left out: the
 * times of a bucket's min and max (two readings may tie for the min), and a site's first and last value (every jar
 * of a site reads at the same instant).
 */
async function goldSnapshot(conn: DuckDBConnection): Promise<{ exact: Record<string, unknown>; means: Record<string, number> }> {
  const exact: Record<string, unknown> = {};
  const means: Record<string, number> = {};
  const tables = Object.values(FAMILIES).flatMap((family) =>
    (['hourly', 'daily'] as const).map((grain) => ({
      table: rollupTable(family, grain),
      tied: family.name === 'site' ? '.*_(min_ts|max_ts|first|last)' : '.*_(min|max)_ts',
      summed: `c LIKE '%_mean'`,
    })),
  );
  // The sibling statistics: their counts exact, their means and sums of squares summed in some order.
  tables.push({ table: SIBLING_HOURLY, tied: '', summed: `c LIKE 'mean_%' OR c LIKE 'q_%'` });
  for (const { table, tied, summed } of tables) {
    const [row] = await queryRows(
      conn,
      `SELECT count(*) AS n, sum(hash(COLUMNS(c -> NOT (${summed}) AND NOT regexp_full_match(c, '${tied}'))))::VARCHAR, ` +
        `sum(COLUMNS(c -> ${summed})) FROM ${table}`,
    );
    for (const [k, v] of Object.entries(row)) {
      if (/(_mean|^mean_|^q_)/.test(k)) means[`${table}.${k}`] = Number(v);
      else exact[`${table}.${k}`] = String(v);
    }
  }
  return { exact, means };
}

/** The same rollups: exact where the aggregate is exact; means summed in another order may differ in the last bits. */
function expectSameGold(a: Awaited<ReturnType<typeof goldSnapshot>>, b: Awaited<ReturnType<typeof goldSnapshot>>): void {
  expect(a.exact).toEqual(b.exact);
  expect(Object.keys(a.means)).toEqual(Object.keys(b.means));
  for (const [k, v] of Object.entries(a.means)) expect(Math.abs(v - b.means[k]), k).toBeLessThanOrEqual(1e-9 * Math.abs(v));
}

async function landedDays(conn: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows(
    conn,
    `SELECT DISTINCT strftime(bucket AT TIME ZONE 'UTC', '%Y-%m-%d') AS d FROM ${rollupTable(FAMILIES.jar, 'daily')} ORDER BY 1`,
  );
  return rows.map((r) => String(r.d));
}

async function checkHere(wb: Workbench): Promise<LakeCheckReport> {
  const started = await wb.dispatch('storage.checkLake', {}, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  const { jobId } = started.value as { jobId: string };
  const summary = await wb.jobs.wait(jobId);
  expect(summary.state, JSON.stringify(summary.error)).toBe('done');
  return reportOf(summary) as unknown as LakeCheckReport;
}

describe('the demo, day by day', () => {
  let demo: DemoWorkbench;
  let report: DemoJobReport;

  beforeAll(async () => {
    demo = await openDemoWorkbench('bw-demo-stream-', { scale: 'small', daysHot: DAYS_HOT, daysCold: DAYS_COLD, end: END });
    cleanup.push(demo);
    expect(demo.summary.state).toBe('done');
    report = reportOf(demo.summary) as DemoJobReport;
  }, 300_000);

  it('keeps its promise of rows, and publishes each cold day with a manifest of its own', async () => {
    expect(report.rows.telemetry).toEqual(report.promised.telemetry);
    expect(report.rows.string_telemetry).toEqual(report.promised.string_telemetry);
    const manifests = (await demo.wb.data.lake.manifests()).map((m) => m.manifest).filter((m) => m.dataset === 'telemetry');
    expect(manifests).toHaveLength(DAYS_COLD);
    for (const m of manifests) expect(m.files).toHaveLength(1);
    expect(manifests.reduce((a, m) => a + m.rows, 0)).toBe(report.promised.telemetry.cold);
    expect(await demo.wb.data.lake.exists(DEMO_MARKER_KEY)).toBe(false);
  });

  it('builds the rollups as the days land: the refresh at the end recomputed only the hot window, and equals a full rebuild', async () => {
    await demo.wb.rollups.whenIdle();
    const runs = await queryRows(demo.duck, `SELECT hours, full_rebuild FROM ${STATE.runs} WHERE error IS NULL ORDER BY finished_at`);
    expect(runs.length).toBeGreaterThan(0);
    // Hot window: DAYS_HOT days and 12 hours, per source dataset; the cold days were never refreshed.
    const hotHours = DAYS_HOT * 24 + 12;
    for (const r of runs) {
      expect(r.full_rebuild).toBe(false);
      expect(Number(r.hours)).toBeLessThanOrEqual(2 * hotHours);
    }
    const days = await landedDays(demo.duck);
    expect(days).toHaveLength(DAYS_COLD + DAYS_HOT + 1);
    expect(days[0]).toBe(report.window.start.slice(0, 10));

    const fed = await goldSnapshot(demo.duck);
    await demo.wb.rollups.refreshNow(true).done;
    expect(demo.wb.rollups.error).toBeNull();
    expectSameGold(await goldSnapshot(demo.duck), fed);
  }, 300_000);
});

describe('Ctrl+C while the demo streams', () => {
  it('leaves a lake that checks clean, a hot store that reads as empty, and rollups of every landed day', async () => {
    // The first demo on this workspace builds it; the second is cancelled once its third cold day has landed.
    const demo = await openDemoWorkbench('bw-demo-stream-cancel-', { scale: 'small', daysHot: DAYS_HOT, daysCold: DAYS_COLD, end: END });
    cleanup.push(demo);
    expect(demo.summary.state).toBe('done');
    const { wb } = demo;
    const hold = join(demo.dir, 'hold');
    await writeFile(hold, '');
    process.env[HOLD_AT_ENV] = 'demo:cold-day-3';
    process.env[HOLD_FILE_ENV] = hold;
    let summary: JobSummary;
    try {
      const started = wb.demo.start({ scale: 'small', daysHot: DAYS_HOT, daysCold: DAYS_COLD, end: END, seed: 7 });
      // Held once the third cold day has landed: the panels read "building" meanwhile.
      while (!(wb.rollups.progress()?.message ?? '').startsWith(`3 of ${DAYS_COLD}`)) await new Promise((r) => setTimeout(r, 50));
      expect(wb.rollups.progress()?.fraction).toBeCloseTo(3 / DAYS_COLD);
      expect(wb.jobs.cancel(started.jobId)).toBe(true);
      summary = await started.done;
    } finally {
      delete process.env[HOLD_AT_ENV];
      delete process.env[HOLD_FILE_ENV];
      await rm(hold, { force: true });
    }
    expect(summary.state).toBe('cancelled');

    const hot = await wb.data.hotStore();
    expect(await hot.withClient((c) => hotStoreIsEmpty(c))).toBe(true);
    expect(await workspaceIsEmpty(wb.data.lake, hot)).toBe(true);

    const check = await checkHere(wb);
    expect(check.problems).toEqual([]);
    const manifests = (await wb.data.lake.manifests()).map((m) => m.manifest).filter((m) => m.dataset === 'telemetry');
    const landed = manifests.map((m) => String(m.files[0]?.minTime).slice(0, 10)).sort();
    expect(landed).toHaveLength(3);

    // The views show the landed days (and the mirror as it was), and the rollups cover every landed day: the refresh
    // after the cancel recomputed what the feed had forgotten, and equals a full rebuild.
    await wb.rollups.whenIdle();
    expect(wb.rollups.error).toBeNull();
    const split = (reportOf(demo.summary) as DemoJobReport).window.split.slice(0, 10);
    expect((await landedDays(demo.duck)).filter((d) => d < split)).toEqual(landed);
    const refreshed = await goldSnapshot(demo.duck);
    await wb.rollups.refreshNow(true).done;
    expectSameGold(await goldSnapshot(demo.duck), refreshed);
  }, 600_000);
});
