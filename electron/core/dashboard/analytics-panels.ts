import {
  DEFAULT_ANOMALY_THRESHOLDS,
  DEFAULT_EVENT_THRESHOLDS,
  DEFAULT_SIGN_SETTINGS,
  EVENT_KINDS,
  type EventKind,
} from '../../../shared/domain/analytics';
import { timesAsEpochMs } from '../analytics/analytics';
import { anomaliesSql, chooseAnomalyResolution, jarZSql, spreadSeriesSql, type AnomalySqlOptions } from '../analytics/anomalies-sql';
import { efcSql, eventsSql, type EventsSqlOptions } from '../analytics/events-sql';
import { lit } from '../demo/demo-sql';
import { JAR_NAMES_SQL } from './jar-name';
import type { PanelContext, PanelQuery } from './panel-query';

/**
 * The dashboards' discharge-event and sibling-anomaly panels. Each runs the analysis's own SQL (events-sql.ts,
 * anomalies-sql.ts), wrapped only to turn its times into epoch milliseconds and to name jars the one way pages do.
 */

/** Where the events read: raw 5-minute string readings (and the jars' at each discharge's end). */
const EVENTS_SOURCE = 'string_telemetry, telemetry (raw)';

function eventsOptions(ctx: PanelContext): EventsSqlOptions {
  return {
    fromMs: ctx.fromMs,
    toMs: ctx.toMs,
    stringId: ctx.scope.id,
    thresholds: DEFAULT_EVENT_THRESHOLDS,
    sign: ctx.sign ?? DEFAULT_SIGN_SETTINGS,
  };
}

function anomalyOptions(ctx: PanelContext, only: Pick<AnomalySqlOptions, 'stringId' | 'batteryId'>): AnomalySqlOptions {
  return { fromMs: ctx.fromMs, toMs: ctx.toMs, resolution: chooseAnomalyResolution(ctx.fromMs, ctx.toMs, 'auto'), ...only };
}

const anomalySource = (o: AnomalySqlOptions): string =>
  o.resolution === 'raw' ? 'telemetry, string_telemetry (raw)' : 'gold.jar_hourly, gold.string_hourly';

function eventsOf(ctx: PanelContext, kinds: readonly EventKind[]): string {
  return `SELECT e.*, n.jar AS weakest_jar
FROM (
${timesAsEpochMs(eventsSql(eventsOptions(ctx), kinds), ['start', 'end'])}
) e
LEFT JOIN (${JAR_NAMES_SQL}) n ON n.battery_id = e.weakest_battery_id
ORDER BY e.start`;
}

/** #/string/<id>: every charge, discharge, float and rest period of the string (the timeline). */
export function stringEvents(ctx: PanelContext): PanelQuery {
  const sql = eventsOf(ctx, EVENT_KINDS);
  return { sql, exportSql: sql, source: EVENTS_SOURCE, bucketMs: 0 };
}

/** #/string/<id>: its discharge events with depth, energy, minimum voltage, weakest jar and running EFC (the table). */
export function stringDischarges(ctx: PanelContext): PanelQuery {
  const sql = eventsOf(ctx, ['discharge']);
  return { sql, exportSql: sql, source: EVENTS_SOURCE, bucketMs: 0 };
}

/** #/string/<id>: equivalent full cycles over the range, the string's (battery_id null, first) and each jar's. */
export function stringEfc(ctx: PanelContext): PanelQuery {
  const sql = `SELECT e.*, n.position, n.jar
FROM (
${efcSql(eventsOptions(ctx))}
) e
LEFT JOIN (${JAR_NAMES_SQL}) n ON n.battery_id = e.battery_id
ORDER BY e.battery_id NULLS FIRST, n.position`;
  return { sql, exportSql: sql, source: EVENTS_SOURCE, bucketMs: 0 };
}

/** #/string/<id>: the voltage spread (max - min jar voltage) at each moment: raw readings up to 3 days, else hourly means. */
export function stringSpread(ctx: PanelContext): PanelQuery {
  const o = anomalyOptions(ctx, { stringId: ctx.scope.id });
  const sql = timesAsEpochMs(spreadSeriesSql(o), ['ts']);
  return { sql, exportSql: sql, source: anomalySource(o), bucketMs: o.resolution === 'raw' ? 0 : 3_600_000 };
}

/**
 * #/battery/<id>: the jar's z-score per moment and metric against its siblings, as (metric, ts, z) series, with its
 * value and the workspace's outlier threshold (|z| and hours) on every row.
 */
export function batteryZ(ctx: PanelContext): PanelQuery {
  const t = ctx.anomaly ?? DEFAULT_ANOMALY_THRESHOLDS;
  const o = anomalyOptions(ctx, { batteryId: ctx.scope.id });
  const sql = `SELECT metric, ts, round(z, 4) AS z, value, ${lit(t.zMin)} AS z_threshold, ${lit(t.minHours)} AS min_hours
FROM (
${timesAsEpochMs(jarZSql({ ...o, batteryId: Number(ctx.scope.id) }), ['ts'])}
)
ORDER BY metric, ts`;
  return { sql, exportSql: sql, source: anomalySource(o), bucketMs: o.resolution === 'raw' ? 0 : 3_600_000 };
}

/**
 * #/fleet "Anomalies now": persistent sibling outliers and hotspots of every jar over the range, ranked by score
 * (largest |z|, or °C over ambient), each with its jar and site. The panel shows the first `limit`; the export all.
 */
export function fleetAnomalies(ctx: PanelContext, limit = 50): PanelQuery {
  const o = anomalyOptions(ctx, {});
  const body = (lim: string): string => `SELECT a.*, n.jar, l.name AS site
FROM (
${timesAsEpochMs(anomaliesSql(o, ctx.anomaly ?? DEFAULT_ANOMALY_THRESHOLDS), ['start', 'end'])}
) a
JOIN (${JAR_NAMES_SQL}) n ON n.battery_id = a.battery_id
JOIN location l ON l.location_id = n.location_id
ORDER BY a.score DESC, a.battery_id, a.kind, a.start${lim}`;
  return { sql: body(`\nLIMIT ${Math.round(limit)}`), exportSql: body(''), source: anomalySource(o), bucketMs: 0 };
}
