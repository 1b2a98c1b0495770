import { healthCaseSql, type HealthThresholds } from '../../../shared/domain/health';
import { firstDaysOf } from '../rollups/gold-schema';
import { tsAt } from './scope-sql';

const DAY_MS = 86_400_000;
/** Days before the range end a jar's latest row (current day, latest prediction) is looked for first (see healthCtes). */
export const RECENT_DAYS = 35;

/**
 * CTEs (without the leading WITH) ending in `health(battery_id, baseline_mohm, current_mohm, current_day,
 * drift_pct, health)` for every jar, from the daily jar rollup: the baseline is the reading-weighted mean
 * resistance of the jar's first `baselineDays` days, "current" its mean on its last day before `toMs`.
 * A jar whose history is shorter than the baseline window plus one day has no drift (`unknown`).
 * The current day is looked for in the last `RECENT_DAYS` before `toMs` first (a range the daily rollup's zonemaps
 * prune to, whatever the history's length); only jars silent that long are looked for further back. The first day and
 * the baseline come from the jars' first days (gold.jar_first_days) when the baseline fits in them, so neither reads the
 * whole history either.
 */
export function healthCtes(t: HealthThresholds, toMs: number): string {
  const days = Math.round(t.baselineDays);
  const early = firstDaysOf(days);
  const lastDay = (where: string): string =>
    `SELECT d.battery_id, arg_max(d.resistance_mean, d.bucket) AS current_mohm, max(d.bucket) AS current_day FROM ${where} GROUP BY d.battery_id`;
  return `first_day AS (
  SELECT battery_id, min(bucket) AS d0 FROM ${early} GROUP BY battery_id
), base AS (
  SELECT d.battery_id, sum(d.resistance_mean * d.n) / sum(d.n) AS baseline_mohm
  FROM ${early} d JOIN first_day f USING (battery_id)
  WHERE d.bucket < f.d0 + to_days(${days})
  GROUP BY d.battery_id
), cur_recent AS (
  ${lastDay(`gold.jar_daily d WHERE d.bucket >= ${tsAt(toMs - RECENT_DAYS * DAY_MS)} AND d.bucket < ${tsAt(toMs)}`)}
), silent AS (
  SELECT battery_id FROM first_day ANTI JOIN cur_recent USING (battery_id)
), cur AS (
  SELECT * FROM cur_recent
  UNION ALL
  ${lastDay(`gold.jar_daily d JOIN silent USING (battery_id) WHERE d.bucket < ${tsAt(toMs - RECENT_DAYS * DAY_MS)}`)}
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
