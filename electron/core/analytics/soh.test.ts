import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOH_SETTINGS, SohSettingsSchema, type SohJarRow, type SohSettings } from '../../../shared/api/soh';
import { ensureGoldSchema } from '../rollups/gold-schema';
import { rebuildFirstDaysSql } from '../rollups/rollup-sql';
import { runSoh, sohRowOf } from './soh-analysis';
import { computeRul, eolThreshold } from './soh-rul';
import { sohCtes, sohVerdictCte } from './soh-sql';
import { queryRows } from '../engine/duck-query';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const dayIso = (d: number): string => new Date(T0 + d * DAY).toISOString();

/** Hand-made daily resistance (mΩ) per jar: x = day index from T0. */
const SERIES: Record<number, (x: number) => number> = {
  // 1: a straight line (drift rises evenly): no knee.
  1: (x) => 10 * (1 + 0.01 * x),
  // 2: flat at 10 mΩ to day 20, then +0.1 mΩ (+1 % of the baseline) a day: a knee on day 20, drift 20 % on day 40.
  2: (x) => (x <= 20 ? 10 : 10 + 0.1 * (x - 20)),
  // 3: the same knee with alternating noise (±0.05 mΩ) after it: a range around the crossing.
  3: (x) => (x <= 20 ? 10 : 10 + 0.1 * (x - 20) + (x % 2 === 0 ? 0.05 : -0.05)),
  // 4: rises to day 20, then flat: the slope falls at the breakpoint, which is no knee of degradation.
  4: (x) => (x <= 20 ? 10 + 0.1 * x : 12),
};
const DAYS: Record<number, number> = { 1: 41, 2: 41, 3: 41, 4: 41, 5: 3 };
const slow = (x: number): number => 10 * (1 + 0.001 * x);

let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await ensureGoldSchema(conn);
  await conn.run('CREATE TABLE battery (battery_id INTEGER, string_id INTEGER)');
  await conn.run(
    'CREATE TABLE capacity_test (test_id BIGINT, string_id INTEGER, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, capacity_pct DECIMAL(5,1))',
  );
  await conn.run(
    'CREATE TABLE rul_prediction (battery_id INTEGER, predicted_at TIMESTAMPTZ, rul_days INTEGER, confidence DECIMAL(4,3), model_version VARCHAR)',
  );
  // Jars 1-4 on string 1, jar 5 (3 days old) and jar 6 (no readings) on string 2; jar 7: a slow line over 10 days.
  for (let id = 1; id <= 7; id++) await conn.run(`INSERT INTO battery VALUES (${id}, ${id <= 4 ? 1 : 2})`);
  const daily: string[] = [];
  for (const [id, f] of Object.entries(SERIES))
    for (let x = 0; x < DAYS[Number(id)]; x++) daily.push(`(${id}, '${dayIso(x)}', 288, ${f(x)})`);
  for (let x = 0; x < 3; x++) daily.push(`(5, '${dayIso(x)}', 288, 10)`);
  for (let x = 0; x < 10; x++) daily.push(`(7, '${dayIso(x)}', 288, ${slow(x)})`);
  await conn.run(`INSERT INTO gold.jar_daily (battery_id, bucket, n, resistance_mean) VALUES ${daily.join(', ')}`);
  // The jars' first days, as a rollup refresh keeps them with the daily rows (the baselines are read there).
  for (const sql of rebuildFirstDaysSql(0, Date.UTC(10_000, 0, 1))) await conn.run(sql);
  // A capacity test of string 1 on day 10, 10:00-13:00: the jars fell 1.5, 1.2, 2.0 and 1.5 V from the hour before.
  await conn.run(`INSERT INTO capacity_test VALUES (1, 1, '${dayIso(10.4 + 1 / 60)}', '${dayIso(10.5 + 1 / 24)}', 90.0)`);
  const hourly: string[] = [];
  const falls = [1.5, 1.2, 2.0, 1.5];
  falls.forEach((fall, i) => {
    hourly.push(`(${i + 1}, '${new Date(T0 + 10 * DAY + 9 * 3_600_000).toISOString()}', 13.5, 13.4)`);
    for (let h = 10; h < 13; h++) {
      const low = 13.5 - (fall * (h - 9)) / 3;
      hourly.push(`(${i + 1}, '${new Date(T0 + 10 * DAY + h * 3_600_000).toISOString()}', ${low + 0.1}, ${low})`);
    }
    // After the test: recharged readings lower than none of the test's.
    hourly.push(`(${i + 1}, '${new Date(T0 + 10 * DAY + 14 * 3_600_000).toISOString()}', 10, 10)`);
  });
  await conn.run(`INSERT INTO gold.jar_hourly (battery_id, bucket, voltage_mean, voltage_min) VALUES ${hourly.join(', ')}`);
  await conn.run(`INSERT INTO rul_prediction VALUES (2, '${dayIso(30)}', 100, 0.5, 'v1'), (2, '${dayIso(40)}', 42, 0.8, 'demo-rul-2')`);
}, 30_000);

