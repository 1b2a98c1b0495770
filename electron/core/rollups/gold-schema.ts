import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { recreateTableSql } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

/** The medallion's gold layer in the workspace database: rollups the dashboards read. */
export const GOLD_SCHEMA = 'gold';

export type Grain = 'hourly' | 'daily';
export const GRAIN_MS: Readonly<Record<Grain, number>> = { hourly: 3_600_000, daily: 86_400_000 };

/** One measured quantity of a rollup family, with the type its min/max/first/last keep. */
export interface RollupMetric {
  /** Column prefix in the rollup, e.g. `voltage` → voltage_min, voltage_max, voltage_mean, ... */
  name: string;
  /** Column of the source dataset. */
  column: string;
  /** DuckDB type of the source column (min, max, first and last keep it exactly). */
  type: string;
  unit: string;
}

/**
 * A rollup family: per key (jar, string or site) and time bucket (UTC hour or UTC day), for every metric:
 * min, max, mean, first, last and the times of the min and max, plus the bucket's reading count and the
 * times of its first and last reading. Min/max/first/last with their times make M4 downsampling of a
 * series exact from the rollups whenever the chart's buckets are whole hours or days.
 */
export interface RollupFamily {
  name: 'jar' | 'string' | 'site';
  key: string;
  metrics: readonly RollupMetric[];
}

const JAR_METRICS: readonly RollupMetric[] = [
  { name: 'voltage', column: 'voltage_v', type: 'DECIMAL(6,3)', unit: 'V' },
  { name: 'temperature', column: 'temperature_c', type: 'DECIMAL(4,1)', unit: '°C' },
  { name: 'resistance', column: 'resistance_mohm', type: 'DECIMAL(6,2)', unit: 'mΩ' },
];

export const FAMILIES = {
  /** From `telemetry`. */
  jar: { name: 'jar', key: 'battery_id', metrics: JAR_METRICS },
  /** From `string_telemetry`. */
  string: {
    name: 'string',
    key: 'string_id',
    metrics: [
      { name: 'voltage', column: 'voltage_v', type: 'DECIMAL(8,3)', unit: 'V' },
      { name: 'current', column: 'current_a', type: 'DECIMAL(7,2)', unit: 'A' },
      { name: 'ambient', column: 'ambient_c', type: 'DECIMAL(4,1)', unit: '°C' },
    ],
  },
  /** From the jar rollups, over every jar of the site. */
  site: { name: 'site', key: 'location_id', metrics: JAR_METRICS },
} as const satisfies Record<string, RollupFamily>;

export function rollupTable(family: RollupFamily, grain: Grain): string {
  return qualifiedName(GOLD_SCHEMA, `${family.name}_${grain}`);
}

export function rollupTableName(family: RollupFamily, grain: Grain): string {
  return `${GOLD_SCHEMA}.${family.name}_${grain}`;
}

/** Every gold table: its family and grain, its name as panel sources spell it (`gold.jar_hourly`) and its SQL name. */
export const GOLD_TABLES = Object.values(FAMILIES).flatMap((family: RollupFamily) =>
  (['hourly', 'daily'] as const).map((grain) => ({
    family,
    grain,
    name: rollupTableName(family, grain),
    table: rollupTable(family, grain),
  })),
);

/** Bookkeeping of what the rollups have seen, in the workspace's internal schema. */
export const STATE = {
  hotHours: qualifiedName(INTERNAL_SCHEMA, 'rollup_hot_hours'),
  lakeFiles: qualifiedName(INTERNAL_SCHEMA, 'rollup_lake_files'),
  splits: qualifiedName(INTERNAL_SCHEMA, 'rollup_splits'),
  runs: qualifiedName(INTERNAL_SCHEMA, 'rollup_runs'),
  /** Per gold table and time segment: rows written since the segment was last in order (see gold-layout.ts). */
  layout: qualifiedName(INTERNAL_SCHEMA, 'rollup_layout'),
  /** Per gold table and history block: the last segment written into the block's one (key, bucket) run. */
  history: qualifiedName(INTERNAL_SCHEMA, 'rollup_history'),
  /**
   * Per source dataset, the UTC days whose raw rows retention deleted (lifecycle/retention.ts): their rollups are kept as
   * they were, never recomputed (a recompute from the raw rows that are gone would empty them).
   */
  retired: qualifiedName(INTERNAL_SCHEMA, 'retired_day'),
} as const;

