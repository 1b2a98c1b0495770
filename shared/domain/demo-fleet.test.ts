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
    // Battery rooms: 2 sensors per site, one reading every 15 minutes; the hot window's 12 hours hold 48 marks.
    expect(p.environmental_telemetry.cold).toBe(3 * 2 * 3 * 96);
    expect(p.environmental_telemetry.hot).toBe(3 * 2 * (7 * 96 + 48));
    // An end off the 15-minute grid still counts the mark before it.
    const q = promisedRows(DEMO_SCALES.small, demoWindow(new Date('2024-03-10T12:05:00Z'), 7, 3));
    expect(q.environmental_telemetry.hot).toBe(p.environmental_telemetry.hot + 3 * 2);
  });

  it('puts one temperature and one humidity sensor in each site’s battery room', () => {
    const fleet = buildDemoFleet(DEMO_SCALES.full, 7, new Date('2024-03-01T00:00:00Z'));
    expect(fleet.sensors).toHaveLength(18);
    expect(new Set(fleet.sensors.map((s) => s.sensor_id)).size).toBe(18);
    for (const l of fleet.locations) {
      const mine = fleet.sensors.filter((s) => s.location_id === l.location_id);
      expect(mine.map((s) => [s.room, s.sensor_type, s.unit])).toEqual([
        ['Battery room', 'temperature', 'degC'],
        ['Battery room', 'humidity', '%RH'],
      ]);
    }
  });

  it('year scale: the full fleet over 365 days, ~250M telemetry rows nearly all in the lake', () => {
    const y = DEMO_SCALES.year;
    expect(fleetSize(y)).toEqual(fleetSize(DEMO_SCALES.full));
    expect(y.defaultDaysHot + y.defaultDaysCold).toBe(365);
    // End at a UTC midnight: 7 whole hot days and 358 cold ones.
    const w = demoWindow(new Date('2025-03-01T00:00:00Z'), y.defaultDaysHot, y.defaultDaysCold);
    expect(w.start.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(w.split.toISOString()).toBe('2025-02-22T00:00:00.000Z');
    const p = promisedRows(y, w);
    expect(p.telemetry.cold).toBe(2376 * 358 * 288);
    expect(p.telemetry.hot).toBe(2376 * 7 * 288);
    expect(p.telemetry.hot + p.telemetry.cold).toBe(249_765_120);
    expect(p.string_telemetry.cold).toBe(99 * 358 * 288);
    // A jar installed 10 days before the split (at 06:00) misses its earlier cold slots and none of the hot ones.
    const first = w.split.getTime() - 10 * 86_400_000 + 6 * 3_600_000;
    const q = promisedRows(y, w, [first]);
    expect(p.telemetry.cold - q.telemetry.cold).toBe(348 * 288 + 72);
    expect(q.telemetry.hot).toBe(p.telemetry.hot);
  });
});
