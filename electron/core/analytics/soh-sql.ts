import { RUL_MAX_EXTRAPOLATION, RUL_SE_FACTOR, SOH_KNEE, SOH_PER_DRIFT_PCT, type SohSettings } from '../../../shared/api/soh';
import { RECENT_DAYS } from '../dashboard/health-sql';
import { tsAt } from '../dashboard/scope-sql';
import { lit } from '../demo/demo-sql';
import { FAMILIES, firstDaysOf, rollupTable } from '../rollups/gold-schema';
import { eolThreshold } from './soh-rul';

export interface SohQuery {
  settings: SohSettings;
  /** Only this jar. */
  batteryId?: number;
  /** Fitted days (and tests, predictions) in [fromMs, toMs); the baseline is always the jar's first days. */
  fromMs?: number;
  toMs?: number;
  /**
   * The relations read in place of the gold rollups (the benchmark's same analysis over raw telemetry): `daily` with
   * battery_id, bucket, resistance_mean, n; `hourly` with battery_id, bucket, voltage_mean, voltage_min.
   */
  sources?: { daily: string; hourly: string };
}

/** What the analysis reads. */
export const SOH_SOURCE = 'gold.jar_daily, gold.jar_hourly, capacity_test, rul_prediction';

/**
 * Sums of a segment's points (n, Σx, Σy, Σx², Σxy, Σy²) → its least-squares line: slope, intercept, the centred Σx²
 * (for the slope's standard error) and the squared error left (never below 0 from rounding).
 */
function lineColumns(p: string): string {
  const sxxc = `(${p}sxx - ${p}sx * ${p}sx / ${p}n)`;
  const sxyc = `(${p}sxy - ${p}sx * ${p}sy / ${p}n)`;
  const syyc = `(${p}syy - ${p}sy * ${p}sy / ${p}n)`;
  return [
    `${sxyc} / nullif(${sxxc}, 0) AS ${p}slope`,
    `(${p}sy - ${sxyc} / nullif(${sxxc}, 0) * ${p}sx) / ${p}n AS ${p}intercept`,
    `${sxxc} AS ${p}sxxc`,
    `greatest(0, ${syyc} - ${sxyc} * ${sxyc} / nullif(${sxxc}, 0)) AS ${p}sse`,
  ].join(',\n    ');
}

/**
 * CTEs (without the leading WITH) ending in `soh_fit`: per jar, the daily resistance-drift series of `daily`
 * (a relation of battery_id, bucket, resistance_mean, n: gold.jar_daily) fitted by one line and by the best two-segment
 * line (the breakpoint day belongs to both segments; the one of least total squared error wins, the earlier on a tie).
 * A knee is reported when the two segments leave at most SOH_KNEE.maxErrorRatio of the line's squared error AND the
 * slope rises after the breakpoint enough to add `minKneeRisePct` points of drift by the last day.
 * x is days since the jar's first daily row; y is drift % over the baseline (the reading-weighted mean of the first
 * `baselineDays` days).
 */
