import { describe, expect, it } from 'vitest';
import { buildDemoFleet } from './demo-fleet';
import { DEMO_SCALES, demoWindow, fleetSize, promisedRows } from './demo-scale';

describe('demo fleet', () => {
  it('full scale is the seed fleet: 9 sites, 2,376 jars in strings of 24, UPS and rectifier systems', () => {
    const start = new Date('2024-03-01T00:00:00Z');
    const fleet = buildDemoFleet(DEMO_SCALES.full, 7, start);
    expect(fleet.locations).toHaveLength(9);
    expect(new Set(fleet.locations.map((l) => l.time_zone)).size).toBe(9);
    expect(fleet.models).toHaveLength(2);
    expect(fleet.batteries).toHaveLength(2376);
    expect(new Set(fleet.systems.map((s) => s.system_type))).toEqual(new Set(['ups', 'rectifier']));
    for (const s of fleet.strings) expect(fleet.batteries.filter((b) => b.string_id === s.string_id)).toHaveLength(24);
    expect(fleetSize(DEMO_SCALES.full).jars).toBe(2376);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const start = new Date('2024-03-01T00:00:00Z');
    const a = buildDemoFleet(DEMO_SCALES.small, 1, start);
    expect(buildDemoFleet(DEMO_SCALES.small, 1, start)).toEqual(a);
    expect(buildDemoFleet(DEMO_SCALES.small, 2, start).systems.map((s) => s.commissioned_on)).not.toEqual(
      a.systems.map((s) => s.commissioned_on),
    );
  });

  it('promises one reading per jar every 5 minutes, split at a UTC midnight', () => {
    const w = demoWindow(new Date('2024-03-10T12:03:00Z'), 7, 3);
    expect(w.end.toISOString()).toBe('2024-03-10T12:00:00.000Z');
    expect(w.split.toISOString()).toBe('2024-03-03T00:00:00.000Z');
    expect(w.start.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    const p = promisedRows(DEMO_SCALES.small, w);
    expect(p.telemetry.cold).toBe(144 * 3 * 288);
    expect(p.telemetry.hot).toBe(144 * (7 * 288 + 12 * 12));
    expect(p.string_telemetry.hot * 24).toBe(p.telemetry.hot);
  });
});
