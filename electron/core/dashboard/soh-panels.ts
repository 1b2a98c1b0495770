import { SOH_PER_DRIFT_PCT } from '../../../shared/api/soh';
import { lit } from '../demo/demo-sql';
import { SOH_SOURCE, sohCtes, sohVerdictCte, type SohQuery } from '../analytics/soh-sql';
import { JAR_NAMES_SQL } from './jar-name';
import type { PanelContext, PanelQuery } from './panel-query';
import { sohSettingsOf } from './soh-settings';

/** The analysis over the panel's range: the fit reads the daily rows in [from, to), the baseline the jar's first days. */
function sohQueryOf(ctx: PanelContext, batteryId?: number): SohQuery {
  return { settings: sohSettingsOf(ctx), batteryId, fromMs: ctx.fromMs, toMs: ctx.toMs };
}

/** The columns of a jar's verdict, shared by both panels (epoch-ms times as doubles). */
const VERDICT_COLUMNS = `v.soh_pct, v.soh_source, v.soh_capacity_pct, v.soh_resistance_pct,
  CAST(j.knee_ms AS DOUBLE) AS knee_day, v.rul_status, v.rul_days, v.rul_low_days, v.rul_high_days, v.horizon_days,
  v.rul_threshold, v.eol_drift_pct,
  j.table_rul_days, j.table_model_version AS table_source, CAST(j.table_predicted_ms AS DOUBLE) AS table_predicted_at`;

/**
 * One jar's state of health over the range: one row per day of the daily rollup (SoH from its resistance drift, the
 * definition the analysis fits), each carrying the jar's knee date, computed RUL (or its status) and the latest
 * rul_prediction figure. A jar without daily rows in the range still answers one row (status `no_data`).
 */
export function batterySoh(ctx: PanelContext): PanelQuery {
  const q = sohQueryOf(ctx, ctx.scope.id);
  const sql = `WITH ${sohCtes(q)}, ${sohVerdictCte(q.settings)}
SELECT CAST(epoch_ms(p.day) AS DOUBLE) AS day, 100 - ${lit(SOH_PER_DRIFT_PCT)} * p.y AS soh_resistance_day_pct, p.y AS drift_pct,
  p.r AS resistance_mohm,
  ${VERDICT_COLUMNS}
FROM soh_jar j
JOIN soh_verdict v USING (battery_id)
LEFT JOIN soh_pts p USING (battery_id)
ORDER BY p.day`;
  return { sql, exportSql: sql, source: SOH_SOURCE, bucketMs: 86_400_000 };
}

/**
 * The fleet's weakest jars: every jar ranked by its state of health (lowest first; jars without data last), with its
 * RUL, knee date and the rul_prediction figure. The panel shows the first `limit`; the export has them all.
 */
export function fleetWeakest(ctx: PanelContext, limit = 20): PanelQuery {
  const q = sohQueryOf(ctx);
  const body = (lim: string): string => `WITH ${sohCtes(q)}, ${sohVerdictCte(q.settings)}, site_jar AS (
  ${JAR_NAMES_SQL}
)
SELECT j.battery_id, n.jar, l.name AS site, ${VERDICT_COLUMNS}
FROM soh_jar j
JOIN soh_verdict v USING (battery_id)
JOIN site_jar n ON n.battery_id = j.battery_id
JOIN location l ON l.location_id = n.location_id
ORDER BY v.soh_pct NULLS LAST, v.rul_days NULLS LAST, j.battery_id${lim}`;
  return { sql: body(`\nLIMIT ${Math.round(limit)}`), exportSql: body(''), source: SOH_SOURCE, bucketMs: 0 };
}
