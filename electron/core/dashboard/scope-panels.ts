import { healthCtes } from './health-sql';
import { JAR_NAME_SQL, JAR_NAMES_SQL, STRING_NAMES_SQL } from './jar-name';
import type { PanelContext, PanelQuery } from './panel-query';
import { scopeJarsSql, scopeStringsSql, tsAt } from './scope-sql';

/** Alerts of the scope's jars that were open at any time in the range. */
export function scopeAlerts(ctx: PanelContext, limit = 2000): PanelQuery {
  const body = (lim: string): string => `SELECT a.alert_id, a.battery_id, j.jar, a.string_id, a.alert_type, a.severity,
  CAST(epoch_ms(a.raised_at) AS DOUBLE) AS raised_at, CAST(epoch_ms(a.cleared_at) AS DOUBLE) AS cleared_at,
  CAST(a.value AS DOUBLE) AS value, CAST(a.threshold AS DOUBLE) AS threshold, a.message
FROM alert a LEFT JOIN (${JAR_NAMES_SQL}) j ON j.battery_id = a.battery_id
WHERE a.battery_id IN (${scopeJarsSql(ctx.scope)})
  AND a.raised_at < ${tsAt(ctx.toMs)} AND (a.cleared_at IS NULL OR a.cleared_at >= ${tsAt(ctx.fromMs)})
ORDER BY a.raised_at, a.alert_id${lim}`;
  return { sql: body(`\nLIMIT ${limit}`), exportSql: body(''), source: 'alert', bucketMs: 0 };
}

/**
 * Maintenance events and capacity tests in the range that concern the scope: for a jar, its own events and
 * its string's events that name no jar; for a site, system or string, every event of its strings.
 */
export function scopeEvents(ctx: PanelContext): PanelQuery {
  const strings = scopeStringsSql(ctx.scope);
  const jarFilter = ctx.scope.kind === 'battery' ? `AND (battery_id IS NULL OR battery_id = ${String(ctx.scope.id)})` : '';
  const sql = `SELECT e.*, n.string_name, j.jar FROM (
SELECT 'maintenance' AS kind, event_type AS type, string_id, battery_id,
  CAST(epoch_ms(performed_at) AS DOUBLE) AS started_at, CAST(NULL AS DOUBLE) AS ended_at, technician AS who, notes AS text
FROM maintenance_event
WHERE string_id IN (${strings}) ${jarFilter}
  AND performed_at >= ${tsAt(ctx.fromMs)} AND performed_at < ${tsAt(ctx.toMs)}
UNION ALL
SELECT 'capacity_test', result, string_id, CAST(NULL AS INTEGER),
  CAST(epoch_ms(started_at) AS DOUBLE), CAST(epoch_ms(ended_at) AS DOUBLE), NULL,
  printf('Capacity test: %.1f %% (%s), %.2f A discharge', capacity_pct, result, discharge_current_a)
FROM capacity_test
WHERE string_id IN (${strings}) AND started_at < ${tsAt(ctx.toMs)} AND ended_at >= ${tsAt(ctx.fromMs)}
) e
LEFT JOIN (${STRING_NAMES_SQL}) n ON n.string_id = e.string_id
LEFT JOIN (${JAR_NAMES_SQL}) j ON j.battery_id = e.battery_id
ORDER BY e.started_at`;
  return { sql, exportSql: sql, source: 'maintenance_event, capacity_test', bucketMs: 0 };
}

/**
 * The scope's children with their health mix: a site's systems, a system's strings, a string's jars
 * (with the jar's last readings, drift and remaining life).
 */
