import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PanelCell, PanelData } from '../../../shared/api/dashboard';
import type { DemoJobReport } from '../../../shared/api/data';
import type { Result } from '../../../shared/api/errors';
import { reportOf } from '../../../shared/api/jobs';
import type { SohEol, SohJarRow, SohResult } from '../../../shared/api/soh';
import { buildDemoFleet } from '../../../shared/domain/demo-fleet';
import { planDemoJars, type JarPlan } from '../../../shared/domain/demo-plan';
import { DEMO_SCALES } from '../../../shared/domain/demo-scale';
import { dispatcher } from '../testing/dispatch.fixture';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';

let demo: DemoWorkbench;
let report: DemoJobReport;
let plans: JarPlan[];
let range: { from: string; to: string };
const { ok, call } = dispatcher(() => demo.wb);

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-soh-panels-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  await demo.wb.rollups.refreshNow().done;
  const start = new Date(report.window.start);
  const window = { start, split: new Date(report.window.split), end: new Date(report.window.end) };
  plans = planDemoJars(buildDemoFleet(DEMO_SCALES.small, report.seed, start), window, report.seed);
  // The whole demo, as a dashboard range ending a day after its last reading.
  range = { from: report.window.start, to: new Date(Date.parse(report.window.end) + 86_400_000).toISOString() };
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

const records = (d: PanelData): Record<string, PanelCell>[] => d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c, r[i]])));

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** A panel row's verdict against the analysis row of the same jar. */
function expectAgrees(r: Record<string, PanelCell>, a: SohJarRow): void {
  const label = `jar ${a.battery_id}`;
  expect(r.knee_day, label).toBe(ms(a.knee_date));
  expect({ status: r.rul_status, days: r.rul_days, low: r.rul_low_days, high: r.rul_high_days, horizon: r.horizon_days }, label).toEqual({
    status: a.rul.status,
    days: a.rul.days,
    low: a.rul.lowDays,
    high: a.rul.highDays,
    horizon: a.rul.horizonDays,
  });
  expect(r.table_rul_days, label).toBe(a.rul_table?.days ?? null);
  expect(r.table_source, label).toBe(a.rul_table?.source ?? null);
  if (a.soh_pct === null) expect(r.soh_pct, label).toBeNull();
  else expect(Math.abs(Number(r.soh_pct) - a.soh_pct), label).toBeLessThanOrEqual(0.05 + 1e-9);
  expect(r.soh_source, label).toBe(a.soh_source);
}

