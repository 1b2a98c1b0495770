import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from './demo-fleet';
import { planDemoJars, plannedHealth } from './demo-plan';
import { DEMO_SCALES, demoWindow, promisedRows, type DemoScaleName } from './demo-scale';
import { HEALTH_CLASSES } from './health';

function planOf(scale: DemoScaleName, seed = 20240601) {
  const s = DEMO_SCALES[scale];
  const window = demoWindow(new Date('2024-06-01T09:17:00Z'), s.defaultDaysHot, s.defaultDaysCold);
  const fleet = buildDemoFleet(s, seed, window.start);
  return { fleet, window, plan: planDemoJars(fleet, window, seed) };
}

describe('demo degradation plan', () => {
  for (const scale of ['full', 'small'] as const) {
    it(`${scale}: every health class occurs at every site`, () => {
      const { fleet, plan } = planOf(scale);
      expect(plan).toHaveLength(fleet.batteries.length);
      for (const loc of fleet.locations) {
        const classes = new Set(plan.filter((j) => j.location_id === loc.location_id).map(plannedHealth));
        expect([...classes].sort(), loc.code).toEqual([...HEALTH_CLASSES].sort());
      }
    });
  }

  it('degradation starts after the baseline week and is complete before the last day; new jars start in the last days', () => {
    const { plan, window } = planOf('full');
    const days = (window.end.getTime() - window.start.getTime()) / 86_400_000;
    for (const j of plan.filter((p) => p.severity > 0)) {
      expect(j.onsetDay).toBeGreaterThanOrEqual(7.5);
      expect(j.rampEndDay).toBeLessThanOrEqual(days - 1);
      expect(j.onsetDay).toBeLessThan(j.rampEndDay);
    }
    const fresh = plan.filter((p) => p.profile === 'new');
    expect(fresh.length).toBeGreaterThanOrEqual(9);
    for (const j of fresh) {
      expect(window.end.getTime() - j.firstReadingMs).toBeGreaterThanOrEqual(1.5 * 86_400_000);
      expect(window.end.getTime() - j.firstReadingMs).toBeLessThan(6 * 86_400_000);
      expect(j.firstReadingMs % 300_000).toBe(0);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(planOf('small').plan).toEqual(planOf('small').plan);
    expect(planOf('small', 1).plan.map((j) => j.profile)).not.toEqual(planOf('small', 2).plan.map((j) => j.profile));
  });

  it('promises no readings of a new jar before its installation', () => {
    const { plan, window } = planOf('small');
    const all = promisedRows(DEMO_SCALES.small, window);
    const withNew = promisedRows(
      DEMO_SCALES.small,
      window,
      plan.map((j) => j.firstReadingMs),
    );
    const missing = plan.filter((j) => j.profile === 'new').reduce((a, j) => a + (j.firstReadingMs - window.start.getTime()) / 300_000, 0);
    expect(missing).toBeGreaterThan(0);
    expect(all.telemetry.hot + all.telemetry.cold - withNew.telemetry.hot - withNew.telemetry.cold).toBe(missing);
    expect(withNew.string_telemetry).toEqual(all.string_telemetry);
  });
});
