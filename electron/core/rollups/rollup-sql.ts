import { qualifiedName, quoteIdent } from '../../../shared/sql';
import {
  FAMILIES,
  FIRST_DAYS,
  GRAIN_MS,
  JAR_FIRST_DAYS,
  SIBLING_HOURLY,
  rollupColumns,
  rollupTable,
  siblingSelectSql,
  type Grain,
  type RollupFamily,
} from './gold-schema';

/** `to_timestamp(<seconds>)` for a whole-second instant given in ms (an integer literal, never input text). */
export function tsLiteral(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`Not a time: ${ms}`);
  return `to_timestamp(${Math.floor(ms / 1000)})`;
}

/** The UTC bucket start of a TIMESTAMPTZ expression, independent of the session's TimeZone. */
export function bucketExpr(expr: string, bucketMs: number): string {
  const sec = Math.round(bucketMs / 1000);
  return `to_timestamp(floor(epoch(${expr}) / ${sec}) * ${sec})`;
}

/** ` ORDER BY <key>, bucket`: the order rollup rows are written in (see gold-layout.ts). */
export function clusterOrderSql(family: RollupFamily): string {
  return ` ORDER BY ${quoteIdent(family.key)}, bucket`;
}

function colList(family: RollupFamily): string {
  return columnsOf(family, '');
}

function columnsOf(family: RollupFamily, prefix: string): string {
  return rollupColumns(family)
    .map((c) => `${prefix}${quoteIdent(c.name)}`)
    .join(', ');
}

/** Aggregates of raw readings into buckets: the definition every rollup is tested against. */
export function rawAggregates(family: RollupFamily, tsCol = 'ts'): string {
  const ts = quoteIdent(tsCol);
  const parts = ['count(*)', `min(${ts})`, `max(${ts})`];
  for (const m of family.metrics) {
    const c = quoteIdent(m.column);
    // The times of the min and max rank the readings as DOUBLE: the same order as the DECIMAL (every metric fits a
    // DOUBLE exactly), and DuckDB's arg_min/arg_max by a DOUBLE take about half the time of by a DECIMAL.
    const rank = `CAST(${c} AS DOUBLE)`;
    parts.push(
      `min(${c})`,
      `max(${c})`,
      `avg(${rank})`,
      `arg_min(${c}, ${ts})`,
      `arg_max(${c}, ${ts})`,
      `arg_min(${ts}, ${rank})`,
      `arg_max(${ts}, ${rank})`,
    );
  }
  return parts.join(', ');
}

/** Aggregates that merge finer rollup rows (hours → day, jars → site) into the same columns. */
export function mergeAggregates(family: RollupFamily): string {
  const parts = ['sum(n)', 'min(first_ts)', 'max(last_ts)'];
  for (const m of family.metrics) {
    const p = (s: string): string => quoteIdent(`${m.name}_${s}`);
    parts.push(
      `min(${p('min')})`,
      `max(${p('max')})`,
      `sum(${p('mean')} * n) / sum(n)`,
      `arg_min(${p('first')}, first_ts)`,
      `arg_max(${p('last')}, last_ts)`,
      `arg_min(${p('min_ts')}, ${p('min')})`,
      `arg_max(${p('max_ts')}, ${p('max')})`,
    );
  }
  return parts.join(', ');
}

/** Recompute [lo, hi) of a family's hourly rollup from a unified view (e.g. `main.telemetry`). */
export function rebuildHourlyFromRawSql(family: RollupFamily, source: string, loMs: number, hiMs: number): string[] {
  const table = rollupTable(family, 'hourly');
  const key = quoteIdent(family.key);
  const bucket = bucketExpr(quoteIdent('ts'), GRAIN_MS.hourly);
  return [
    `DELETE FROM ${table} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)}`,
    `INSERT INTO ${table} (${colList(family)}) SELECT ${key}, ${bucket} AS bucket, ${rawAggregates(family)} ` +
      `FROM ${source} WHERE ts >= ${tsLiteral(loMs)} AND ts < ${tsLiteral(hiMs)} GROUP BY ALL${clusterOrderSql(family)}`,
  ];
}