/** `floor(epoch(<ts>) / 86400)` of the days retention retired for `dataset` (SQL, for `NOT IN`). */
export function retiredDaysSql(dataset: string): string {
  return `SELECT day FROM ${STATE.retired} WHERE dataset = ${quoteLiteral(dataset)}`;
}

export function metricColumns(m: RollupMetric): { name: string; type: string }[] {
  const p = m.name;
  return [
    { name: `${p}_min`, type: m.type },
    { name: `${p}_max`, type: m.type },
    { name: `${p}_mean`, type: 'DOUBLE' },
    { name: `${p}_first`, type: m.type },
    { name: `${p}_last`, type: m.type },
    { name: `${p}_min_ts`, type: 'TIMESTAMPTZ' },
    { name: `${p}_max_ts`, type: 'TIMESTAMPTZ' },
  ];
}

export function rollupColumns(family: RollupFamily): { name: string; type: string }[] {
  return [
    { name: family.key, type: 'INTEGER' },
    { name: 'bucket', type: 'TIMESTAMPTZ' },
    { name: 'n', type: 'BIGINT' },
    { name: 'first_ts', type: 'TIMESTAMPTZ' },
    { name: 'last_ts', type: 'TIMESTAMPTZ' },
    ...family.metrics.flatMap(metricColumns),
  ];
}

/**
 * Sibling statistics: per string and hour, over the hourly means of its jars (gold.jar_hourly), for each jar metric the
 * number of jars with a value, their mean and Q (the sum of squared deviations from that mean). The sibling anomaly
 * analysis (analytics/anomalies-sql.ts) compares each jar with these instead of grouping millions of jar hours per
 * query. Kept with gold.jar_hourly: every range of it rebuilt is rebuilt here in the same transaction.
 */
export const SIBLING_HOURLY = qualifiedName(GOLD_SCHEMA, 'sibling_hourly');
export const SIBLING_HOURLY_NAME = `${GOLD_SCHEMA}.sibling_hourly`;
export const SIBLING_METRICS = JAR_METRICS.map((m) => m.name);

/**
 * Each jar's first days: the rows of gold.jar_daily in a jar's first FIRST_DAYS days (counted from its first daily row).
 * The health drift and the SoH fit take a jar's first day and baseline from here (dashboard/health-sql.ts,
 * analytics/soh-sql.ts): about 83k rows for the full fleet however long its history is, where those reads grouped
 * every daily row of the history, twice. Kept with gold.jar_daily: every range of it rebuilt updates, in the same
 * transaction, the jars whose first days the range can touch (rollup-sql.ts, rebuildFirstDaysSql).
 */
export const JAR_FIRST_DAYS = qualifiedName(GOLD_SCHEMA, 'jar_first_days');
/** The days gold.jar_first_days keeps per jar: a baseline of up to 5 weeks is read from it (longer ones from gold.jar_daily). */
export const FIRST_DAYS = 35;

/**
 * Where a jar's first day and its first `baselineDays` days of daily rows are read: gold.jar_first_days when they fit in
 * it (the same rows, a fixed few per jar), else gold.jar_daily.
 */
export function firstDaysOf(baselineDays: number): string {
  return baselineDays <= FIRST_DAYS ? JAR_FIRST_DAYS : rollupTable(FAMILIES.jar, 'daily');
}

/** One BIGINT per string and moment (string id in the high 32 bits, epoch seconds in the low): a one-column join and group key. */
export function momentKey(stringId: string, ts: string): string {
  return `(CAST(${stringId} AS BIGINT) << 32) + CAST(epoch(${ts}) AS BIGINT)`;
}