export function scopeChildren(ctx: PanelContext): PanelQuery {
  const id = String(ctx.scope.id);
  const ctes = healthCtes(ctx.thresholds, ctx.toMs);
  const mix = `count(*) FILTER (WHERE h.health = 'healthy') AS healthy, count(*) FILTER (WHERE h.health = 'watch') AS watch,
  count(*) FILTER (WHERE h.health = 'degraded') AS degraded, count(*) FILTER (WHERE h.health = 'replace') AS replace,
  count(*) FILTER (WHERE h.health = 'unknown') AS unknown, CAST(max(h.drift_pct) AS DOUBLE) AS drift_pct_max`;
  let sql: string;
  if (ctx.scope.kind === 'location') {
    sql = `WITH ${ctes}
SELECT 'system' AS kind, y.system_id AS id, y.name, y.system_type AS detail, count(b.battery_id) AS jars, ${mix}
FROM battery_system y
LEFT JOIN battery_string s ON s.system_id = y.system_id
LEFT JOIN battery b ON b.string_id = s.string_id
LEFT JOIN health h ON h.battery_id = b.battery_id
WHERE y.location_id = ${id}
GROUP BY y.system_id, y.name, y.system_type ORDER BY y.name`;
  } else if (ctx.scope.kind === 'system') {
    sql = `WITH ${ctes}
SELECT 'string' AS kind, s.string_id AS id, 'String ' || s.string_no AS name, m.model_name AS detail, count(b.battery_id) AS jars, ${mix}
FROM battery_string s
JOIN battery_model m ON m.model_id = s.model_id
LEFT JOIN battery b ON b.string_id = s.string_id
LEFT JOIN health h ON h.battery_id = b.battery_id
WHERE s.system_id = ${id}
GROUP BY s.string_id, s.string_no, m.model_name ORDER BY s.string_no`;
  } else {
    const strings = scopeStringsSql(ctx.scope);
    sql = `WITH ${ctes}, last AS (
  SELECT battery_id, arg_max(voltage_last, bucket) AS voltage_v, arg_max(temperature_last, bucket) AS temperature_c, arg_max(resistance_last, bucket) AS resistance_mohm
  FROM gold.jar_hourly WHERE bucket < ${tsAt(ctx.toMs)} AND bucket >= ${tsAt(ctx.toMs)} - INTERVAL 2 DAY
    AND battery_id IN (SELECT battery_id FROM battery WHERE string_id IN (${strings}))
  GROUP BY battery_id
), rul AS (
  SELECT battery_id, arg_max(rul_days, predicted_at) AS rul_days FROM rul_prediction
  WHERE predicted_at < ${tsAt(ctx.toMs)} AND battery_id IN (SELECT battery_id FROM battery WHERE string_id IN (${strings}))
  GROUP BY battery_id
)
SELECT 'battery' AS kind, b.battery_id AS id, ${JAR_NAME_SQL} AS name, b.serial_no AS detail, 1 AS jars,
  CAST(h.health = 'healthy' AS INTEGER) AS healthy, CAST(h.health = 'watch' AS INTEGER) AS watch,
  CAST(h.health = 'degraded' AS INTEGER) AS degraded, CAST(h.health = 'replace' AS INTEGER) AS replace,
  CAST(h.health = 'unknown' AS INTEGER) AS unknown, CAST(h.drift_pct AS DOUBLE) AS drift_pct_max,
  CAST(last.voltage_v AS DOUBLE) AS voltage_v, CAST(last.temperature_c AS DOUBLE) AS temperature_c,
  CAST(last.resistance_mohm AS DOUBLE) AS resistance_mohm, rul.rul_days, h.health
FROM battery b
JOIN battery_string s ON s.string_id = b.string_id
JOIN battery_system y ON y.system_id = s.system_id
JOIN location l ON l.location_id = y.location_id
LEFT JOIN health h ON h.battery_id = b.battery_id
LEFT JOIN last ON last.battery_id = b.battery_id
LEFT JOIN rul ON rul.battery_id = b.battery_id
WHERE b.string_id IN (${strings})
ORDER BY b.string_id, b.position`;
  }
  return { sql, exportSql: sql, source: 'gold.jar_daily, master data', bucketMs: 0 };
}