afterAll(() => {
  conn?.closeSync();
  db?.closeSync();
});

async function analyse(settings: Partial<SohSettings> = {}, extra: { toMs?: number } = {}): Promise<Map<number, SohJarRow>> {
  const res = await runSoh(conn, { settings: SohSettingsSchema.parse(settings), ...extra });
  return new Map(res.rows.map((r) => [r.battery_id, r]));
}

/** Least squares of (x, y) computed here, independently of the SQL. */
function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number; se: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = xs.reduce((a, x, i) => a + (ys[i] - intercept - slope * x) ** 2, 0);
  return { slope, intercept, se: Math.sqrt(sse / (n - 2) / sxx) };
}

describe('knee point (two-segment fit)', () => {
  it('finds none on a straight line, and RUL reads the whole line', async () => {
    const jar = (await analyse()).get(1)!;
    expect(jar.knee_date).toBeNull();
    // Baseline: the mean of days 0-6 = 10 x 1.03; drift is a line of slope 1 / 1.03 % a day.
    expect(jar.baseline_mohm).toBeCloseTo(10.3, 6);
    expect(jar.slope_pct_per_day).toBeCloseTo(1 / 1.03, 4);
    expect(jar.slope_se).toBeCloseTo(0, 6);
    const yNow = (1.4 / 1.03 - 1) * 100;
    const days = (50 - yNow) / (1 / 1.03);
    expect(jar.rul.status).toBe('ok');
    expect(jar.rul.days).toBeCloseTo(days, 1);
    expect(jar.rul.horizonDays).toBe(80);
  });

  it('finds the knee on its exact day, with the slopes before and after it', async () => {
    const jar = (await analyse()).get(2)!;
    expect(jar.knee_date).toBe(dayIso(20));
    expect(jar.slope_pct_per_day).toBeCloseTo(1, 6);
    expect(jar.drift_pct).toBeCloseTo(20, 6);
    // Drift 20 % on day 40 rising 1 % a day: 30 days to +50 %, no spread on an exact line.
    expect(jar.rul).toMatchObject({ status: 'ok', days: 30, lowDays: 30, highDays: 30, threshold: 'resistance', thresholdDriftPct: 50 });
    expect(jar.soh_resistance_pct).toBeCloseTo(92, 6);
  });

  it('gives a range from the slope standard error of the segment after the knee', async () => {
    const jar = (await analyse()).get(3)!;
    expect(jar.knee_date).toBe(dayIso(20));
    const xs = Array.from({ length: 21 }, (_, i) => 20 + i);
    const baseline = 10;
    const fit = fitLine(
      xs,
      xs.map((x) => (SERIES[3](x) / baseline - 1) * 100),
    );
    expect(jar.slope_pct_per_day).toBeCloseTo(fit.slope, 4);
    expect(jar.slope_se).toBeCloseTo(fit.se, 4);
    const yNow = fit.intercept + fit.slope * 40;
    expect(jar.rul.days).toBeCloseTo((50 - yNow) / fit.slope, 1);
    expect(jar.rul.lowDays).toBeCloseTo((50 - yNow) / (fit.slope + 2 * fit.se), 1);
    expect(jar.rul.highDays).toBeCloseTo((50 - yNow) / (fit.slope - 2 * fit.se), 1);
    expect(jar.rul.lowDays!).toBeLessThan(jar.rul.days!);
    expect(jar.rul.highDays!).toBeGreaterThan(jar.rul.days!);
  });

  it('reports no knee where the slope falls (a plateau), nor on 3 days of history', async () => {
    const rows = await analyse();
    expect(rows.get(4)!.knee_date).toBeNull();
    expect(rows.get(5)!.knee_date).toBeNull();
    expect(rows.get(5)!.rul.status).toBe('not_enough_history');
    expect(rows.get(6)!.rul.status).toBe('no_data');
    expect(rows.get(6)!.soh_pct).toBeNull();
  });

  it('needs the rise after the knee to reach minKneeRisePct', async () => {
    // Jar 2 rises 20 points over its pre-knee line by day 40.
    expect((await analyse({ minKneeRisePct: 19.9 })).get(2)!.knee_date).toBe(dayIso(20));
    expect((await analyse({ minKneeRisePct: 20.1 })).get(2)!.knee_date).toBeNull();
  });
});

