import { DATASETS } from '../../../shared/domain/datasets';
import { qualifiedName } from '../../../shared/sql';
import { HOT_MIRROR_SCHEMA } from '../mirror/meta';
import { rangeSourceSql } from '../mirror/views';
import { healthCtes } from './health-sql';
import { JAR_NAMES_SQL } from './jar-name';
import { alignedFrom } from './m4';
import type { PanelContext, PanelQuery } from './panel-query';
import { tsAt } from './scope-sql';

/**
 * The open alerts, read from the hot mirror alone. An alert is cold only once it was cleared before the tier split
 * (the unified view's cold branch keeps `cleared_at IS NOT NULL AND cleared_at < split`, mirror/views.ts), so the
 * view's open alerts are exactly the mirror's: reading them there opens no lake file, however long the history.
 */
export const OPEN_ALERTS_SQL = `SELECT * FROM ${qualifiedName(HOT_MIRROR_SCHEMA, 'alert')} WHERE cleared_at IS NULL`;

function same(sql: string, source: string): PanelQuery {
  return { sql, exportSql: sql, source, bucketMs: 0 };
}

/** Sites with jar counts, health mix (as of the range end) and open alerts by severity. */
export function fleetSites(ctx: PanelContext): PanelQuery {
  const sql = `WITH ${healthCtes(ctx.thresholds, ctx.toMs)}, site_jar AS (
  ${JAR_NAMES_SQL}
), open_alerts AS (
  SELECT j.location_id, count(*) FILTER (WHERE a.severity = 'critical') AS critical, count(*) FILTER (WHERE a.severity <> 'critical') AS warning
  FROM (${OPEN_ALERTS_SQL}) a JOIN site_jar j ON j.battery_id = a.battery_id GROUP BY j.location_id
)
SELECT l.location_id, l.name, l.code, l.time_zone, count(j.battery_id) AS jars,
  count(*) FILTER (WHERE h.health = 'healthy') AS healthy,
  count(*) FILTER (WHERE h.health = 'watch') AS watch,
  count(*) FILTER (WHERE h.health = 'degraded') AS degraded,
  count(*) FILTER (WHERE h.health = 'replace') AS replace,
  count(*) FILTER (WHERE h.health = 'unknown') AS unknown,
  coalesce(any_value(oa.critical), 0) AS alerts_critical, coalesce(any_value(oa.warning), 0) AS alerts_warning
FROM location l
LEFT JOIN site_jar j ON j.location_id = l.location_id
LEFT JOIN health h ON h.battery_id = j.battery_id
LEFT JOIN open_alerts oa ON oa.location_id = l.location_id
GROUP BY l.location_id, l.name, l.code, l.time_zone
ORDER BY l.location_id`;
  return same(sql, 'gold.jar_daily, alert, master data');
}

/** Open alerts by severity and type. */
export function fleetAlerts(): PanelQuery {
  const sql = `SELECT severity, alert_type, count(*) AS alerts, CAST(epoch_ms(min(raised_at)) AS DOUBLE) AS oldest_raised
FROM (${OPEN_ALERTS_SQL})
GROUP BY severity, alert_type
ORDER BY severity = 'critical' DESC, alerts DESC`;
  return {
    sql,
    exportSql: 'SELECT * FROM alert WHERE cleared_at IS NULL ORDER BY raised_at',
    source: 'alert (open)',
    bucketMs: 0,
  };
}

/**
 * Jars with the lowest remaining useful life, from each jar's latest prediction in the range (read from the range
 * only: a year of daily predictions costs what 90 days do; a range in the hot tier reads the mirror alone).
 */
export function fleetAtRisk(ctx: PanelContext, limit = 12): PanelQuery {
  const from = rangeSourceSql(DATASETS.rul_prediction, ctx.splits, ctx.fromMs);
  const body = (lim: string, src: string): string => `WITH latest AS (
  SELECT battery_id, arg_max(rul_days, predicted_at) AS rul_days, arg_max(confidence, predicted_at) AS confidence, max(predicted_at) AS predicted_at
  FROM ${src} WHERE predicted_at >= ${tsAt(ctx.fromMs)} AND predicted_at < ${tsAt(ctx.toMs)}
  GROUP BY battery_id
), site_jar AS (
  ${JAR_NAMES_SQL}
)
SELECT r.battery_id, j.jar, l.name AS site, r.rul_days, CAST(r.confidence AS DOUBLE) AS confidence,
  CAST(epoch_ms(r.predicted_at) AS DOUBLE) AS predicted_at
FROM latest r
JOIN site_jar j ON j.battery_id = r.battery_id
JOIN location l ON l.location_id = j.location_id
ORDER BY r.rul_days, r.battery_id${lim}`;
  return {
    sql: body(`\nLIMIT ${Math.round(limit)}`, from.sql),
    // An export may run after an archive moved the split: it reads the unified view.
    exportSql: body('', from.view),
    source: `rul_prediction (latest per jar in range${from.hotOnly ? '; hot tier only' : ''})`,
    bucketMs: 0,
  };
}

