import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomaliesResult, EventsResult, StringEvent } from '../../../shared/api/analytics';
import { SERIES_SLOTS, SERIES_T0, seedAnalyticsSeries, seriesAt } from '../testing/analytics-series.fixture';
import { dispatcher } from '../testing/dispatch.fixture';
import { openWorkbench, type Workbench } from '../workbench';

/** The hand-made series of analytics-series.fixture.ts, with exact expected events and z-scores. */
const T0 = SERIES_T0;
const at = seriesAt;
const SLOTS = SERIES_SLOTS;

let dir: string;
let wb: Workbench;
const { ok, call } = dispatcher(() => wb);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-analytics-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  await seedAnalyticsSeries(wb);
}, 60_000);

afterAll(async () => {
  await wb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const RANGE = { from: at(0), to: at(SLOTS) };
const pick = (e: StringEvent): Partial<StringEvent> => ({
  kind: e.kind,
  start: e.start,
  end: e.end,
  ah: e.ah,
  depth_pct: e.depth_pct,
  energy_wh: e.energy_wh,
});

describe('discharge events', () => {
  it('reads the default sign convention without creating its table', async () => {
    expect(await ok<{ isDefault: boolean; settings: unknown }>('analytics.signConvention', {})).toEqual({
      settings: { default: 'positive_charge', sites: {} },
      isDefault: true,
    });
    const conn = await wb.engine.connect();
    try {
      const r = await conn.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'analytics_settings'");
      expect(Number(r.getRows()[0][0])).toBe(0);
    } finally {
      conn.closeSync();
    }
  });

  it('finds each period of string 1 with exact depth, energy, minimum voltage and weakest jar', async () => {
    const r = await ok<EventsResult>('analytics.events', { ...RANGE, stringId: 1 });
    expect(r.events.map(pick)).toEqual([
      { kind: 'float', start: at(0), end: at(6), ah: 0.15, depth_pct: 0.15, energy_wh: 7.2 },
      { kind: 'discharge', start: at(6), end: at(12), ah: 10, depth_pct: 10, energy_wh: 480 },
      { kind: 'charge', start: at(12), end: at(18), ah: 2.5, depth_pct: 2.5, energy_wh: 120 },
      { kind: 'rest', start: at(18), end: at(24), ah: 0, depth_pct: 0, energy_wh: 0 },
      { kind: 'float', start: at(24), end: at(SLOTS), ah: 1.8, depth_pct: 1.8, energy_wh: 86.4 },
    ]);
    const d = r.events[1];
    expect(d.duration_s).toBe(1800);
    expect(d.readings).toBe(6);
    expect(d.min_voltage_v).toBe(48);
    expect(d.weakest_battery_id).toBe(3);
    expect(d.weakest_voltage_v).toBe(11.8);
    expect(d.efc_cumulative).toBe(0.1);
    expect(r.events[0].weakest_battery_id).toBeNull();
    // EFC: the string and each of its jars discharged 10 Ah of 100 Ah.
    expect(r.efc.map((e) => [e.string_id, e.battery_id, e.discharged_ah, e.efc])).toEqual([
      [1, null, 10, 0.1],
      [1, 1, 10, 0.1],
      [1, 2, 10, 0.1],
      [1, 3, 10, 0.1],
      [1, 4, 10, 0.1],
    ]);
  });

  it('the sign convention flips detection: "positive = discharge" at site 1 turns the charge into the discharge', async () => {
    try {
      const set = await ok<{ isDefault: boolean }>('analytics.setSignConvention', {
        settings: { default: 'positive_charge', sites: { '1': 'positive_discharge' } },
      });
      expect(set.isDefault).toBe(false);
      const r = await ok<EventsResult>('analytics.events', { ...RANGE, kinds: ['discharge', 'charge'] });
      expect(r.events.filter((e) => e.string_id === 1).map(pick)).toEqual([
        { kind: 'discharge', start: at(0), end: at(6), ah: 0.15, depth_pct: 0.15, energy_wh: 7.2 },
        { kind: 'charge', start: at(6), end: at(12), ah: 10, depth_pct: 10, energy_wh: 480 },
        { kind: 'discharge', start: at(12), end: at(18), ah: 2.5, depth_pct: 2.5, energy_wh: 120 },
        { kind: 'discharge', start: at(24), end: at(SLOTS), ah: 1.8, depth_pct: 1.8, energy_wh: 86.4 },
      ]);
      // Site 2 keeps the default: its float current stays float.
      expect(r.events.filter((e) => e.string_id === 2)).toEqual([]);
      expect(r.efc.find((e) => e.string_id === 1 && e.battery_id === null)?.discharged_ah).toBe(4.45);
    } finally {
      await ok('analytics.setSignConvention', { settings: null });
    }
    const back = await ok<{ isDefault: boolean }>('analytics.signConvention', {});
    expect(back.isDefault).toBe(true);
  });

  it('rejects a bad request with a clear error and changes nothing', async () => {
    const bad = await call('analytics.events', { from: RANGE.to, to: RANGE.from });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_REQUEST');
    const badSign = await call('analytics.setSignConvention', { settings: { default: 'upside_down', sites: {} } });
    expect(badSign.ok).toBe(false);
    expect((await ok<{ isDefault: boolean }>('analytics.signConvention', {})).isDefault).toBe(true);
  });
});

/** Leave-one-out z of x against its siblings (sample standard deviation), computed here independently of the SQL. */
function siblingZ(values: number[], i: number): number {
  const others = values.filter((_, k) => k !== i);
  const mean = others.reduce((a, b) => a + b, 0) / others.length;
  const sd = Math.sqrt(others.reduce((a, b) => a + (b - mean) ** 2, 0) / (others.length - 1));
  return (values[i] - mean) / sd;
}

describe('sibling anomalies', () => {
  for (const resolution of ['raw', 'hourly'] as const) {
    it(`finds jar 8's persistent voltage and temperature outlier and its hotspot (${resolution})`, async () => {
      const r = await ok<AnomaliesResult>('analytics.anomalies', { ...RANGE, resolution });
      expect(r.resolution).toBe(resolution);
      const rows = r.anomalies.map((a) => [a.battery_id, a.kind, a.start, a.end, a.score]);
      expect(rows).toEqual([
        [8, 'temperature_outlier', at(0), at(84), 29],
        [8, 'voltage_outlier', at(0), at(84), 9],
        [8, 'hotspot', at(0), at(84), 8],
      ]);
      const s2 = r.spread.find((s) => s.string_id === 2);
      expect(s2).toMatchObject({ max_v: 1, last_v: 0.2 });
    });
  }

  it('gives exact z-scores per jar and moment', async () => {
    const r = await ok<{ rows: { ts: string; metric: string; value: number; z: number | null }[] }>('analytics.jarZ', {
      ...RANGE,
      batteryId: 5,
      resolution: 'raw',
    });
    const first = r.rows.filter((x) => x.ts === at(0));
    const v = [13.5, 13.6, 13.7, 14.5];
    const t = [24, 24.2, 24.4, 30];
    const res = [3.0, 3.1, 3.2, 3.1];
    expect(first.map((x) => x.metric).sort()).toEqual(['resistance', 'temperature', 'voltage']);
    expect(first.find((x) => x.metric === 'voltage')?.z).toBeCloseTo(siblingZ(v, 0), 9);
    expect(first.find((x) => x.metric === 'temperature')?.z).toBeCloseTo(siblingZ(t, 0), 9);
    expect(first.find((x) => x.metric === 'resistance')?.z).toBeCloseTo(siblingZ(res, 0), 9);
    const jar8 = await ok<{ rows: { ts: string; metric: string; z: number | null }[] }>('analytics.jarZ', {
      ...RANGE,
      batteryId: 8,
      resolution: 'raw',
    });
    expect(jar8.rows.find((x) => x.ts === at(0) && x.metric === 'voltage')?.z).toBeCloseTo(9, 9);
    // After slot 84 jar 8 reads like jar 6, and jar 6's z is the same as jar 8's.
    expect(jar8.rows.find((x) => x.ts === at(90) && x.metric === 'voltage')?.z).toBeCloseTo(0, 9);
  });

  it('keeps the thresholds editable: 8 hours of persistence finds nothing, |z| >= 30 only the hotspot', async () => {
    const longer = await ok<AnomaliesResult>('analytics.anomalies', { ...RANGE, resolution: 'raw', thresholds: { minHours: 8 } });
    expect(longer.anomalies).toEqual([]);
    const strict = await ok<AnomaliesResult>('analytics.anomalies', { ...RANGE, resolution: 'raw', thresholds: { zMin: 30 } });
    expect(strict.anomalies.map((a) => a.kind)).toEqual(['hotspot']);
  });

  it('chooses raw rows for short ranges and hourly rollups beyond three days', async () => {
    const short = await ok<AnomaliesResult>('analytics.anomalies', RANGE);
    expect(short.resolution).toBe('raw');
    expect(short.sql).toContain('FROM telemetry t');
    const long = await ok<AnomaliesResult>('analytics.anomalies', { from: at(0), to: new Date(T0 + 10 * 86_400_000).toISOString() });
    expect(long.resolution).toBe('hourly');
    expect(long.sql).toContain('gold.jar_hourly');
    expect(long.anomalies.length).toBe(3);
  });
});