describe('RUL', () => {
  it('refuses to extrapolate beyond twice the observed history', async () => {
    // Jar 7: 9 days of history rising ~0.1 % a day: +50 % is ~500 days away, far beyond 18.
    const jar = (await analyse()).get(7)!;
    expect(jar.history_days).toBe(9);
    expect(jar.rul).toMatchObject({ status: 'not_enough_history', days: null, lowDays: null, highDays: null, horizonDays: 18 });
    // With an end of life of +1 % drift the crossing is ~4 days ahead: inside the horizon, so it is given.
    const near = (await analyse({ eolDriftPct: 1 })).get(7)!;
    expect(near.rul.status).toBe('ok');
    const slope = 0.1 / 1.003;
    expect(near.rul.days).toBeCloseTo((1 - (1.009 / 1.003 - 1) * 100) / slope, 1);
    // Jar 2 cut at day 25: drift 5 %, 25 days of history, 45 days to +50 %: within 50, so given; cut at day 23, refused.
    expect((await analyse({}, { toMs: T0 + 26 * DAY })).get(2)!.rul).toMatchObject({ status: 'ok', days: 45, horizonDays: 50 });
    expect((await analyse({}, { toMs: T0 + 24 * DAY })).get(2)!.rul.status).toBe('not_enough_history');
  });

  it('follows edited thresholds: resistance, SoH, whichever comes first', async () => {
    expect((await analyse({ eolDriftPct: 30 })).get(2)!.rul).toMatchObject({ status: 'ok', days: 10, threshold: 'resistance' });
    // 90 % SoH = +25 % drift: 5 days.
    expect((await analyse({ eolSohPct: 90 })).get(2)!.rul).toMatchObject({
      status: 'ok',
      days: 5,
      threshold: 'soh',
      thresholdDriftPct: 25,
    });
    expect((await analyse({ eolDriftPct: 15 })).get(2)!.rul).toMatchObject({ status: 'reached', days: 0 });
    expect(eolThreshold(DEFAULT_SOH_SETTINGS)).toEqual({ driftPct: 50, threshold: 'resistance' });
  });

  it('is computed from a fit alone, the same way', () => {
    const fit = { slope: 1, intercept: -20, slopeSe: 0.1, points: 21, lastX: 40, historyDays: 40 };
    expect(computeRul(fit, DEFAULT_SOH_SETTINGS)).toMatchObject({ status: 'ok', days: 30, lowDays: 25, highDays: 37.5 });
    expect(computeRul({ ...fit, slope: -0.5 }, DEFAULT_SOH_SETTINGS).status).toBe('not_enough_history');
    expect(computeRul({ ...fit, slopeSe: 0.3 }, DEFAULT_SOH_SETTINGS)).toMatchObject({ status: 'ok', lowDays: 18.8, highDays: 75 });
    // The latest crossing beyond the horizon (80 days) or never (slope - 2 SE <= 0): no upper bound is given.
    expect(computeRul({ ...fit, slopeSe: 0.35 }, DEFAULT_SOH_SETTINGS)).toMatchObject({ status: 'ok', days: 30, highDays: null });
    expect(computeRul({ ...fit, slopeSe: 0.6 }, DEFAULT_SOH_SETTINGS)).toMatchObject({ status: 'ok', days: 30, highDays: null });
    expect(computeRul(null, DEFAULT_SOH_SETTINGS).status).toBe('no_data');
  });

  it('rejects settings that make no sense with a clear error', () => {
    expect(SohSettingsSchema.safeParse({ eolSohPct: 120 }).success).toBe(false);
    expect(SohSettingsSchema.safeParse({ baselineDays: 0 }).success).toBe(false);
  });
});