export function sohFitCtes(q: SohQuery, daily: string = q.sources?.daily ?? rollupTable(FAMILIES.jar, 'daily')): string {
  const s = q.settings;
  const m = SOH_KNEE.minSegmentPoints;
  const jar = q.batteryId !== undefined ? `WHERE battery_id = ${lit(q.batteryId)}` : '';
  const range = [
    q.fromMs !== undefined ? `d.bucket >= ${tsAt(q.fromMs)}` : null,
    q.toMs !== undefined ? `d.bucket < ${tsAt(q.toMs)}` : null,
  ].filter((c): c is string => c !== null);
  // A jar's first day and baseline from its first days (gold.jar_first_days) when they hold the baseline; not for another source.
  const first = daily === rollupTable(FAMILIES.jar, 'daily') ? firstDaysOf(s.baselineDays) : daily;
  const early = first === daily ? 'soh_daily' : 'soh_early';
  return `soh_daily AS (
  SELECT battery_id, bucket, CAST(resistance_mean AS DOUBLE) AS r, n FROM ${daily} ${jar}
), ${
    early === 'soh_early'
      ? `soh_early AS (
  SELECT battery_id, bucket, CAST(resistance_mean AS DOUBLE) AS r, n FROM ${first} ${jar}
), `
      : ''
  }soh_first AS (
  SELECT battery_id, min(bucket) AS d0 FROM ${early} GROUP BY battery_id
), soh_base AS (
  SELECT d.battery_id, sum(d.r * d.n) / sum(d.n) AS baseline_mohm
  FROM ${early} d JOIN soh_first f USING (battery_id)
  WHERE d.bucket < f.d0 + to_days(${lit(s.baselineDays)}) AND d.r IS NOT NULL
  GROUP BY d.battery_id
), soh_pts AS (
  SELECT d.battery_id, d.bucket AS day, d.r, (epoch(d.bucket) - epoch(f.d0)) / 86400.0 AS x, (d.r / b.baseline_mohm - 1) * 100 AS y
  FROM soh_daily d JOIN soh_first f USING (battery_id) JOIN soh_base b USING (battery_id)
  WHERE d.r IS NOT NULL${range.map((c) => ` AND ${c}`).join('')}
), soh_cum AS (
  SELECT battery_id, day, x, y,
    count(*) OVER w AS cn, sum(x) OVER w AS csx, sum(y) OVER w AS csy,
    sum(x * x) OVER w AS csxx, sum(x * y) OVER w AS csxy, sum(y * y) OVER w AS csyy
  FROM soh_pts
  WINDOW w AS (PARTITION BY battery_id ORDER BY x ROWS UNBOUNDED PRECEDING)
), soh_tot AS (
  SELECT battery_id, count(*) AS t_n, sum(x) AS t_sx, sum(y) AS t_sy, sum(x * x) AS t_sxx, sum(x * y) AS t_sxy, sum(y * y) AS t_syy,
    min(x) AS x0, max(x) AS xn, min(day) AS first_day, max(day) AS last_day, arg_max(r, x) AS current_mohm
  FROM soh_pts GROUP BY battery_id
), soh_cand AS (
  -- Each candidate breakpoint k: the left segment is every point up to k, the right one k and every later point.
  SELECT c.battery_id, c.day, c.x,
    c.cn AS l_n, c.csx AS l_sx, c.csy AS l_sy, c.csxx AS l_sxx, c.csxy AS l_sxy, c.csyy AS l_syy,
    t.t_n - c.cn + 1 AS r_n, t.t_sx - c.csx + c.x AS r_sx, t.t_sy - c.csy + c.y AS r_sy,
    t.t_sxx - c.csxx + c.x * c.x AS r_sxx, t.t_sxy - c.csxy + c.x * c.y AS r_sxy, t.t_syy - c.csyy + c.y * c.y AS r_syy
  FROM soh_cum c JOIN soh_tot t USING (battery_id)
  WHERE c.cn >= ${lit(m)} AND t.t_n - c.cn + 1 >= ${lit(m)}
), soh_cand_fit AS (
  SELECT battery_id, day, x, r_n,
    ${lineColumns('l_')},
    ${lineColumns('r_')}
  FROM soh_cand
), soh_best AS (
  SELECT battery_id, day AS knee_day, x AS knee_x, l_slope, r_slope, r_intercept, r_sxxc, r_sse, r_n, l_sse + r_sse AS sse2
  FROM soh_cand_fit
  QUALIFY row_number() OVER (PARTITION BY battery_id ORDER BY l_sse + r_sse, x) = 1
), soh_line AS (
  SELECT *, ${lineColumns('t_')} FROM soh_tot
), soh_knee AS (
  SELECT l.*, b.baseline_mohm, k.knee_day, k.knee_x, k.l_slope, k.r_slope, k.r_intercept, k.r_sxxc, k.r_sse, k.r_n, k.sse2,
    coalesce(l.t_sse > 1e-9 * l.t_n AND k.sse2 <= ${lit(SOH_KNEE.maxErrorRatio)} * l.t_sse
      AND (k.r_slope - k.l_slope) * (l.xn - k.knee_x) >= ${lit(s.minKneeRisePct)}, false) AS has_knee
  FROM soh_line l JOIN soh_base b USING (battery_id) LEFT JOIN soh_best k USING (battery_id)
), soh_fit AS (
  -- The line RUL reads: the segment after the knee, or the whole series.
  SELECT battery_id, t_n AS points, x0, xn, first_day, last_day, baseline_mohm, current_mohm,
    (current_mohm / baseline_mohm - 1) * 100 AS drift_pct,
    CASE WHEN has_knee THEN knee_day END AS knee_day,
    CASE WHEN has_knee THEN r_slope ELSE t_slope END AS seg_slope,
    CASE WHEN has_knee THEN r_intercept ELSE t_intercept END AS seg_intercept,
    CASE WHEN has_knee THEN r_n ELSE t_n END AS seg_n,
    CASE WHEN has_knee THEN sqrt(r_sse / nullif(r_n - 2, 0) / nullif(r_sxxc, 0))
      ELSE sqrt(t_sse / nullif(t_n - 2, 0) / nullif(t_sxxc, 0)) END AS seg_se,
    t_sse AS sse1, sse2
  FROM soh_knee
)`;
}

