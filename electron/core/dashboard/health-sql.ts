import { healthCaseSql, type HealthThresholds } from '../../../shared/domain/health';
import { tsAt } from './scope-sql';

/**
 * CTEs (without the leading WITH) ending in `health(battery_id, baseline_mohm, current_mohm, current_day,
 * drift_pct, health)` for every jar, from the daily jar rollup: the baseline is the reading-weighted mean
 * resistance of the jar's first `baselineDays` days, "current" its mean on its last day before `toMs`.
 * A jar whose history is shorter than the baseline window plus one day has no drift (`unknown`).
 */
export function healthCtes(t: HealthThresholds, toMs: number): string {
  const days = Math.round(t.baselineDays);
  return `first_day AS (
  SELECT battery_id, min(bucket) AS d0 FROM gold.jar_daily GROUP BY battery_id
), base AS (
  SELECT d.battery_id, sum(d.resistance_mean * d.n) / sum(d.n) AS baseline_mohm
  FROM gold.jar_daily d JOIN first_day f USING (battery_id)
  WHERE d.bucket < f.d0 + to_days(${days})
  GROUP BY d.battery_id
), cur AS (
  SELECT battery_id, arg_max(resistance_mean, bucket) AS current_mohm, max(bucket) AS current_day
  FROM gold.jar_daily WHERE bucket < ${tsAt(toMs)}
  GROUP BY battery_id
), drift AS (
  SELECT b.battery_id, base.baseline_mohm, cur.current_mohm, cur.current_day,
    CASE WHEN cur.current_day >= f.d0 + to_days(${days}) THEN (cur.current_mohm / base.baseline_mohm - 1) * 100 END AS drift_pct
  FROM battery b
  LEFT JOIN first_day f USING (battery_id)
  LEFT JOIN base USING (battery_id)
  LEFT JOIN cur USING (battery_id)
), health AS (
  SELECT *, ${healthCaseSql('drift_pct', t)} AS health FROM drift
)`;
}
