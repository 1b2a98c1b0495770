import { DATASETS } from '../../../shared/domain/datasets';
import { rangeSourceSql } from '../mirror/views';
import { healthCtes } from './health-sql';
import type { PanelContext, PanelQuery } from './panel-query';
import { tsAt } from './scope-sql';

/** RUL predictions of one jar in the range (one a day: no downsampling needed below ~4 x width). */
export function batteryRul(ctx: PanelContext): PanelQuery {
  const id = String(ctx.scope.id);
  const from = rangeSourceSql(DATASETS.rul_prediction, ctx.splits, ctx.fromMs);
  const sqlOf = (
    src: string,
  ): string => `SELECT CAST(epoch_ms(predicted_at) AS DOUBLE) AS predicted_at, rul_days, CAST(confidence AS DOUBLE) AS confidence,
  CAST(resistance_mohm AS DOUBLE) AS resistance_mohm, model_version
FROM ${src}
WHERE battery_id = ${id} AND predicted_at >= ${tsAt(ctx.fromMs)} AND predicted_at < ${tsAt(ctx.toMs)}
ORDER BY predicted_at`;
  // An export may run after an archive moved the split: it reads the unified view.
  return {
    sql: sqlOf(from.sql),
    exportSql: sqlOf(from.view),
    source: from.hotOnly ? 'rul_prediction (hot tier only)' : 'rul_prediction',
    bucketMs: 0,
  };
}

/** One jar's health: baseline, current resistance, drift, class, and the facts around it. */
export function batteryHealth(ctx: PanelContext): PanelQuery {
  const id = String(ctx.scope.id);
  const sql = `WITH ${healthCtes(ctx.thresholds, ctx.toMs)}, rul AS (
  SELECT arg_max(rul_days, predicted_at) AS rul_days, max(predicted_at) AS predicted_at FROM rul_prediction
  WHERE battery_id = ${id} AND predicted_at < ${tsAt(ctx.toMs)}
)
SELECT b.battery_id, h.health, CAST(h.drift_pct AS DOUBLE) AS drift_pct, CAST(h.baseline_mohm AS DOUBLE) AS baseline_mohm,
  CAST(h.current_mohm AS DOUBLE) AS current_mohm, CAST(epoch_ms(h.current_day) AS DOUBLE) AS current_day,
  CAST(m.nominal_resistance_mohm AS DOUBLE) AS nominal_resistance_mohm, rul.rul_days, CAST(epoch_ms(rul.predicted_at) AS DOUBLE) AS rul_predicted_at
FROM battery b
JOIN battery_model m ON m.model_id = b.model_id
LEFT JOIN health h ON h.battery_id = b.battery_id
CROSS JOIN rul
WHERE b.battery_id = ${id}`;
  return { sql, exportSql: sql, source: 'gold.jar_daily, rul_prediction', bucketMs: 0 };
}
