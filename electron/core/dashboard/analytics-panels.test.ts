import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomaliesResult } from '../../../shared/api/analytics';
import type { AnalyticsApi } from '../../../shared/api/contract';
import type { PanelCell, PanelData } from '../../../shared/api/dashboard';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf } from '../../../shared/api/jobs';
import type { DemoPhenomena } from '../../../shared/domain/demo-phenomena';
import type { JarPlan } from '../../../shared/domain/demo-plan';
import { queryRows } from '../engine/duck-query';
import { dispatcher } from '../testing/dispatch.fixture';
import { openDemoWorkbench, smallDemoPlans, type DemoWorkbench } from '../testing/demo-workbench.fixture';

/** The dashboards' event and anomaly panels on the small demo: they show what the generator seeded. */
let demo: DemoWorkbench;
let report: DemoJobReport;
let plans: JarPlan[];
let seeded: DemoPhenomena;
let range: { from: string; to: string };
const { ok, call } = dispatcher(() => demo.wb);

type Thresholds = Awaited<ReturnType<AnalyticsApi['anomalyThresholds']>>;

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-analytics-panels-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  await demo.wb.rollups.refreshNow().done;
  ({ jars: plans, seeded } = smallDemoPlans(report));
  range = { from: report.window.start, to: new Date(Date.parse(report.window.end) + 86_400_000).toISOString() };
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

const records = (d: PanelData): Record<string, PanelCell>[] => d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c, r[i]])));
const panel = (name: string, scope: { kind: string; id?: number }, r = range): Promise<PanelData> =>
  ok<PanelData>('dashboard.panel', { panel: name, scope, ...r });

/** A string of the site of the first seeded outage. */
async function outageString(): Promise<{ stringId: number; startMs: number; endMs: number; rateC: number }> {
  const o = seeded.outages[0];
  const rows = await queryRows(
    demo.duck,
    'SELECT min(s.string_id) AS id FROM battery_string s JOIN battery_system y ON y.system_id = s.system_id WHERE y.location_id = $1',
    [o.location_id],
  );
  return { stringId: Number(rows[0].id), startMs: o.startMs, endMs: o.endMs, rateC: o.rateC };
}

const jarsOf = async (stringId: number): Promise<unknown[]> =>
  (await queryRows(demo.duck, 'SELECT battery_id FROM battery WHERE string_id = $1', [stringId])).map((r) => r.battery_id);
const stringOf = async (batteryId: number): Promise<number> =>
  Number((await queryRows(demo.duck, 'SELECT string_id FROM battery WHERE battery_id = $1', [batteryId]))[0].string_id);

