import type { AnomalyThresholds } from '../../../shared/domain/analytics';
import { DAY_MS, SLOT_MS } from '../../../shared/domain/demo-scale';
import { tsAt } from '../dashboard/scope-sql';
import { lit } from '../demo/demo-sql';
import { SIBLING_HOURLY, momentKey } from '../rollups/gold-schema';

/**
 * Sibling anomalies as DuckDB SQL: each jar against the other jars of its string at the same moment.
 *
 * Which rows: a range of at most RAW_MAX_MS reads the raw 5-minute readings (the unified `telemetry` and
 * `string_telemetry` views); a longer one reads the gold hourly rollups (gold.jar_hourly, gold.string_hourly), each
 * jar's hourly mean standing for its hour. A year over the whole fleet is then 2,376 jars x 8,760 hours instead of
 * 250M readings.
 */
export const RAW_MAX_MS = 3 * DAY_MS;

export type AnomalyResolution = 'raw' | 'hourly';

export function chooseAnomalyResolution(fromMs: number, toMs: number, asked: 'auto' | AnomalyResolution): AnomalyResolution {
  if (asked !== 'auto') return asked;
  return toMs - fromMs <= RAW_MAX_MS ? 'raw' : 'hourly';
}

export interface AnomalySqlOptions {
  fromMs: number;
  toMs: number;
  stringId?: number | undefined;
  batteryId?: number | undefined;
  resolution: AnomalyResolution;
}

const STEP_MS: Readonly<Record<AnomalyResolution, number>> = { raw: SLOT_MS, hourly: 3_600_000 };

const METRICS = ['voltage', 'temperature', 'resistance'] as const;

/**
 * CTEs `jar_points` (k, string_id, battery_id, ts, voltage, temperature, resistance: one row per jar and moment, from
 * raw readings or hourly means; k is momentKey), `string_ambient` (k, ambient) and `moment_stats` (k and, per metric,
 * the jars' count n, mean and Q: the sum of squared deviations from the mean). Hourly, moment_stats is read from
 * gold.sibling_hourly, kept with the jar rollups; raw, it is one GROUP BY of jar_points, which is then NOT MATERIALIZED:
 * read twice (once per string and moment, once per jar), a scan costs less than storing millions of rows in between.
 */

function pointsCte(o: AnomalySqlOptions): string {
  const strings =
    o.stringId !== undefined
      ? ` AND b.string_id = ${lit(o.stringId)}`
      : o.batteryId !== undefined
        ? ` AND b.string_id = (SELECT string_id FROM battery WHERE battery_id = ${lit(o.batteryId)})`
        : '';
  if (o.resolution === 'raw') {
    const range = (c: string): string => `${c} >= ${tsAt(o.fromMs)} AND ${c} < ${tsAt(o.toMs)}`;
    return `jar_points AS NOT MATERIALIZED (
  SELECT ${momentKey('b.string_id', 't.ts')} AS k, b.string_id, t.battery_id, t.ts, CAST(t.voltage_v AS DOUBLE) AS voltage, CAST(t.temperature_c AS DOUBLE) AS temperature,
    CAST(t.resistance_mohm AS DOUBLE) AS resistance
  FROM telemetry t JOIN battery b ON b.battery_id = t.battery_id
  WHERE ${range('t.ts')}${strings}
), string_ambient AS (
  SELECT ${momentKey('string_id', 'ts')} AS k, CAST(ambient_c AS DOUBLE) AS ambient FROM string_telemetry WHERE ${range('ts')}
), moment_stats AS (
  SELECT k,
    ${METRICS.map((m) => `count(${m}) AS n_${m}, avg(${m}) AS mean_${m}, var_pop(${m}) * count(${m}) AS q_${m}`).join(',\n    ')}
  FROM jar_points GROUP BY k
)`;
  }
  // Hourly buckets that start in [from, to): from is taken down to its hour.
  const from = tsAt(Math.floor(o.fromMs / 3_600_000) * 3_600_000);
  const range = (c: string): string => `${c} >= ${from} AND ${c} < ${tsAt(o.toMs)}`;
  return `jar_points AS NOT MATERIALIZED (
  SELECT ${momentKey('b.string_id', 'j.bucket')} AS k, b.string_id, j.battery_id, j.bucket AS ts, j.voltage_mean AS voltage, j.temperature_mean AS temperature,
    j.resistance_mean AS resistance
  FROM gold.jar_hourly j JOIN battery b ON b.battery_id = j.battery_id
  WHERE ${range('j.bucket')}${strings}
), string_ambient AS (
  SELECT ${momentKey('string_id', 'bucket')} AS k, ambient_mean AS ambient FROM gold.string_hourly WHERE ${range('bucket')}${strings.replaceAll('b.string_id', 'string_id')}
), moment_stats AS (
  SELECT k, ${METRICS.map((m) => `n_${m}, mean_${m}, q_${m}`).join(', ')} FROM ${SIBLING_HOURLY} WHERE ${range('bucket')}${strings.replaceAll('b.string_id', 'string_id')}
)`;
}