/** Recompute [lo, hi) (whole UTC days) of a family's daily rollup from its hourly rollup. */
export function rebuildDailyFromHourlySql(family: RollupFamily, loMs: number, hiMs: number): string[] {
  const daily = rollupTable(family, 'daily');
  const hourly = rollupTable(family, 'hourly');
  const key = quoteIdent(family.key);
  return [
    `DELETE FROM ${daily} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)}`,
    `INSERT INTO ${daily} (${colList(family)}) SELECT ${key}, ${bucketExpr('bucket', GRAIN_MS.daily)} AS day, ${mergeAggregates(family)} ` +
      `FROM ${hourly} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)} GROUP BY ALL ORDER BY ${key}, day`,
    // The jars' first days change with their daily rows, in the same transaction.
    ...(family.name === FAMILIES.jar.name ? rebuildFirstDaysSql(loMs, hiMs) : []),
  ];
}

/**
 * Brings gold.jar_first_days up to date after [lo, hi) of gold.jar_daily was rebuilt: the jars whose first days the range
 * can touch (those whose first FIRST_DAYS days end after `lo`, and those of the range it does not hold yet) get their
 * rows again from gold.jar_daily. Once a jar is past its first days a range of later days touches none of them, so a
 * day's refresh costs a scan of the small table. `rebuildFirstDaysSql(0, <far future>)` rebuilds it whole.
 */
export function rebuildFirstDaysSql(loMs: number, hiMs: number): string[] {
  const daily = rollupTable(FAMILIES.jar, 'daily');
  const jars = 'temp.main.bw_first_days_jars';
  const span = `INTERVAL ${FIRST_DAYS} DAY`;
  return [
    `CREATE OR REPLACE TEMP TABLE bw_first_days_jars AS ` +
      `SELECT battery_id FROM ${JAR_FIRST_DAYS} GROUP BY battery_id HAVING min(bucket) + ${span} > ${tsLiteral(loMs)} ` +
      `UNION SELECT DISTINCT battery_id FROM ${daily} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)} ` +
      `AND battery_id NOT IN (SELECT battery_id FROM ${JAR_FIRST_DAYS})`,
    `DELETE FROM ${JAR_FIRST_DAYS} WHERE battery_id IN (SELECT battery_id FROM ${jars})`,
    `INSERT INTO ${JAR_FIRST_DAYS} (${colList(FAMILIES.jar)}) SELECT ${columnsOf(FAMILIES.jar, 'd.')} FROM ${daily} d ` +
      `JOIN (SELECT battery_id, min(bucket) AS d0 FROM ${daily} WHERE battery_id IN (SELECT battery_id FROM ${jars}) GROUP BY battery_id) f ` +
      `USING (battery_id) WHERE d.bucket < f.d0 + ${span} ORDER BY d.battery_id, d.bucket`,
    `DROP TABLE ${jars}`,
  ];
}

/** Where each jar sits (battery_id, string_id, location_id) over the master views. */
export const JAR_MAP_SQL =
  `SELECT b.battery_id, b.string_id, sy.location_id FROM ${qualifiedName('main', 'battery')} b ` +
  `JOIN ${qualifiedName('main', 'battery_string')} s ON s.string_id = b.string_id ` +
  `JOIN ${qualifiedName('main', 'battery_system')} sy ON sy.system_id = s.system_id`;

/** Recompute [lo, hi) of the sibling statistics (gold.sibling_hourly) from gold.jar_hourly (`jarMap`: see JAR_MAP_SQL). */
export function rebuildSiblingSql(loMs: number, hiMs: number, jarMap: string = JAR_MAP_SQL): string[] {
  const range = `bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)}`;
  const hours = `(SELECT * FROM ${rollupTable(FAMILIES.jar, 'hourly')} WHERE ${range})`;
  return [`DELETE FROM ${SIBLING_HOURLY} WHERE ${range}`, `INSERT INTO ${SIBLING_HOURLY} ${siblingSelectSql(hours, jarMap)}`];
}

/** Recompute [lo, hi) of the site rollup at a grain from the jar rollup of the same grain (`jarMap`: see JAR_MAP_SQL). */
export function rebuildSiteSql(
  site: RollupFamily,
  jar: RollupFamily,
  grain: Grain,
  loMs: number,
  hiMs: number,
  jarMap: string = JAR_MAP_SQL,
): string[] {
  const target = rollupTable(site, grain);
  const source = rollupTable(jar, grain);
  return [
    `DELETE FROM ${target} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)}`,
    `INSERT INTO ${target} (${colList(site)}) SELECT m.location_id, j.bucket, ${mergeAggregates(site)} ` +
      `FROM ${source} j JOIN (${jarMap}) m USING (battery_id) ` +
      `WHERE j.bucket >= ${tsLiteral(loMs)} AND j.bucket < ${tsLiteral(hiMs)} GROUP BY ALL ORDER BY m.location_id, j.bucket`,
  ];
}