function siblingColumns(): { name: string; type: string }[] {
  return [
    { name: 'k', type: 'BIGINT' },
    { name: 'string_id', type: 'INTEGER' },
    { name: 'bucket', type: 'TIMESTAMPTZ' },
    ...SIBLING_METRICS.flatMap((m) => [
      { name: `n_${m}`, type: 'BIGINT' },
      { name: `mean_${m}`, type: 'DOUBLE' },
      { name: `q_${m}`, type: 'DOUBLE' },
    ]),
  ];
}

/** The sibling statistics of the jar hours `jarHours` (rows of gold.jar_hourly) with `jarMap` (battery_id → string_id). */
export function siblingSelectSql(jarHours: string, jarMap: string): string {
  const stats = SIBLING_METRICS.map((m) => {
    const c = quoteIdent(`${m}_mean`);
    return `count(${c}), avg(${c}), var_pop(${c}) * count(${c})`;
  });
  return (
    `SELECT ${momentKey('m.string_id', 'j.bucket')} AS k, m.string_id, j.bucket, ${stats.join(', ')} ` +
    `FROM ${jarHours} j JOIN (${jarMap}) m USING (battery_id) GROUP BY ALL ORDER BY k`
  );
}

/** The gold data tables (SQL names): each rollup, the jars' first days and the sibling statistics, with their columns. */
function goldDataTables(): Map<string, { name: string; type: string }[]> {
  const out = new Map<string, { name: string; type: string }[]>();
  for (const family of Object.values(FAMILIES)) {
    for (const grain of ['hourly', 'daily'] as const) out.set(rollupTable(family, grain), rollupColumns(family));
  }
  out.set(JAR_FIRST_DAYS, rollupColumns(FAMILIES.jar));
  out.set(SIBLING_HOURLY, siblingColumns());
  return out;
}

function goldTableDdl(table: string, columns: readonly { name: string; type: string }[]): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
}

/**
 * Statements that empty a gold data table (its SQL name) by making it again, for the caller's transaction (see
 * recreateTableSql: a year's gold.jar_hourly is about 21M rows, a data job's memory budget 128 MB).
 */
export function emptyGoldTableSql(table: string): string[] {
  const columns = goldDataTables().get(table);
  if (!columns) throw new Error(`Not a gold data table: ${table}`);
  return recreateTableSql(table, goldTableDdl(table, columns));
}

export async function ensureGoldSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(GOLD_SCHEMA)}`);
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
  for (const [table, columns] of goldDataTables()) await conn.run(goldTableDdl(table, columns));
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${STATE.retired} (dataset VARCHAR NOT NULL, day BIGINT NOT NULL, files INTEGER NOT NULL, ` +
      'rows BIGINT NOT NULL, bytes BIGINT NOT NULL, retired_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (dataset, day))',
  );
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${STATE.hotHours} (dataset VARCHAR, hour BIGINT, n BIGINT, s HUGEINT, PRIMARY KEY (dataset, hour))`,
  );
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${STATE.lakeFiles} (dataset VARCHAR, key VARCHAR, size BIGINT, mtime_ms BIGINT, PRIMARY KEY (dataset, key))`,
  );
  await conn.run(`CREATE TABLE IF NOT EXISTS ${STATE.splits} (dataset VARCHAR PRIMARY KEY, split_at VARCHAR)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${STATE.layout} (tbl VARCHAR, segment BIGINT, unordered BIGINT, PRIMARY KEY (tbl, segment))`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${STATE.history} (tbl VARCHAR, block BIGINT, last_segment BIGINT, PRIMARY KEY (tbl, block))`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${STATE.runs} (finished_at TIMESTAMPTZ, full_rebuild BOOLEAN, hours BIGINT, elapsed_ms BIGINT, error VARCHAR)`,
  );
}