/**
 * Per string and moment, the least d^2 of a jar whose |z| reaches zMin: z^2 = d^2 n^2 (n - 2) / ((n - 1)^2 (Q - d^2 n / (n - 1)))
 * solved for d^2, so each jar's test is one multiplication and a comparison (null with fewer than 3 jars).
 */
function d2AtLeast(m: string, zMin: number): string {
  const [n, q, z2] = [`n_${m}`, `q_${m}`, lit(zMin * zMin)];
  return `CASE WHEN ${n} >= 3 THEN ${z2} * (${n} - 1) * (${n} - 1) * ${q} / (${n} * ${n} * (${n} - 2) + ${z2} * ${n} * (${n} - 1)) END`;
}

/**
 * CTEs `jar_points` and `z`: per jar, moment and metric, the value and its leave-one-out z-score: the jar against
 * the mean and sample standard deviation of the other jars of its string at that moment,
 *   z = (x - mean_others) / sd_others,
 * computed from the deviations d = x - mean_all (Q = sum of d^2 over the string, n jars with a value):
 *   mean_others = mean_all - d / (n - 1),  sd_others^2 = (Q - d^2 n / (n - 1)) / (n - 2),  z = d n / (n - 1) / sd_others.
 * Null with fewer than 3 jars at the moment or when the siblings all read the same.
 *
 * n, mean and Q of each string and moment (`moment_stats`) are joined back to the jars: a window partitioned by
 * string and moment is a sort of every reading into ~200k tiny partitions, 20x slower at 90 days.
 * With `only`, just the rows that may be an outlier or a hotspot under those thresholds are kept before their z-scores
 * are computed and they are turned into one row per metric: a jar whose d^2 reaches its moment's cut (d2AtLeast) or
 * whose temperature is hotspotC over the ambient.
 */
export function zCtes(o: AnomalySqlOptions, only?: AnomalyThresholds): string {
  const each = (f: (m: string) => string): string => METRICS.map(f).join(',\n    ');
  const keep = only
    ? ` WHERE ${METRICS.map((m) => `d_${m} * d_${m} >= cut_${m}`).join(' OR ')} OR x_temperature - ambient >= ${lit(only.hotspotC)}`
    : '';
  return `${pointsCte(o)}, moment_cut AS (
  SELECT *,
    ${each((m) => `${only ? d2AtLeast(m, only.zMin) : 'NULL::DOUBLE'} AS cut_${m}`)}
  FROM moment_stats
), moment AS (
  -- The string's ambient joins each string and moment once, not each jar.
  SELECT m.*, a.ambient FROM moment_cut m LEFT JOIN string_ambient a ON a.k = m.k
), dev AS (
  SELECT p.string_id, p.battery_id, p.ts, s.ambient,
    ${each((m) => `p.${m} AS x_${m}, p.${m} - s.mean_${m} AS d_${m}, s.n_${m}, s.q_${m}, s.cut_${m}`)}
  FROM jar_points p JOIN moment s ON s.k = p.k
), rest AS (
  SELECT *,
    ${each((m) => `q_${m} - d_${m} * d_${m} * n_${m} / (n_${m} - 1) AS r_${m}`)}
  FROM dev
), kept AS MATERIALIZED (
  SELECT * FROM rest${keep}
), wide AS (
  SELECT string_id, battery_id, ts, ambient,
    ${each(
      (m) =>
        `x_${m}, d_${m} * n_${m} / (n_${m} - 1) / sqrt(CASE WHEN n_${m} >= 3 AND r_${m} > 1e-12 * greatest(q_${m}, 1e-300) THEN r_${m} / (n_${m} - 2) END) AS z_${m}`,
    )}
  FROM kept
), z AS (
  SELECT string_id, battery_id, ts, ambient, metric, x, z FROM (
    UNPIVOT wide ON ${METRICS.map((m) => `(x_${m}, z_${m}) AS ${m}`).join(', ')} INTO NAME metric VALUE x, z
  ) WHERE x IS NOT NULL
)`;
}

