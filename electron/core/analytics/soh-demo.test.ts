import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoJobReport } from '../../../shared/api/data';
import type { Result } from '../../../shared/api/errors';
import { reportOf } from '../../../shared/api/jobs';
import type { SohResult } from '../../../shared/api/soh';
import { buildDemoFleet } from '../../../shared/domain/demo-fleet';
import { planDemoJars, type JarPlan } from '../../../shared/domain/demo-plan';
import { DAY_MS, DEMO_SCALES } from '../../../shared/domain/demo-scale';
import { dispatcher } from '../testing/dispatch.fixture';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';

/** A knee counts as the seeded one when it lies within this many days of the plan's onset. */
const NEAR_DAYS = 2;

let demo: DemoWorkbench;
let report: DemoJobReport;
let plans: Map<number, JarPlan>;
const { ok, call } = dispatcher(() => demo.wb);

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-soh-demo-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  await demo.wb.rollups.refreshNow().done;
  const start = new Date(report.window.start);
  const window = { start, split: new Date(report.window.split), end: new Date(report.window.end) };
  plans = new Map(planDemoJars(buildDemoFleet(DEMO_SCALES.small, report.seed, start), window, report.seed).map((p) => [p.battery_id, p]));
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

describe('state of health on the small demo', () => {
  it('finds a knee near the seeded onset of degraded and replace jars, and none on steady jars', async () => {
    const res = await ok<SohResult>('soh.jars', {});
    expect(res.rows.length).toBe(plans.size);
    const startMs = Date.parse(report.window.start);
    const near = (id: number, knee: string | null): boolean => {
      const plan = plans.get(id)!;
      return knee !== null && Math.abs((Date.parse(knee) - startMs) / DAY_MS - plan.onsetDay) <= NEAR_DAYS;
    };
    const byProfile = (profiles: string[]) => res.rows.filter((r) => profiles.includes(plans.get(r.battery_id)!.profile));
    const seeded = byProfile(['degraded', 'replace']);
    const found = seeded.filter((r) => near(r.battery_id, r.knee_date));
    const withKnee = res.rows.filter((r) => r.knee_date !== null);
    // A knee is right when its jar degrades (watch jars too: theirs is a milder, real knee) and it lies near the onset.
    const right = withKnee.filter((r) => plans.get(r.battery_id)!.profile !== 'steady' && near(r.battery_id, r.knee_date));
    const watch = byProfile(['watch']);
    const watchFound = watch.filter((r) => near(r.battery_id, r.knee_date));
    const steadyKnees = byProfile(['steady', 'new']).filter((r) => r.knee_date !== null);
    const recall = found.length / seeded.length;
    const precision = withKnee.length === 0 ? 1 : right.length / withKnee.length;
    console.log(
      `soh knee on the small demo: recall ${found.length}/${seeded.length} = ${recall.toFixed(3)} (degraded + replace), ` +
        `precision ${right.length}/${withKnee.length} = ${precision.toFixed(3)}, watch jars ${watchFound.length}/${watch.length}, ` +
        `knees on steady or new jars: ${steadyKnees.length}, ${res.elapsedMs} ms`,
    );
    expect(seeded.length).toBeGreaterThan(0);
    expect(recall).toBe(1);
    expect(precision).toBe(1);
    expect(steadyKnees).toEqual([]);
  });

  it('computes a RUL or says why not for every jar, and never past twice the history', async () => {
    const res = await ok<SohResult>('soh.jars', {});
    for (const r of res.rows) {
      const plan = plans.get(r.battery_id)!;
      if (plan.profile === 'new') expect(r.rul.status, `jar ${r.battery_id}`).toBe('not_enough_history');
      if (r.rul.status === 'ok') {
        expect(r.rul.days!).toBeLessThanOrEqual(r.rul.horizonDays);
        expect(r.rul.lowDays!).toBeLessThanOrEqual(r.rul.days!);
        if (r.rul.highDays !== null) expect(r.rul.highDays).toBeGreaterThanOrEqual(r.rul.days!);
      }
      // Replace jars are past +50 % on the last day.
      if (plan.profile === 'replace') expect(r.rul.status, `jar ${r.battery_id}`).toBe('reached');
      if (plan.profile === 'steady') expect(r.rul.status, `jar ${r.battery_id}`).toBe('not_enough_history');
      expect(r.rul_table?.source, `jar ${r.battery_id}`).toMatch(/\S/);
    }
    expect(
      res.rows.filter((r) => r.soh_source === 'capacity_test').length + res.rows.filter((r) => r.soh_source === 'resistance').length,
    ).toBe(res.rows.length);
    expect(res.rows.some((r) => r.soh_capacity_pct !== null)).toBe(true);
  });

  it('answers for one jar the same as in the whole fleet', async () => {
    const all = await ok<SohResult>('soh.jars', {});
    const id = [...plans.values()].find((p) => p.profile === 'degraded')!.battery_id;
    const one = await ok<SohResult>('soh.jars', { batteryId: id });
    expect(one.rows).toEqual(all.rows.filter((r) => r.battery_id === id));
  });

  it('refuses bad settings with a clear error', async () => {
    const bad = (await call<SohResult>('soh.jars', { settings: { eolSohPct: 150 } })) as Result<SohResult>;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('settings.eolSohPct') });
    const range = await call<SohResult>('soh.jars', { from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' });
    expect(range.ok).toBe(false);
  });
});
