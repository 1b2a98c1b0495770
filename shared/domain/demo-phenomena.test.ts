import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from './demo-fleet';
import { capacityTestDay, planDemoPhenomena } from './demo-phenomena';
import { planDemoJars } from './demo-plan';
import { DAY_MS, DEMO_SCALES, demoWindow, type DemoScaleName } from './demo-scale';

function phenomenaOf(scale: DemoScaleName, seed = 20240601) {
  const s = DEMO_SCALES[scale];
  const window = demoWindow(new Date('2024-06-01T09:17:00Z'), s.defaultDaysHot, s.defaultDaysCold);
  const fleet = buildDemoFleet(s, seed, window.start);
  const jars = planDemoJars(fleet, window, seed);
  return { fleet, window, jars, seed, phenomena: planDemoPhenomena(fleet, window, seed, jars) };
}

describe('demo phenomena plan', () => {
  for (const scale of ['small', 'full'] as const) {
    it(`${scale}: every site has outages, an imbalanced jar and a hotspot, on steady jars`, () => {
      const { fleet, jars, phenomena, window, seed } = phenomenaOf(scale);
      const profile = new Map(jars.map((j) => [j.battery_id, j.profile]));
      for (const loc of fleet.locations) {
        const site = loc.location_id;
        const outages = phenomena.outages.filter((o) => o.location_id === site);
        expect(outages.length, loc.code).toBeGreaterThanOrEqual(2);
        expect(phenomena.imbalanced.filter((j) => j.location_id === site).length).toBeGreaterThanOrEqual(1);
        expect(phenomena.hotspots.filter((j) => j.location_id === site)).toHaveLength(1);
        const systems = new Set(fleet.systems.filter((y) => y.location_id === site).map((y) => y.system_id));
        const testDays = new Set(
          fleet.strings.filter((s) => systems.has(s.system_id)).map((s) => capacityTestDay(s.string_id, seed, window)),
        );
        for (const o of outages) {
          const day = Math.floor((o.startMs - window.start.getTime()) / DAY_MS);
          expect(testDays.has(day)).toBe(false);
          expect(o.endMs - o.startMs).toBeGreaterThanOrEqual(10 * 60_000);
          expect(o.endMs - o.startMs).toBeLessThanOrEqual(90 * 60_000);
          // The recharge ends the same UTC day, before the window's end.
          expect(Math.floor((o.rechargeEndMs - 1 - window.start.getTime()) / DAY_MS)).toBe(day);
          expect(o.rechargeEndMs).toBeLessThan(window.end.getTime());
        }
      }
      const seeded = [...phenomena.imbalanced, ...phenomena.hotspots].map((j) => j.battery_id);
      expect(new Set(seeded).size).toBe(seeded.length);
      for (const id of seeded) expect(profile.get(id)).toBe('steady');
    });
  }

  it('is deterministic and leaves the jars plan as it was', () => {
    const a = phenomenaOf('small');
    const b = phenomenaOf('small');
    expect(a.phenomena).toEqual(b.phenomena);
    expect(a.jars).toEqual(b.jars);
    expect(phenomenaOf('small', 7).phenomena).not.toEqual(a.phenomena);
  });
});