/**
 * Runs of consecutive moments of `flagged` (the rows on which the condition holds, per jar and `part`), a gap of more
 * than one step and a half ending a run (a moment without the condition, or without a reading), kept when they last
 * at least minHours (the last moment counts for one step). Only flagged rows are windowed: few, even over a year.
 */
function episodes(flagged: string, part: string, score: string, mean: string, stepMs: number, minHours: number): string {
  return `SELECT string_id, battery_id, ${part} AS part, min(ts) AS start_ts,
    max(ts) + to_milliseconds(${lit(stepMs)}) AS end_ts, max(${score}) AS score, avg(${mean}) AS mean, count(*) AS readings
  FROM (
    SELECT *, sum(brk) OVER (PARTITION BY battery_id, ${part} ORDER BY ts ROWS UNBOUNDED PRECEDING) AS grp
    FROM (
      SELECT *, CASE WHEN epoch_ms(ts) - epoch_ms(lag(ts) OVER (PARTITION BY battery_id, ${part} ORDER BY ts)) <= ${lit(stepMs * 1.5)}
        THEN 0 ELSE 1 END AS brk
      FROM ${flagged}
    )
  )
  GROUP BY string_id, battery_id, ${part}, grp
  HAVING epoch_ms(max(ts)) - epoch_ms(min(ts)) + ${lit(stepMs)} >= ${lit(minHours * 3_600_000)}`;
}

/** Persistent outliers (|z| >= zMin) and hotspots (temperature - ambient >= hotspotC), each at least minHours long. */
export function anomaliesSql(o: AnomalySqlOptions, t: AnomalyThresholds): string {
  const step = STEP_MS[o.resolution];
  const outliers = episodes(`(SELECT * FROM z WHERE abs(z) >= ${lit(t.zMin)})`, 'metric', 'abs(z)', 'z', step, t.minHours);
  const hot = episodes(
    `(SELECT *, x - ambient AS excess FROM z WHERE metric = 'temperature' AND x - ambient >= ${lit(t.hotspotC)})`,
    "'hotspot'",
    'excess',
    'excess',
    step,
    t.minHours,
  );
  return `WITH ${zCtes(o, t)}
SELECT battery_id, string_id, kind, start_ts AS start, end_ts AS "end", round(score, 4) AS score, round(mean, 4) AS mean, readings
FROM (
  SELECT *, part || '_outlier' AS kind FROM (${outliers})
  UNION ALL
  SELECT *, 'hotspot' AS kind FROM (${hot})
)
ORDER BY score DESC, battery_id, kind, start`;
}

/** CTEs `jar_points` and `s`: per string and moment with at least two jars, the voltage spread (max - min jar voltage). */
function spreadCtes(o: AnomalySqlOptions): string {
  return `${pointsCte(o)}, s AS (
  SELECT string_id, ts, max(voltage) - min(voltage) AS spread FROM jar_points GROUP BY string_id, ts HAVING count(*) >= 2
)`;
}

/** Per string, the voltage spread at each moment of the range (raw readings or hourly means). */
export function spreadSeriesSql(o: AnomalySqlOptions): string {
  return `WITH ${spreadCtes(o)}
SELECT string_id, ts, round(spread, 4) AS spread FROM s ORDER BY string_id, ts`;
}

/** Per string over the range: the voltage spread (max - min jar voltage at a moment): its max (and when), mean and last. */
export function spreadSql(o: AnomalySqlOptions): string {
  return `WITH ${spreadCtes(o)}
SELECT string_id, round(max(spread), 4) AS max_v, arg_max(ts, spread) AS max_at, round(avg(spread), 4) AS mean_v,
  round(arg_max(spread, ts), 4) AS last_v
FROM s GROUP BY string_id ORDER BY max_v DESC, string_id`;
}

/** One jar's z-score per moment and metric. */
export function jarZSql(o: AnomalySqlOptions & { batteryId: number }): string {
  return `WITH ${zCtes(o)}
SELECT ts, metric, x AS value, z FROM z WHERE battery_id = ${lit(o.batteryId)} ORDER BY ts, metric`;
}