describe('event and anomaly panels on the small demo', () => {
  it("a string's page: the seeded outage in its discharge table and timeline, its EFC and its voltage spread", async () => {
    const o = await outageString();
    const scope = { kind: 'string', id: o.stringId };
    const table = await panel('string.discharges', scope);
    expect(table.sql).toContain("p.kind IN ('discharge')");
    expect(table.source).toBe('string_telemetry, telemetry (raw)');
    const events = records(table);
    expect(events.every((e) => e.kind === 'discharge' && e.string_id === o.stringId)).toBe(true);
    const outage = events.find((e) => e.start === o.startMs);
    expect(outage, 'the seeded outage').toBeDefined();
    expect(outage?.end).toBe(o.endMs);
    expect(outage?.duration_s).toBe((o.endMs - o.startMs) / 1000);
    expect(Number(outage?.depth_pct)).toBeCloseTo((100 * o.rateC * (o.endMs - o.startMs)) / 3_600_000, 0);
    expect(Number(outage?.energy_wh)).toBeGreaterThan(0);
    expect(typeof outage?.weakest_battery_id).toBe('number');
    expect(String(outage?.weakest_jar)).toMatch(/ · S\d+ · J\d+$/);

    // The timeline holds every kind of period, the outage among them, in time order.
    const timeline = records(await panel('string.events', scope));
    expect(new Set(timeline.map((e) => e.kind))).toContain('float');
    expect(timeline.some((e) => e.kind === 'discharge' && e.start === o.startMs && e.end === o.endMs)).toBe(true);
    expect(timeline.some((e) => e.kind === 'charge' && e.start === o.endMs)).toBe(true);
    const starts = timeline.map((e) => Number(e.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    // EFC: the string's first, then its jars by position, each named; a jar present all along carries the string's.
    const efc = records(await panel('string.efc', scope));
    expect(efc[0].battery_id).toBeNull();
    expect(Number(efc[0].efc)).toBeGreaterThan(0.3);
    expect(Number(efc[0].efc)).toBeCloseTo(Number(events.at(-1)?.efc_cumulative), 4);
    const ids = new Set((await jarsOf(o.stringId)).map(Number));
    const jarsOfString = plans.filter((p) => ids.has(p.battery_id));
    expect(efc.slice(1).map((r) => r.battery_id)).toHaveLength(jarsOfString.length);
    const steady = jarsOfString.find((p) => p.profile === 'steady')!;
    expect(Number(efc.find((r) => r.battery_id === steady.battery_id)?.efc)).toBeCloseTo(Number(efc[0].efc), 4);
    expect(efc.slice(1).every((r) => typeof r.jar === 'string')).toBe(true);

    // Voltage spread over the whole demo: hourly means, one string, non-negative, as a (string, ts, spread) series.
    const spread = await panel('string.spread', scope);
    expect(spread.columns).toEqual(['string_id', 'ts', 'spread']);
    expect(spread.source).toBe('gold.jar_hourly, gold.string_hourly');
    const hours = (Date.parse(report.window.end) - Date.parse(report.window.start)) / 3_600_000;
    expect(spread.rows.length).toBeGreaterThan(0.9 * hours);
    expect(spread.rows.length).toBeLessThanOrEqual(Math.ceil(hours) + 1);
    expect(spread.rows.every((r) => r[0] === o.stringId && Number(r[2]) >= 0)).toBe(true);
    // Over one day it reads the raw 5-minute readings.
    const day = { from: report.window.start, to: new Date(Date.parse(report.window.start) + 86_400_000).toISOString() };
    const rawSpread = await panel('string.spread', scope, day);
    expect(rawSpread.source).toBe('telemetry, string_telemetry (raw)');
    expect(rawSpread.rows.length).toBe(288);
  });

  it("an imbalanced jar's z-scores cross the outlier threshold; a healthy sibling's stay inside", async () => {
    const jar = seeded.imbalanced[0];
    const data = await panel('battery.zscore', { kind: 'battery', id: jar.battery_id });
    expect(data.columns.slice(0, 5)).toEqual(['metric', 'ts', 'z', 'value', 'z_threshold']);
    const rows = records(data);
    expect(new Set(rows.map((r) => r.metric))).toEqual(new Set(['voltage', 'temperature', 'resistance']));
    expect(rows.every((r) => r.z_threshold === 3 && r.min_hours === 6)).toBe(true);
    const voltage = rows.filter((r) => r.metric === 'voltage' && typeof r.z === 'number');
    const outside = voltage.filter((r) => Math.abs(Number(r.z)) >= 3);
    expect(outside.length / voltage.length).toBeGreaterThan(0.5);
    // The sign says which way: the jar's offset.
    expect(Math.sign(Number(outside[0].z))).toBe(Math.sign(jar.offsetV));

    const flagged = new Set([...seeded.imbalanced, ...seeded.hotspots].map((j) => j.battery_id));
    const siblings = new Set((await jarsOf(await stringOf(jar.battery_id))).map(Number));
    const sibling = plans.find((p) => siblings.has(p.battery_id) && p.profile === 'steady' && !flagged.has(p.battery_id))!;
    const calm = records(await panel('battery.zscore', { kind: 'battery', id: sibling.battery_id })).filter(
      (r) => r.metric === 'voltage' && typeof r.z === 'number',
    );
    expect(calm.length).toBe(voltage.length);
    expect(calm.filter((r) => Math.abs(Number(r.z)) >= 3).length / calm.length).toBeLessThan(0.05);
  });

  it("the fleet's Anomalies now: the seeded hotspots and imbalanced jars, ranked by score, each with its jar's name", async () => {
    const data = await panel('fleet.anomalies', { kind: 'fleet' });
    expect(data.sql).toMatch(/LIMIT 50$/);
    expect(data.exportSql).not.toContain('LIMIT');
    const rows = records(data);
    const scores = rows.map((r) => Number(r.score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const h of seeded.hotspots) {
      const r = rows.find((x) => x.battery_id === h.battery_id && x.kind === 'hotspot');
      expect(r, `hotspot jar ${h.battery_id}`).toBeDefined();
      expect(String(r?.jar)).toMatch(/ · J\d+$/);
      expect(typeof r?.site).toBe('string');
      expect(Number(r?.end)).toBeGreaterThan(Number(r?.start));
    }
    // The export holds every episode, the shown ones first; every imbalanced jar is among them as a voltage outlier.
    const all = await queryRows(demo.duck, data.exportSql);
    expect(all.length).toBeGreaterThanOrEqual(rows.length);
    expect(all.slice(0, rows.length).map((r) => Number(r.battery_id))).toEqual(rows.map((r) => r.battery_id));
    for (const j of seeded.imbalanced) {
      expect(all.some((x) => Number(x.battery_id) === j.battery_id && x.kind === 'voltage_outlier')).toBe(true);
    }
  });

  it('the stored outlier thresholds drive the panels; a bad one is refused and changes nothing', async () => {
    const bad = await call<Thresholds>('analytics.setAnomalyThresholds', { thresholds: { zMin: -1, minHours: 6, hotspotC: 5 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_REQUEST');
    expect(await ok<Thresholds>('analytics.anomalyThresholds', {})).toEqual({
      thresholds: { zMin: 3, minHours: 6, hotspotC: 5 },
      isDefault: true,
    });

    const set = await ok<Thresholds>('analytics.setAnomalyThresholds', { thresholds: { zMin: 50, minHours: 12, hotspotC: 40 } });
    expect(set).toEqual({ thresholds: { zMin: 50, minHours: 12, hotspotC: 40 }, isDefault: false });
    try {
      expect(records(await panel('fleet.anomalies', { kind: 'fleet' }))).toEqual([]);
      const z = records(await panel('battery.zscore', { kind: 'battery', id: seeded.imbalanced[0].battery_id }));
      expect(z.every((r) => r.z_threshold === 50 && r.min_hours === 12)).toBe(true);
      // The analysis asked without thresholds uses the stored ones too; asked with its own, those.
      expect((await ok<AnomaliesResult>('analytics.anomalies', range)).anomalies).toEqual([]);
      const own = await ok<AnomaliesResult>('analytics.anomalies', { ...range, thresholds: { zMin: 3, minHours: 6, hotspotC: 5 } });
      expect(own.anomalies.length).toBeGreaterThan(0);
    } finally {
      await ok('analytics.setAnomalyThresholds', { thresholds: null });
    }
    expect((await ok<Thresholds>('analytics.anomalyThresholds', {})).isDefault).toBe(true);
  });

  it("the site's sign convention turns the outage into a charge on the string's event panels", async () => {
    const o = await outageString();
    const site = String(seeded.outages[0].location_id);
    await ok('analytics.setSignConvention', { settings: { default: 'positive_charge', sites: { [site]: 'positive_discharge' } } });
    try {
      const events = records(await panel('string.events', { kind: 'string', id: o.stringId }));
      const at = events.find((e) => e.start === o.startMs);
      expect(at?.kind).toBe('charge');
      expect(records(await panel('string.discharges', { kind: 'string', id: o.stringId })).some((e) => e.start === o.startMs)).toBe(false);
    } finally {
      await ok('analytics.setSignConvention', { settings: null });
    }
    const back = records(await panel('string.discharges', { kind: 'string', id: o.stringId }));
    expect(back.some((e) => e.start === o.startMs)).toBe(true);
  });

  it('a string panel refuses any other scope with a clear error', async () => {
    const r = await call<PanelData>('dashboard.panel', { panel: 'string.events', scope: { kind: 'location', id: 1 }, ...range });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('The panel string.events does not apply to a location.');
  });
});
