import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomaliesResult, EventsResult } from '../../../shared/api/analytics';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf } from '../../../shared/api/jobs';
import type { DemoPhenomena } from '../../../shared/domain/demo-phenomena';
import type { JarPlan } from '../../../shared/domain/demo-plan';
import { DEMO_SCALES } from '../../../shared/domain/demo-scale';
import { queryRows } from '../engine/duck-query';
import { dispatcher } from '../testing/dispatch.fixture';
import { openDemoWorkbench, smallDemoPlans, type DemoWorkbench } from '../testing/demo-workbench.fixture';

/**
 * The analyses on a generated small demo: they find what the generator seeded (demo-phenomena.ts) and stay quiet on
 * healthy jars. Jars that degrade by plan (watch, degraded, replace) really do drift from their siblings, and a new jar
 * really does read a lower resistance than its aged siblings: they count neither way.
 */
let demo: DemoWorkbench;
let report: DemoJobReport;
let jars: JarPlan[];
let seeded: DemoPhenomena;
const { ok } = dispatcher(() => demo.wb);

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-demo-analytics-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  await demo.wb.rollups.refreshNow().done;
  ({ jars, seeded } = smallDemoPlans(report));
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(3));

describe('the analyses on the small demo', () => {
  it('find every seeded outage on every string of its site, and every capacity test, and nothing else', async () => {
    const r = await ok<EventsResult>('analytics.events', { from: report.window.start, to: report.window.end, kinds: ['discharge'] });
    const strings = await queryRows(
      demo.duck,
      'SELECT s.string_id, y.location_id FROM battery_string s JOIN battery_system y ON y.system_id = s.system_id ORDER BY 1',
    );
    const tests = await queryRows(
      demo.duck,
      'SELECT string_id, epoch_ms(started_at) AS s, epoch_ms(ended_at) AS e FROM capacity_test ORDER BY string_id',
    );
    const expected: { string_id: number; start: string; end: string; outage: boolean }[] = [];
    for (const o of seeded.outages)
      for (const s of strings.filter((x) => Number(x.location_id) === o.location_id))
        expected.push({
          string_id: Number(s.string_id),
          start: new Date(o.startMs).toISOString(),
          end: new Date(o.endMs).toISOString(),
          outage: true,
        });
    for (const t of tests)
      expected.push({
        string_id: Number(t.string_id),
        start: new Date(Number(t.s)).toISOString(),
        end: new Date(Number(t.e)).toISOString(),
        outage: false,
      });
    const key = (e: { string_id: number; start: string; end: string }): string => `${e.string_id} ${e.start} ${e.end}`;
    const found = new Set(r.events.map(key));
    const wanted = new Set(expected.map(key));
    const hits = expected.filter((e) => found.has(key(e)));
    const falseEvents = r.events.filter((e) => !wanted.has(key(e)));
    console.log(
      `events: ${expected.filter((e) => e.outage).length} seeded outage discharges and ${tests.length} capacity tests; ` +
        `found ${r.events.length} discharges; precision ${ratio(r.events.length - falseEvents.length, r.events.length)}, ` +
        `recall ${ratio(hits.length, expected.length)} (${r.elapsedMs} ms)`,
    );
    expect(falseEvents).toEqual([]);
    expect(hits.length).toBe(expected.length);
    // Depth: an outage at rateC for its duration discharges rateC x hours of the rated capacity.
    for (const o of seeded.outages) {
      const s = strings.find((x) => Number(x.location_id) === o.location_id);
      const e = r.events.find((x) => x.string_id === Number(s?.string_id) && x.start === new Date(o.startMs).toISOString());
      expect(e?.depth_pct).toBeCloseTo((100 * o.rateC * (o.endMs - o.startMs)) / 3_600_000, 0);
      expect(e?.weakest_battery_id).not.toBeNull();
    }
    // EFC per string: outages and the capacity test; every jar of a string present all along carries the same.
    const perString = r.efc.filter((x) => x.battery_id === null);
    expect(perString).toHaveLength(strings.length);
    for (const row of perString) expect(row.efc).toBeGreaterThan(0.3);
    // Per jar: a jar present all along carries its string's EFC; a new jar only what came after its installation.
    const newJars = new Set(jars.filter((j) => j.profile === 'new').map((j) => j.battery_id));
    for (const row of r.efc.filter((x) => x.battery_id !== null)) {
      const str = perString.find((x) => x.string_id === row.string_id)?.efc ?? Number.NaN;
      if (newJars.has(row.battery_id ?? 0)) expect(row.efc).toBeLessThanOrEqual(str);
      else expect(row.efc).toBeCloseTo(str, 4);
    }
  });

  it('find each imbalanced jar and hotspot, and stay quiet on healthy jars', async () => {
    const r = await ok<AnomaliesResult>('analytics.anomalies', { from: report.window.start, to: report.window.end });
    expect(r.resolution).toBe('hourly');
    const imbalanced = new Set(seeded.imbalanced.map((j) => j.battery_id));
    const hot = new Set(seeded.hotspots.map((j) => j.battery_id));
    // By plan different from their siblings: degrading jars, and new jars (a replacement reads a lower resistance than
    // its aged siblings). Reported, but counted neither way.
    const byPlan = new Set(jars.filter((j) => j.profile !== 'steady').map((j) => j.battery_id));
    const flagged = new Map<number, Set<string>>();
    for (const a of r.anomalies) flagged.set(a.battery_id, (flagged.get(a.battery_id) ?? new Set()).add(a.kind));
    const foundImbalanced = [...imbalanced].filter((id) => flagged.get(id)?.has('voltage_outlier'));
    const foundHot = [...hot].filter((id) => flagged.get(id)?.has('hotspot'));
    const healthyFlagged = [...flagged.keys()].filter((id) => !imbalanced.has(id) && !hot.has(id) && !byPlan.has(id));
    const truePositives = [...flagged.keys()].filter((id) => imbalanced.has(id) || hot.has(id)).length;
    console.log(
      `anomalies (${r.resolution}): ${imbalanced.size} imbalanced jars, ${hot.size} hotspots seeded; ` +
        `flagged ${flagged.size} jars (${[...flagged.keys()].filter((id) => byPlan.has(id)).length} degrading or new by plan, not counted); ` +
        `precision ${ratio(truePositives, truePositives + healthyFlagged.length)}, ` +
        `recall ${ratio(foundImbalanced.length + foundHot.length, imbalanced.size + hot.size)} (${r.elapsedMs} ms)`,
    );
    expect(foundImbalanced.sort()).toEqual([...imbalanced].sort());
    expect(foundHot.sort()).toEqual([...hot].sort());
    expect(healthyFlagged).toEqual([]);
    // Imbalanced jars show up in their strings' voltage spread.
    expect(r.spread.length).toBe(DEMO_SCALES.small.sites * 2);
  });

  it('raw rows over one early day (before any degradation) find the same seeded jars', async () => {
    const from = Date.parse(report.window.start) + 86_400_000;
    const range = { from: new Date(from).toISOString(), to: new Date(from + 86_400_000).toISOString() };
    const raw = await ok<AnomaliesResult>('analytics.anomalies', { ...range, resolution: 'raw' });
    expect(raw.resolution).toBe('raw');
    const ids = new Set(raw.anomalies.map((a) => a.battery_id));
    const expected = [...seeded.imbalanced, ...seeded.hotspots].map((j) => j.battery_id).sort();
    console.log(`anomalies (raw, one day): flagged ${ids.size} jars, seeded ${expected.length} (${raw.elapsedMs} ms)`);
    expect([...ids].sort()).toEqual(expected);
  });
});