/**
 * The whole analysis as CTEs (without the leading WITH) ending in `soh_jar`, one row per jar of `battery`: the fit
 * (sohFitCtes), each jar's share of its string's latest capacity test, and the latest rul_prediction row. The
 * dashboards' SoH panels build on it (dashboard/soh-panels.ts), so "Open as SQL" shows what computed them.
 */
export function sohCtes(q: SohQuery): string {
  const jarWhere = q.batteryId !== undefined ? ` WHERE b.battery_id = ${lit(q.batteryId)}` : '';
  const testRange = [
    q.fromMs !== undefined ? `t.started_at >= ${tsAt(q.fromMs)}` : null,
    q.toMs !== undefined ? `t.ended_at <= ${tsAt(q.toMs)}` : null,
    // One jar: its string's tests, whose every jar is still read (a jar's share is against its siblings).
    q.batteryId !== undefined ? `t.string_id = (SELECT string_id FROM battery WHERE battery_id = ${lit(q.batteryId)})` : null,
  ].filter((c): c is string => c !== null);
  const latest = (where: string): string =>
    `SELECT battery_id, arg_max(rul_days, predicted_at) AS rul_days, max(predicted_at) AS predicted_at,
    arg_max(CAST(confidence AS DOUBLE), predicted_at) AS confidence, arg_max(model_version, predicted_at) AS model_version
  FROM ${where} GROUP BY battery_id`;
  // Up to a time: each jar's latest prediction is looked for in the last RECENT_DAYS first (the view's files of those
  // days), and before them only for the jars without one there, as the health panels find a jar's current day.
  const rulTable =
    q.toMs === undefined
      ? latest('rul_prediction')
      : `${latest(`rul_prediction WHERE predicted_at >= ${tsAt(q.toMs - RECENT_DAYS * 86_400_000)} AND predicted_at < ${tsAt(q.toMs)}`)}
), soh_rul_older AS (
  ${latest(`rul_prediction JOIN (SELECT battery_id FROM battery ANTI JOIN soh_rul_recent USING (battery_id)) USING (battery_id) WHERE predicted_at < ${tsAt(q.toMs - RECENT_DAYS * 86_400_000)}`)}
), soh_rul_table AS (
  SELECT * FROM soh_rul_recent UNION ALL SELECT * FROM soh_rul_older`;
  const hourly = q.sources?.hourly ?? rollupTable(FAMILIES.jar, 'hourly');
  return `${sohFitCtes(q)}, soh_test AS (
  SELECT t.test_id, t.string_id, t.ended_at, CAST(t.capacity_pct AS DOUBLE) AS capacity_pct,
    to_timestamp(floor(epoch(t.started_at) / 3600) * 3600) AS h0
  FROM capacity_test t WHERE t.capacity_pct IS NOT NULL${testRange.map((c) => ` AND ${c}`).join('')}
), soh_test_jar AS (
  -- Each jar's voltage fall during its string's test: its mean in the hour before against its lowest reading in the test.
  SELECT t.test_id, t.ended_at, t.capacity_pct, b.battery_id,
    max(CAST(h.voltage_mean AS DOUBLE)) FILTER (WHERE h.bucket < t.h0)
      - min(CAST(h.voltage_min AS DOUBLE)) FILTER (WHERE h.bucket >= t.h0) AS fall
  FROM soh_test t JOIN battery b ON b.string_id = t.string_id
  JOIN ${hourly} h ON h.battery_id = b.battery_id AND h.bucket >= t.h0 - INTERVAL 1 HOUR AND h.bucket < t.ended_at
  GROUP BY ALL
), soh_test_share AS (
  SELECT *, median(fall) OVER (PARTITION BY test_id) AS median_fall FROM soh_test_jar
), soh_capacity AS (
  -- A jar's share of the string's measured capacity: the string's figure x the median fall / the jar's own fall.
  SELECT battery_id, arg_max(CASE WHEN fall > 0 AND median_fall > 0 THEN capacity_pct * median_fall / fall END, ended_at) AS soh_capacity_pct,
    max(ended_at) AS capacity_tested_at
  FROM soh_test_share GROUP BY battery_id
), ${q.toMs === undefined ? 'soh_rul_table' : 'soh_rul_recent'} AS (
  ${rulTable}
), soh_jar AS (
  SELECT b.battery_id,
    c.soh_capacity_pct, epoch_ms(c.capacity_tested_at) AS capacity_tested_ms,
    100 - ${lit(SOH_PER_DRIFT_PCT)} * f.drift_pct AS soh_resistance_pct,
    f.baseline_mohm, f.current_mohm, f.drift_pct, f.points, f.x0, f.xn,
    epoch_ms(f.first_day) AS first_ms, epoch_ms(f.last_day) AS last_ms, epoch_ms(f.knee_day) AS knee_ms,
    f.seg_slope, f.seg_intercept, f.seg_n, f.seg_se, f.sse1, f.sse2,
    r.rul_days AS table_rul_days, epoch_ms(r.predicted_at) AS table_predicted_ms, r.confidence AS table_confidence,
    r.model_version AS table_model_version
  FROM battery b
  LEFT JOIN soh_fit f USING (battery_id)
  LEFT JOIN soh_capacity c USING (battery_id)
  LEFT JOIN soh_rul_table r USING (battery_id)${jarWhere}
)`;
}