describe('state-of-health panels on the small demo', () => {
  it("a degraded jar's page: its daily SoH trend, knee and RUL agree with soh.jars, from the analysis's own SQL", async () => {
    const jar = plans.find((p) => p.profile === 'degraded')!.battery_id;
    const analysis = await ok<SohResult>('soh.jars', { batteryId: jar, ...range });
    const a = analysis.rows[0];
    expect(a.knee_date).not.toBeNull();
    const data = await ok<PanelData>('dashboard.panel', { panel: 'battery.soh', scope: { kind: 'battery', id: jar }, ...range });
    const rows = records(data);
    // One row per day of the fit, in order, each the resistance SoH of that day's drift.
    expect(rows.length).toBe(a.points);
    expect(rows[0].day).toBe(ms(a.first_day));
    expect(rows.at(-1)!.day).toBe(ms(a.last_day));
    for (let i = 1; i < rows.length; i++) expect(Number(rows[i].day)).toBeGreaterThan(Number(rows[i - 1].day));
    for (const r of rows) expect(Number(r.soh_resistance_day_pct)).toBeCloseTo(100 - 0.4 * Number(r.drift_pct), 9);
    expect(Number(rows.at(-1)!.soh_resistance_day_pct)).toBeCloseTo(a.soh_resistance_pct!, 1);
    expect(rows.some((r) => r.day === ms(a.knee_date))).toBe(true);
    for (const r of rows) expectAgrees(r, a);
    // "Open as SQL" is the analysis itself, and the export is the same query.
    expect(data.sql).toContain(analysis.sql.replace(/\nSELECT \* FROM soh_jar ORDER BY battery_id$/, '').replace(/^WITH /, ''));
    expect(data.sql).toContain('soh_verdict AS (');
    expect(data.exportSql).toBe(data.sql);
    expect(data.source).toBe(analysis.source);
  });

  it('a jar with no readings in the range still answers its status and the table figure', async () => {
    const jar = plans.find((p) => p.profile === 'steady')!.battery_id;
    const future = { from: '2099-01-01T00:00:00Z', to: '2099-02-01T00:00:00Z' };
    const rows = records(await ok<PanelData>('dashboard.panel', { panel: 'battery.soh', scope: { kind: 'battery', id: jar }, ...future }));
    expect(rows.length).toBe(1);
    expect(rows[0]).toMatchObject({ day: null, rul_status: 'no_data', knee_day: null, rul_days: null });
  });

  it("the fleet's weakest jars: ranked by SoH, top 20 shown and every jar in the export, each agreeing with soh.jars", async () => {
    const analysis = await ok<SohResult>('soh.jars', range);
    const byId = new Map(analysis.rows.map((r) => [r.battery_id, r]));
    const data = await ok<PanelData>('dashboard.panel', { panel: 'fleet.weakest', scope: { kind: 'fleet' }, ...range });
    const rows = records(data);
    expect(rows.length).toBe(20);
    for (const r of rows) {
      expect(typeof r.jar === 'string' && r.jar.includes(' · J'), `jar name ${String(r.jar)}`).toBe(true);
      expectAgrees(r, byId.get(Number(r.battery_id))!);
    }
    const soh = rows.map((r) => Number(r.soh_pct));
    expect([...soh].sort((x, y) => x - y)).toEqual(soh);
    // The lowest SoH of the fleet leads, and the seeded replace jars are all among the weakest.
    expect(soh[0]).toBeCloseTo(Math.min(...analysis.rows.flatMap((r) => (r.soh_pct === null ? [] : [r.soh_pct]))), 1);
    const shown = new Set(rows.map((r) => Number(r.battery_id)));
    for (const p of plans.filter((p) => p.profile === 'replace')) expect(shown.has(p.battery_id), `replace jar ${p.battery_id}`).toBe(true);

    // The export: every jar, in the same order.
    expect(data.exportSql).not.toMatch(/LIMIT/);
    const all = await demo.duck.runAndReadAll(data.exportSql);
    expect(all.getRows().length).toBe(analysis.rows.length);
    expect(
      all
        .getRows()
        .slice(0, 20)
        .map((r) => Number(r[0])),
    ).toEqual(rows.map((r) => r.battery_id));
  });

  it("follows the workspace's end-of-life thresholds, and refuses bad ones with a clear error, keeping the stored ones", async () => {
    const jar = plans.find((p) => p.profile === 'degraded')!.battery_id;
    const panel = async (): Promise<Record<string, PanelCell>> =>
      records(await ok<PanelData>('dashboard.panel', { panel: 'battery.soh', scope: { kind: 'battery', id: jar }, ...range }))[0];
    const before = await panel();
    expect(before.eol_drift_pct).toBe(50);
    const stored = await ok<{ eol: SohEol; isDefault: boolean }>('soh.setEol', { eol: { eolSohPct: 90, eolDriftPct: 50 } });
    expect(stored).toEqual({ eol: { eolSohPct: 90, eolDriftPct: 50 }, isDefault: false });
    const after = await panel();
    expect(after).toMatchObject({ eol_drift_pct: 25, rul_threshold: 'soh' });
    // soh.jars without settings reads the same stored thresholds.
    const a = (await ok<SohResult>('soh.jars', { batteryId: jar, ...range })).rows[0];
    expect(a.rul.thresholdDriftPct).toBe(25);
    expectAgrees(after, a);

    const bad = (await call('soh.setEol', { eol: { eolSohPct: 120, eolDriftPct: 50 } })) as Result<unknown>;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('eolSohPct') });
    expect((await ok<{ eol: SohEol }>('soh.eol', {})).eol).toEqual({ eolSohPct: 90, eolDriftPct: 50 });
    await ok('soh.setEol', { eol: null });
    expect((await panel()).eol_drift_pct).toBe(50);
  });
});
