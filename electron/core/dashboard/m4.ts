import { GRAIN_MS, type Grain } from '../rollups/gold-schema';

/**
 * M4 downsampling in SQL (Jugel et al., VLDB 2014): split [from, to) into one bucket per pixel and keep,
 * per series and bucket, the first, last, minimum and maximum point. A line drawn through those points is
 * pixel-identical to one drawn through every reading, and a year of 5-minute data becomes <= 4 x width rows.
 */

export type Resolution = { kind: 'raw'; bucketMs: number } | { kind: Grain; bucketMs: number };

/** Below this bucket width the series reads raw readings; above, the hourly (or daily) rollups. */
export const RAW_MAX_BUCKET_MS = 15 * 60_000;

/** Pick the source: raw readings for short ranges, hourly rollups with whole-hour buckets, daily with whole days. */
export function chooseResolution(fromMs: number, toMs: number, width: number): Resolution {
  const px = Math.max(1, (toMs - fromMs) / Math.max(1, width));
  if (px < RAW_MAX_BUCKET_MS) return { kind: 'raw', bucketMs: Math.max(1, Math.ceil(px)) };
  const grain: Grain = px < GRAIN_MS.daily ? 'hourly' : 'daily';
  const g = GRAIN_MS[grain];
  return { kind: grain, bucketMs: Math.ceil(px / g) * g };
}

function num(n: number, exponent = false): string {
  if (!Number.isFinite(n)) throw new Error(`Not a number: ${n}`);
  return exponent ? n.toExponential() : String(n);
}

function int(n: number): string {
  return num(Math.round(n));
}

/**
 * M4 over a relation of points `(k, ts, v)`: `position(expr)` turns a `ts` into a number on the axis, on which
 * buckets are [origin + i*bucket, origin + (i+1)*bucket). Returns (k, t, v), t the position as DOUBLE, by k and t.
 */
function m4PointsSql(points: string, position: (expr: string) => string, origin: string, bucket: string): string {
  return `WITH points AS (
  ${points}
), buckets AS (
  SELECT k, ts, CAST(v AS DOUBLE) AS v, CAST(floor((${position('ts')} - ${origin}) / ${bucket}) AS BIGINT) AS px
  FROM points WHERE v IS NOT NULL
), m4 AS (
  -- Ties broken by the other member of the pair (the earliest of equal minima, the latest of equal maxima; at one
  -- time, the lowest value first and the highest last): the same points every run, whatever order threads aggregate in.
  SELECT k, px,
    min(ts) AS t1, arg_min(v, {'t': ts, 'v': v}) AS v1,
    arg_min(ts, {'v': v, 't': ts}) AS t2, min(v) AS v2,
    arg_max(ts, {'v': v, 't': ts}) AS t3, max(v) AS v3,
    max(ts) AS t4, arg_max(v, {'t': ts, 'v': v}) AS v4
  FROM buckets GROUP BY k, px
)
SELECT DISTINCT k, t, v FROM (
  SELECT k, CAST(${position('unnest([t1, t2, t3, t4])')} AS DOUBLE) AS t, unnest([v1, v2, v3, v4]) AS v FROM m4
)
ORDER BY k, t`;
}

/**
 * M4 over a relation of raw points. `points` is a SELECT yielding (k, ts TIMESTAMPTZ, v): k names the
 * series (e.g. a string id), ts the time and v the value. Buckets are [from + i*bucket, from + (i+1)*bucket).
 * Returns (k, t, v) with t in epoch milliseconds, ordered by k and t.
 */
export function m4RawSql(points: string, fromMs: number, bucketMs: number): string {
  return m4PointsSql(points, (expr) => `epoch_ms(${expr})`, int(fromMs), int(bucketMs));
}

/**
 * M4 over points whose `ts` is already a number (DOUBLE), e.g. a numeric x axis: buckets of any (fractional)
 * width from `from`. Returns (k, t, v) like m4RawSql.
 */
export function m4NumericSql(points: string, from: number, bucket: number): string {
  if (!(bucket > 0)) throw new Error(`Not a bucket width: ${bucket}`);
  // Exponent literals: DuckDB reads them as the very same doubles (a decimal literal is cast, and may miss by an ulp).
  return m4PointsSql(points, (expr) => expr, num(from, true), num(bucket, true));
}

/** The bucket (ms, whole) that splits [from, to] into at most `width` pixel columns, both ends included. */
export function pixelBucketMs(fromMs: number, toMs: number, width: number): number {
  return Math.max(1, Math.ceil((toMs - fromMs) / Math.max(1, width - 1)));
}

/**
 * M4 from a rollup (hourly or daily rows with first/last/min/max and their times). `rows` is a SELECT
 * yielding (k, bucket, first_ts, last_ts, v_first, v_last, v_min, v_max, v_min_ts, v_max_ts). Chart buckets
 * are whole multiples of the rollup's grain, aligned to it, so the result equals M4 on the raw readings
 * with the same buckets.
 */
export function m4RollupSql(rows: string, fromMs: number, bucketMs: number, grain: Grain): string {
  const g = GRAIN_MS[grain];
  const origin = Math.floor(fromMs / g) * g;
  return `WITH rollup AS (
  ${rows}
), buckets AS (
  SELECT *, CAST(floor((epoch_ms(bucket) - ${int(origin)}) / ${int(bucketMs)}) AS BIGINT) AS px FROM rollup
), m4 AS (
  SELECT k, px,
    min(first_ts) AS t1, CAST(arg_min(v_first, first_ts) AS DOUBLE) AS v1,
    arg_min(v_min_ts, v_min) AS t2, CAST(min(v_min) AS DOUBLE) AS v2,
    arg_max(v_max_ts, v_max) AS t3, CAST(max(v_max) AS DOUBLE) AS v3,
    max(last_ts) AS t4, CAST(arg_max(v_last, last_ts) AS DOUBLE) AS v4
  FROM buckets GROUP BY k, px
)
SELECT DISTINCT k, t, v FROM (
  SELECT k, CAST(epoch_ms(unnest([t1, t2, t3, t4])) AS DOUBLE) AS t, unnest([v1, v2, v3, v4]) AS v FROM m4
)
ORDER BY k, t`;
}

/** The first bucket start a rollup read must include for [from, to) at a grain. */
export function alignedFrom(fromMs: number, grain: Grain): number {
  const g = GRAIN_MS[grain];
  return Math.floor(fromMs / g) * g;
}
