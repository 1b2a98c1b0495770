import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomaliesResult, EventsResult, StringEvent } from '../../../shared/api/analytics';
import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { HOT_MIRROR_SCHEMA, setSplitSql } from '../mirror/meta';
import { dispatcher } from '../testing/dispatch.fixture';
import { openWorkbench, type Workbench } from '../workbench';

/**
 * Hand-made series in a real workspace (hot mirror, unified views, gold rollups), with exact expected events and
 * z-scores. String 1 (site 1, 4 jars, 100 Ah): 30 min float, 30 min discharge at 20 A and 48 V, 30 min charge at
 * 5 A, 30 min rest, then float. String 2 (site 2, 4 jars): jar 8 reads 14.5 V and 30 °C for 7 hours against
 * siblings at 13.5/13.6/13.7 V and 24.0/24.2/24.4 °C, ambient 22 °C.
 */
const T0 = Date.parse('2024-03-01T00:00:00Z');
const SLOT = 300_000;
const at = (slot: number): string => new Date(T0 + slot * SLOT).toISOString();
const HOURS = 8;
const SLOTS = HOURS * 12;

let dir: string;
let wb: Workbench;
const { ok, call } = dispatcher(() => wb);

function stringCurrent(slot: number): number {
  if (slot < 6) return 0.3;
  if (slot < 12) return -20;
  if (slot < 18) return 5;
  if (slot < 24) return 0;
  return 0.3;
}

/** Jar voltages of string 1 (jars 1-4) and string 2 (jars 5-8). */
function jarReading(battery: number, slot: number): { v: number; t: number; r: number } {
  if (battery <= 4) return { v: battery === 3 && slot === 11 ? 11.8 : 12.0 + battery / 100, t: 25, r: 3 };
  const k = battery - 5;
  const outlier = battery === 8 && slot < 84;
  return {
    v: outlier ? 14.5 : [13.5, 13.6, 13.7, 13.6][k],
    t: outlier ? 30 : [24, 24.2, 24.4, 24.2][k],
    r: [3.0, 3.1, 3.2, 3.1][k],
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-analytics-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  const conn = await wb.engine.connect();
  try {
    const t = (name: string): string => qualifiedName(HOT_MIRROR_SCHEMA, name);
    const into = (name: DatasetName): string => `${t(name)} (${DATASETS[name].columns.map((c) => quoteIdent(c.name)).join(', ')})`;
    await conn.run(
      `INSERT INTO ${into('location')} VALUES (1, 'AAA1', 'Site A', 'A', 'DE', 'UTC', 50, 8), (2, 'BBB1', 'Site B', 'B', 'NL', 'UTC', 52, 4)`,
    );
    await conn.run(`INSERT INTO ${into('battery_model')} VALUES (1, 'Voltaris', 'VX12-100', 'VRLA AGM', 12, 100, 6, 13.62, 3.2, 10)`);
    await conn.run(
      `INSERT INTO ${into('battery_system')} VALUES (1, 1, 'A UPS', 'ups', 400, DATE '2020-01-01'), (2, 2, 'B UPS', 'ups', 400, DATE '2020-01-01')`,
    );
    await conn.run(`INSERT INTO ${into('battery_string')} VALUES (1, 1, 1, 4, 1), (2, 2, 1, 4, 1)`);
    await conn.run(
      `INSERT INTO ${into('battery')} SELECT i, CASE WHEN i <= 4 THEN 1 ELSE 2 END, (i - 1) % 4 + 1, printf('VX-%06d', i), 1, DATE '2022-01-01' FROM range(1, 9) r(i)`,
    );
    const jarRows: string[] = [];
    const stringRows: string[] = [];
    let ingest = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      for (let b = 1; b <= 8; b++) {
        const r = jarReading(b, slot);
        jarRows.push(`(${b}, TIMESTAMPTZ '${at(slot)}', ${r.v}, ${r.t}, ${r.r}, ${++ingest})`);
      }
      stringRows.push(`(1, TIMESTAMPTZ '${at(slot)}', 48, ${stringCurrent(slot)}, 22, ${++ingest})`);
      stringRows.push(`(2, TIMESTAMPTZ '${at(slot)}', 54.4, 0.3, 22, ${++ingest})`);
    }
    await conn.run(`INSERT INTO ${t('telemetry')} VALUES ${jarRows.join(', ')}`);
    await conn.run(`INSERT INTO ${t('string_telemetry')} VALUES ${stringRows.join(', ')}`);
    for (const ds of ['telemetry', 'string_telemetry'] as const) await conn.run(setSplitSql(ds, new Date(T0).toISOString()));
  } finally {
    conn.closeSync();
  }
  await wb.data.refresh();
  await wb.rollups.whenIdle();
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
