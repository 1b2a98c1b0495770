import { GRAIN_MS } from '../rollups/gold-schema';
import { alignedFrom, chooseResolution, m4RawSql, m4RollupSql } from './m4';
import type { PanelContext, PanelQuery } from './panel-query';
import { STRING_NAMES_SQL } from './jar-name';
import { scopeJarsFilter, scopeStringsFilter, scopeStringsSql, tsAt } from './scope-sql';

const JAR_METRIC = {
  voltage: 'voltage_v',
  temperature: 'temperature_c',
  resistance: 'resistance_mohm',
} as const;
const STRING_METRIC = { voltage: 'voltage_v', current: 'current_a' } as const;

function range(ctx: PanelContext, col = 'ts'): string {
  return `${col} >= ${tsAt(ctx.fromMs)} AND ${col} < ${tsAt(ctx.toMs)}`;
}

function rollupRange(ctx: PanelContext, grain: 'hourly' | 'daily'): string {
  return `bucket >= ${tsAt(alignedFrom(ctx.fromMs, grain))} AND bucket < ${tsAt(ctx.toMs)}`;
}

interface SeriesSource {
  /** The unit column (`battery_id`, `string_id`), the unified view and the gold rollup family. */
  unit: string;
  dataset: string;
  family: 'jar' | 'string';
  /** The condition on the unit column that selects the units of the scope. */
  inScope: string;
  /** The metric's name in the rollups and its column in the raw view. */
  metric: string;
  column: string;
}

/** Per-string M4 rows `(k, t, v)` with the string's one name as a fourth column (the legend names it so). */
function withStringNames(q: PanelQuery): PanelQuery {
  const sql = `SELECT m.k, m.t, m.v, n.string_name AS name\nFROM (\n${q.sql}\n) m JOIN (${STRING_NAMES_SQL}) n ON n.string_id = m.k\nORDER BY m.k, m.t`;
  return { ...q, sql };
}

/** One metric per unit of the scope, M4-downsampled (k = the unit): raw readings for short ranges, rollups beyond. */
function unitSeries(ctx: PanelContext, src: SeriesSource): PanelQuery {
  const { unit, dataset, metric, column, inScope } = src;
  const res = chooseResolution(ctx.fromMs, ctx.toMs, ctx.width);
  const exportSql = `SELECT ${unit}, ts, ${column}, tier\nFROM ${dataset}\nWHERE ${inScope} AND ${range(ctx)}\nORDER BY ${unit}, ts`;
  if (res.kind === 'raw') {
    const points = `SELECT ${unit} AS k, ts, ${column} AS v FROM ${dataset} WHERE ${inScope} AND ${range(ctx)}`;
    return { sql: m4RawSql(points, ctx.fromMs, res.bucketMs), exportSql, source: `${dataset} (raw, M4)`, bucketMs: res.bucketMs };
  }
  const table = `gold.${src.family}_${res.kind}`;
  const rows =
    `SELECT ${unit} AS k, bucket, first_ts, last_ts, ${metric}_first AS v_first, ${metric}_last AS v_last, ` +
    `${metric}_min AS v_min, ${metric}_max AS v_max, ${metric}_min_ts AS v_min_ts, ${metric}_max_ts AS v_max_ts\n  FROM ${table} WHERE ${inScope} AND ${rollupRange(ctx, res.kind)}`;
  return { sql: m4RollupSql(rows, ctx.fromMs, res.bucketMs, res.kind), exportSql, source: `${table} (M4)`, bucketMs: res.bucketMs };
}

/** One jar's readings of a metric, M4-downsampled (k = battery_id). */
export function jarSeries(ctx: PanelContext, metric: keyof typeof JAR_METRIC): PanelQuery {
  return unitSeries(ctx, {
    unit: 'battery_id',
    dataset: 'telemetry',
    family: 'jar',
    inScope: scopeJarsFilter('battery_id', ctx.scope),
    metric,
    column: JAR_METRIC[metric],
  });
}

/** String voltage or current per string of the scope, M4-downsampled (k = string_id). */
export function stringSeries(ctx: PanelContext, metric: keyof typeof STRING_METRIC): PanelQuery {
  return withStringNames(
    unitSeries(ctx, {
      unit: 'string_id',
      dataset: 'string_telemetry',
      family: 'string',
      inScope: scopeStringsFilter('string_id', ctx.scope),
      metric,
      column: STRING_METRIC[metric],
    }),
  );
}

/**
 * Per string, a statistic across its jars at each time (k = string_id): the voltage spread (max - min jar
 * voltage: balance) or the hottest jar's temperature. From hourly/daily rollups it is taken over the jars'
 * bucket means (spread) or maxima (temperature).
 */
export function acrossJarsSeries(ctx: PanelContext, stat: 'spread' | 'hottest'): PanelQuery {
  const strings = scopeStringsSql(ctx.scope);
  const res = chooseResolution(ctx.fromMs, ctx.toMs, ctx.width);
  const rawExpr = stat === 'spread' ? 'max(t.voltage_v) - min(t.voltage_v)' : 'max(t.temperature_c)';
  const exportSql =
    stat === 'spread'
      ? `SELECT b.string_id, t.ts, min(t.voltage_v) AS jar_voltage_min, max(t.voltage_v) AS jar_voltage_max, max(t.voltage_v) - min(t.voltage_v) AS spread_v\n` +
        `FROM telemetry t JOIN battery b ON b.battery_id = t.battery_id\nWHERE b.string_id IN (${strings}) AND ${range(ctx, 't.ts')}\nGROUP BY b.string_id, t.ts\nORDER BY b.string_id, t.ts`
      : `SELECT b.string_id, t.battery_id, t.ts, t.temperature_c\nFROM telemetry t JOIN battery b ON b.battery_id = t.battery_id\n` +
        `WHERE b.string_id IN (${strings}) AND ${range(ctx, 't.ts')}\nORDER BY b.string_id, t.battery_id, t.ts`;
  if (res.kind === 'raw') {
    const points =
      `SELECT b.string_id AS k, t.ts, ${rawExpr} AS v FROM telemetry t JOIN battery b ON b.battery_id = t.battery_id ` +
      `WHERE b.string_id IN (${strings}) AND ${range(ctx, 't.ts')} GROUP BY b.string_id, t.ts`;
    return withStringNames({
      sql: m4RawSql(points, ctx.fromMs, res.bucketMs),
      exportSql,
      source: 'telemetry (raw, M4)',
      bucketMs: res.bucketMs,
    });
  }
  const table = `gold.jar_${res.kind}`;
  const expr = stat === 'spread' ? 'max(j.voltage_mean) - min(j.voltage_mean)' : 'max(j.temperature_max)';
  const points =
    `SELECT b.string_id AS k, j.bucket AS ts, ${expr} AS v FROM ${table} j JOIN battery b ON b.battery_id = j.battery_id ` +
    `WHERE b.string_id IN (${strings}) AND j.${rollupRange(ctx, res.kind)} GROUP BY b.string_id, j.bucket`;
  const origin = alignedFrom(ctx.fromMs, res.kind);
  return withStringNames({
    sql: m4RawSql(points, origin, Math.max(res.bucketMs, GRAIN_MS[res.kind])),
    exportSql,
    source: `${table} (${stat === 'spread' ? 'spread of jar means' : 'hottest jar'}, M4)`,
    bucketMs: res.bucketMs,
  });
}