/** The hottest jars in the range (peak jar temperature), from the daily or hourly jar rollup. */
export function fleetHotspots(ctx: PanelContext, limit = 12): PanelQuery {
  const table = ctx.toMs - ctx.fromMs >= 3 * 86_400_000 ? 'gold.jar_daily' : 'gold.jar_hourly';
  const grain = table === 'gold.jar_daily' ? 86_400_000 : 3_600_000;
  const body = (lim: string): string => `WITH peak AS (
  SELECT battery_id, max(temperature_max) AS temperature_max, arg_max(temperature_max_ts, temperature_max) AS at, avg(temperature_mean) AS temperature_mean
  FROM ${table}
  WHERE bucket >= ${tsAt(Math.floor(ctx.fromMs / grain) * grain)} AND bucket < ${tsAt(ctx.toMs)}
  GROUP BY battery_id
), site_jar AS (
  ${JAR_NAMES_SQL}
)
SELECT p.battery_id, j.jar, l.name AS site,
  CAST(p.temperature_max AS DOUBLE) AS temperature_max, CAST(p.temperature_mean AS DOUBLE) AS temperature_mean, CAST(epoch_ms(p.at) AS DOUBLE) AS at
FROM peak p
JOIN site_jar j ON j.battery_id = p.battery_id
JOIN location l ON l.location_id = j.location_id
ORDER BY p.temperature_max DESC, p.battery_id${lim}`;
  return { sql: body(`\nLIMIT ${Math.round(limit)}`), exportSql: body(''), source: table, bucketMs: 0 };
}

/** Distribution of internal-resistance drift against each jar's own baseline, in 2 % bins. */
export function fleetDrift(ctx: PanelContext): PanelQuery {
  const ctes = healthCtes(ctx.thresholds, ctx.toMs);
  const sql = `WITH ${ctes}
SELECT CAST(floor(drift_pct / 2) * 2 AS DOUBLE) AS bin_from, CAST(floor(drift_pct / 2) * 2 + 2 AS DOUBLE) AS bin_to, count(*) AS jars
FROM health WHERE drift_pct IS NOT NULL
GROUP BY 1, 2 ORDER BY 1`;
  const exportSql = `WITH ${ctes}
SELECT battery_id, baseline_mohm, current_mohm, current_day, drift_pct, health FROM health ORDER BY drift_pct DESC NULLS LAST`;
  return { sql, exportSql, source: 'gold.jar_daily', bucketMs: 0 };
}

/**
 * Per site: the newest reading up to the range end and how many jars reported in its last hour. The newest reading
 * is the latest hourly bucket before the range end: the whole days before the end's day from the daily rollup (a
 * day's `last_ts` is the latest of its hours'), the end's own day from the hourly one, so a year of history adds a
 * row per site and day, not 24. The jars are counted from the hours in the range only (a site silent for the whole
 * range counts none), so that read is one range of the hourly jar rollup however long the history is.
 */
export function fleetFreshness(ctx: PanelContext): PanelQuery {
  const endDay = alignedFrom(ctx.toMs, 'daily');
  const sql = `WITH last AS (
  SELECT location_id, max(last_ts) AS last_ts FROM (
    SELECT location_id, last_ts FROM gold.site_daily WHERE bucket < ${tsAt(endDay)}
    UNION ALL
    SELECT location_id, last_ts FROM gold.site_hourly WHERE bucket >= ${tsAt(endDay)} AND bucket < ${tsAt(ctx.toMs)}
  ) GROUP BY location_id
), jars AS (
  SELECT m.location_id, count(DISTINCT h.battery_id) AS jars_last_hour
  FROM gold.jar_hourly h
  JOIN (SELECT b.battery_id, y.location_id FROM battery b JOIN battery_string s ON s.string_id = b.string_id JOIN battery_system y ON y.system_id = s.system_id) m
    ON m.battery_id = h.battery_id
  JOIN last ON last.location_id = m.location_id
  WHERE h.bucket >= ${tsAt(Math.floor(ctx.fromMs / 3_600_000) * 3_600_000)} AND h.bucket < ${tsAt(ctx.toMs)}
    AND h.bucket >= last.last_ts - INTERVAL 1 HOUR
  GROUP BY m.location_id
)
SELECT l.location_id, l.name, l.code, l.time_zone, CAST(epoch_ms(last.last_ts) AS DOUBLE) AS last_reading, coalesce(jars.jars_last_hour, 0) AS jars_last_hour
FROM location l LEFT JOIN last USING (location_id) LEFT JOIN jars USING (location_id)
ORDER BY l.location_id`;
  return same(sql, 'gold.site_daily, gold.site_hourly, gold.jar_hourly');
}