/** The whole analysis as one readable query (sohCtes), one row per jar. */
export function sohSql(q: SohQuery): string {
  return `WITH ${sohCtes(q)}
SELECT * FROM soh_jar ORDER BY battery_id`;
}

/** A number from code as a DOUBLE literal (never a DECIMAL, so the arithmetic is the same as in JavaScript). */
const dbl = (n: number): string => `${lit(n)}::DOUBLE`;
/** Rounded to one decimal as Math.round does (half up), as computeRul rounds. */
const round1 = (e: string): string => `floor((${e}) * 10 + 0.5) / 10`;

/**
 * The CTE `soh_verdict` (to follow sohCtes): per jar, the conservative SoH (the lower of the capacity-test share and the
 * resistance figure, and which it is) and the computed RUL, the same arithmetic as computeRul (soh-rul.ts) in SQL so a
 * panel's rows and its exported data come from one readable query: days until the fitted line (the segment after the
 * knee, or the whole series) reaches the end-of-life drift, with the earliest and latest crossing at slope +/- 2
 * standard errors, never further ahead than twice the observed history (`not_enough_history` instead).
 */
export function sohVerdictCte(settings: SohSettings): string {
  const eol = eolThreshold(settings);
  const e = dbl(eol.driftPct);
  const se = `${dbl(RUL_SE_FACTOR)} * seg_se`;
  const days = `(${e} - y_now) / seg_slope`;
  const high = `(${e} - y_now) / (seg_slope - ${se})`;
  return `soh_verdict AS (
  SELECT battery_id, soh_capacity_pct, soh_resistance_pct,
    CASE WHEN soh_resistance_pct IS NULL OR soh_capacity_pct <= soh_resistance_pct THEN soh_capacity_pct ELSE soh_resistance_pct END AS soh_pct,
    CASE WHEN soh_resistance_pct IS NULL OR soh_capacity_pct <= soh_resistance_pct THEN
      CASE WHEN soh_capacity_pct IS NOT NULL THEN 'capacity_test' END ELSE 'resistance' END AS soh_source,
    rul_status,
    CASE rul_status WHEN 'ok' THEN ${round1(days)} WHEN 'reached' THEN 0 END AS rul_days,
    CASE rul_status WHEN 'ok' THEN ${round1(`(${e} - y_now) / (seg_slope + ${se})`)} WHEN 'reached' THEN 0 END AS rul_low_days,
    CASE WHEN rul_status = 'ok' AND seg_slope - ${se} > 0 AND ${high} <= horizon_days THEN ${round1(high)}
      WHEN rul_status = 'reached' THEN 0 END AS rul_high_days,
    horizon_days, '${eol.threshold}' AS rul_threshold, ${round1(e)} AS eol_drift_pct
  FROM (
    SELECT *,
      CASE WHEN points IS NULL THEN 'no_data'
        WHEN seg_slope IS NULL OR points < 3 OR seg_se IS NULL OR xn - x0 < ${lit(settings.baselineDays)} THEN 'not_enough_history'
        WHEN y_now >= ${e} THEN 'reached'
        WHEN seg_slope <= 0 OR ${days} > horizon_days THEN 'not_enough_history'
        ELSE 'ok' END AS rul_status
    FROM (
      SELECT *, seg_intercept + seg_slope * xn AS y_now,
        CASE WHEN points IS NULL THEN 0 ELSE ${round1(`${dbl(RUL_MAX_EXTRAPOLATION)} * (xn - x0)`)} END AS horizon_days
      FROM soh_jar
    )
  )
)`;
}