describe('state of health', () => {
  it('gives each jar its share of the string capacity test by its voltage fall against the median', async () => {
    const rows = await analyse();
    // Falls 1.5, 1.2, 2.0, 1.5 V: median 1.5; 90 % x 1.5 / fall.
    expect([1, 2, 3, 4].map((id) => rows.get(id)!.soh_capacity_pct)).toEqual([90, 112.5, 67.5, 90]);
    expect(rows.get(1)!.capacity_tested_at).toBe(dayIso(10.5 + 1 / 24));
    expect(rows.get(5)!.soh_capacity_pct).toBeNull();
  });

  it('rounds a figure just below zero to 0, not -0, so every front door reports the same value', () => {
    const row = sohRowOf({ battery_id: 7, drift_pct: -0.001, seg_slope: -0.00001, baseline_mohm: 0.4 }, { ...DEFAULT_SOH_SETTINGS });
    expect(Object.is(row.drift_pct, 0)).toBe(true);
    expect(Object.is(row.slope_pct_per_day, 0)).toBe(true);
    expect(row.baseline_mohm).toBe(0.4);
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });

  it('reports the lower of the two figures and says which it is', async () => {
    const rows = await analyse();
    // Jar 3: capacity share 67.5 below its resistance figure (92 - noise): capacity_test.
    expect(rows.get(3)).toMatchObject({ soh_pct: 67.5, soh_source: 'capacity_test' });
    // Jar 2: resistance 92 below its 112.5 share.
    expect(rows.get(2)).toMatchObject({ soh_pct: 92, soh_source: 'resistance' });
    expect(rows.get(5)).toMatchObject({ soh_source: 'resistance' });
  });

  it('shows the latest rul_prediction row beside the computed figure, labelled by its model_version', async () => {
    const rows = await analyse();
    expect(rows.get(2)!.rul_table).toEqual({ source: 'demo-rul-2', days: 42, predictedAt: dayIso(40), confidence: 0.8 });
    expect(rows.get(2)!.rul.source).toBe('computed');
    expect(rows.get(1)!.rul_table).toBeNull();
    // Up to a time: the latest row before it, found in the last weeks first and further back otherwise.
    const v1 = { source: 'v1', days: 100, predictedAt: dayIso(30), confidence: 0.5 };
    expect((await analyse({}, { toMs: T0 + 35 * DAY })).get(2)!.rul_table).toEqual(v1);
    expect((await analyse({}, { toMs: T0 + 100 * DAY })).get(2)!.rul_table).toEqual({
      ...v1,
      source: 'demo-rul-2',
      days: 42,
      predictedAt: dayIso(40),
      confidence: 0.8,
    });
    expect((await analyse({}, { toMs: T0 + 30 * DAY })).get(2)!.rul_table).toBeNull();
  });
});

describe('the verdict in SQL (what the dashboard panels read)', () => {
  const cases: [string, Partial<SohSettings>, { toMs?: number }][] = [
    ['defaults', {}, {}],
    ['+30 % resistance', { eolDriftPct: 30 }, {}],
    ['90 % SoH', { eolSohPct: 90 }, {}],
    ['+1 % (jar 7 inside its horizon)', { eolDriftPct: 1 }, {}],
    ['reached', { eolDriftPct: 15 }, {}],
    ['cut at day 26', {}, { toMs: T0 + 26 * DAY }],
    ['cut at day 24', {}, { toMs: T0 + 24 * DAY }],
  ];
  it.each(cases)('gives the same RUL, range and SoH as the analysis (%s)', async (_name, partial, extra) => {
    const settings = SohSettingsSchema.parse(partial);
    const expected = await analyse(partial, extra);
    const rows = await queryRows(conn, `WITH ${sohCtes({ settings, ...extra })}, ${sohVerdictCte(settings)} SELECT * FROM soh_verdict`);
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const want = expected.get(Number(r.battery_id))!;
      const got = {
        status: r.rul_status,
        days: r.rul_days,
        lowDays: r.rul_low_days,
        highDays: r.rul_high_days,
        horizonDays: r.horizon_days,
        threshold: r.rul_threshold,
        thresholdDriftPct: r.eol_drift_pct,
      };
      expect(got, `jar ${String(r.battery_id)}`).toEqual({
        status: want.rul.status,
        days: want.rul.days,
        lowDays: want.rul.lowDays,
        highDays: want.rul.highDays,
        horizonDays: want.rul.horizonDays,
        threshold: want.rul.threshold,
        thresholdDriftPct: want.rul.thresholdDriftPct,
      });
      expect(r.soh_source ?? null, `jar ${String(r.battery_id)}`).toBe(want.soh_source);
      if (want.soh_pct === null) expect(r.soh_pct).toBeNull();
      else expect(Math.abs(Number(r.soh_pct) - want.soh_pct), `jar ${String(r.battery_id)}`).toBeLessThanOrEqual(0.05 + 1e-9);
    }
  });

  it('the cases between them cover every status the panels show', async () => {
    const seen = new Set<string>();
    for (const [, partial, extra] of cases) for (const r of (await analyse(partial, extra)).values()) seen.add(r.rul.status);
    expect([...seen].sort()).toEqual(['no_data', 'not_enough_history', 'ok', 'reached']);
  });
});
