import { sqlRelationNames } from '../sql-lex';
import { DATASET_NAMES } from './datasets';
import { columnMeaning } from './dictionary';

/**
 * Feature sets: named, versioned SQL definitions over the unified views, materialized per UTC day into the lake
 * (`features/<set>/v<N>/date=YYYY-MM-DD/`) and read back as `features.<set>_v<N>`. Pure: the definitions, their
 * normalized text (the core hashes it: a changed SQL or column list is a new version) and the `<set>@v<N>` references
 * a training slice names.
 *
 * A definition's SQL is one SELECT that reads the unified views with two bound parameters, `$window_start` and
 * `$window_end` (TIMESTAMPTZ, whole UTC days), and returns one row per entity and UTC day in that window: the entity
 * key, `day` (DATE, the UTC day the values describe), `event_time` (TIMESTAMPTZ, when the values are known: the end
 * of the data they were computed from) and the declared columns. It may read up to `lookbackDays` days before the
 * window (e.g. a 7-day slope); a day is recomputed when any of those days' input rows change.
 */

export type FeatureEntity = 'jar' | 'string' | 'site';

/** The key column of each entity, as the datasets spell it. */
export const ENTITY_KEYS: Readonly<Record<FeatureEntity, 'battery_id' | 'string_id' | 'location_id'>> = {
  jar: 'battery_id',
  string: 'string_id',
  site: 'location_id',
};

/** The UTC day a feature row describes (the lake partition). */
export const FEATURE_DAY_COLUMN = 'day';
/** When a feature row's values are known: the point-in-time join compares a label's time with it. */
export const FEATURE_TIME_COLUMN = 'event_time';
/** The datasets a definition may read (their day fingerprints decide which days are recomputed). */
export const FEATURE_INPUTS = ['telemetry', 'string_telemetry'] as const;
export type FeatureInput = (typeof FEATURE_INPUTS)[number];

export interface FeatureColumn {
  name: string;
  /** DuckDB type the column is written as (the SQL's value is cast to it). */
  type: string;
  quantity: string;
  unit: string | null;
  description: string;
}

export interface FeatureSetDefinition {
  name: string;
  description: string;
  owner: string;
  entity: FeatureEntity;
  inputs: readonly FeatureInput[];
  /** Days before a day that its values read (0: the day only). */
  lookbackDays: number;
  /**
   * How long after `event_time` a value may be used (minutes): a label at time t is joined to the latest feature row
   * with `event_time <= t - lag`.
   */
  lagMinutes: number;
  sql: string;
  columns: readonly FeatureColumn[];
}

/** A stored version: the definition as it was, its number and hash (`features/<set>/v<N>/_definition.json`). */
export interface FeatureSetVersion {
  kind: 'battery-workbench.feature-set';
  version: number;
  /** `sha256:<hex>` of `definitionText`. */
  hash: string;
  createdAt: string;
  definition: FeatureSetDefinition;
}

export const FEATURE_VERSION_KIND = 'battery-workbench.feature-set';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export function isFeatureSetName(name: string): boolean {
  return NAME_RE.test(name);
}

/**
 * The datasets a definition reads (its lineage): its declared inputs, and every other dataset its SQL reads from
 * (master data such as `battery`), by the names after FROM and JOIN.
 */
export function featureLineage(def: Pick<FeatureSetDefinition, 'inputs' | 'sql'>): string[] {
  const known: readonly string[] = DATASET_NAMES;
  const read = sqlRelationNames(def.sql)
    .map((n) => n.replace(/^main\./, ''))
    .filter((n) => known.includes(n));
  return [...new Set<string>([...def.inputs, ...read])];
}

/** `jar_daily_stats@v2` → name and version; null when it is not such a reference. */
export function parseFeatureRef(text: string): { name: string; version: number } | null {
  const m = /^([a-z][a-z0-9_]{0,62})@v([1-9]\d{0,5})$/.exec(text.trim());
  return m ? { name: m[1], version: Number(m[2]) } : null;
}

export function featureRef(name: string, version: number): string {
  return `${name}@v${version}`;
}

/** The lake folder of a version's files: `features/<set>/v<N>`. */
export function featureFolder(name: string, version: number): string {
  return `features/${name}/v${version}`;
}

/** The view (in schema `features`) of a materialized version: `<set>_v<N>`. */
export function featureViewName(name: string, version: number): string {
  return `${name}_v${version}`;
}

/** The serving table (in schema `features`) of a version: the latest row per entity. */
export function featureLatestName(name: string, version: number): string {
  return `${name}_v${version}_latest`;
}

/**
 * A feature set version as a training slice joins it (resolved from the lake by the core): each slice row gets the
 * latest feature row of its unit whose `event_time` is at or before the row's time minus `lagMinutes` (ASOF). Its
 * columns come out as `<set>_<column>`, with `<set>_event_time` saying which feature row it was.
 */
export interface SliceFeatureSet {
  ref: string;
  name: string;
  version: number;
  hash: string;
  entityColumn: string;
  lagMinutes: number;
  /** The declared columns joined (the key, day and event time are not repeated). */
  columns: string[];
}

/** A feature column's name in a slice: `<set>_<column>`. */
export function sliceFeatureOutputName(set: string, column: string): string {
  return `${set}_${column}`;
}

/** Whitespace runs collapsed, line comments dropped, trimmed: reformatting the SQL makes no new version. */
export function normalizeSql(sql: string): string {
  return sql
    .split('\n')
    .map((line) => line.replace(/--[^'\n]*$/, ''))
    .join('\n')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a version's hash covers: the normalized SQL, the entity, inputs, lookback, lag and the declared columns. */
export function definitionText(def: FeatureSetDefinition): string {
  return JSON.stringify({
    sql: normalizeSql(def.sql),
    entity: def.entity,
    inputs: [...def.inputs],
    lookbackDays: def.lookbackDays,
    lagMinutes: def.lagMinutes,
    columns: def.columns.map((c) => [c.name, c.type]),
  });
}

/** Every column a version's files hold, in order: the key, `day`, `event_time`, then the declared ones. */
export function featureColumns(def: FeatureSetDefinition): FeatureColumn[] {
  const key = ENTITY_KEYS[def.entity];
  return [
    { name: key, type: 'INTEGER', quantity: 'identifier', unit: null, description: `The ${def.entity} the row describes.` },
    { name: FEATURE_DAY_COLUMN, type: 'DATE', quantity: 'date', unit: null, description: 'UTC day the values describe.' },
    {
      name: FEATURE_TIME_COLUMN,
      type: 'TIMESTAMPTZ',
      quantity: 'time',
      unit: 'UTC',
      description: 'When the values are known (the end of the data they were computed from).',
    },
    ...def.columns,
  ];
}

/** Problems of a definition (empty: sound). */
export function checkDefinition(def: FeatureSetDefinition): string[] {
  const out: string[] = [];
  if (!isFeatureSetName(def.name))
    out.push(`name "${def.name.slice(0, 80)}": use 1-63 lowercase letters, digits or _ , starting with a letter`);
  if (!(def.entity in ENTITY_KEYS)) out.push(`entity: must be jar, string or site`);
  if (def.inputs.length === 0) out.push('inputs: name at least one of ' + FEATURE_INPUTS.join(', '));
  for (const i of def.inputs)
    if (!(FEATURE_INPUTS as readonly string[]).includes(i)) out.push(`inputs: "${i}" is not one of ${FEATURE_INPUTS.join(', ')}`);
  if (!Number.isInteger(def.lookbackDays) || def.lookbackDays < 0 || def.lookbackDays > 366) out.push('lookbackDays: 0 to 366');
  if (!Number.isFinite(def.lagMinutes) || def.lagMinutes < 0) out.push('lagMinutes: 0 or more');
  if (def.columns.length === 0) out.push('columns: declare at least one');
  const seen = new Set<string>([ENTITY_KEYS[def.entity], FEATURE_DAY_COLUMN, FEATURE_TIME_COLUMN]);
  for (const c of def.columns) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(c.name)) out.push(`columns: "${c.name.slice(0, 80)}" is not a lowercase name`);
    else if (seen.has(c.name)) out.push(`columns: "${c.name}" is declared twice (or is a key column)`);
    seen.add(c.name);
  }
  if (!/\$window_start\b/.test(def.sql) || !/\$window_end\b/.test(def.sql)) out.push('sql: must use $window_start and $window_end');
  return out;
}

/** A column derived from a dataset column: its quantity and unit from the data dictionary. */
function derived(dataset: string, column: string, name: string, type: string, description: string, unit?: string | null): FeatureColumn {
  const m = columnMeaning(dataset, column);
  if (!m) throw new Error(`No dictionary entry for ${dataset}.${column}`);
  return { name, type, quantity: m.quantity, unit: unit === undefined ? m.unit : unit, description };
}

/** The jar day of a reading (UTC). */
const UTC_DAY = `CAST(timezone('UTC', ts) AS DATE)`;

/** Per jar per UTC day: voltage and temperature min/mean/max, the 7-day resistance slope, time above 30 degC. */
export const JAR_DAILY_STATS: FeatureSetDefinition = {
  name: 'jar_daily_stats',
  description:
    'Per jar per UTC day: min, mean and max voltage and temperature, the slope of internal resistance over the 7 days ending with the day, and minutes above 30 degC.',
  owner: 'fleet-analytics',
  entity: 'jar',
  inputs: ['telemetry'],
  lookbackDays: 6,
  lagMinutes: 0,
  // The slope is least squares over the readings of 7 days, from exact integer sums (5-minute slots, 0.01 mOhm):
  // the same rows always give the same value, whatever the order DuckDB adds them in. It is NULL unless the jar
  // has readings on the window's first day: a jar's first six days (or a day after a gap) would otherwise get a
  // "7-day" slope from one or two days of readings, far steeper than any whole week's, and read as drift.
  sql: `
WITH r AS (
  SELECT battery_id, ${UTC_DAY} AS day, voltage_v, temperature_c,
         CAST(epoch(ts) / 300 AS BIGINT) AS x, CAST(resistance_mohm * 100 AS BIGINT) AS y
  FROM telemetry
  WHERE ts >= $window_start - INTERVAL 6 DAY AND ts < $window_end
),
d AS (
  SELECT battery_id, day,
         min(voltage_v) AS voltage_min, avg(voltage_v) AS voltage_mean, max(voltage_v) AS voltage_max,
         min(temperature_c) AS temperature_min, avg(temperature_c) AS temperature_mean, max(temperature_c) AS temperature_max,
         count(*) FILTER (WHERE temperature_c > 30) * 5 AS minutes_above_30c,
         count(*) AS readings,
         count(y) AS n, sum(x) FILTER (WHERE y IS NOT NULL) AS sx, sum(y) AS sy,
         sum(CAST(x AS HUGEINT) * x) FILTER (WHERE y IS NOT NULL) AS sxx, sum(CAST(x AS HUGEINT) * y) AS sxy
  FROM r GROUP BY battery_id, day
),
w AS (
  SELECT *,
         min(day) OVER win AS wfirst, sum(n) OVER win AS wn, sum(sx) OVER win AS wsx, sum(sy) OVER win AS wsy,
         sum(sxx) OVER win AS wsxx, sum(sxy) OVER win AS wsxy
  FROM d
  WINDOW win AS (PARTITION BY battery_id ORDER BY day RANGE BETWEEN INTERVAL 6 DAY PRECEDING AND CURRENT ROW)
)
SELECT battery_id, day, timezone('UTC', CAST(day + 1 AS TIMESTAMP)) AS event_time,
       voltage_min, round(voltage_mean, 6) AS voltage_mean, voltage_max,
       temperature_min, round(temperature_mean, 6) AS temperature_mean, temperature_max,
       CASE WHEN wfirst = day - 6 AND wn * wsxx - wsx * wsx > 0
            THEN round(CAST(wn * wsxy - wsx * wsy AS DOUBLE) / CAST(wn * wsxx - wsx * wsx AS DOUBLE) * 288 / 100, 9) END
         AS resistance_slope_7d,
       minutes_above_30c, readings
FROM w
WHERE day >= CAST(timezone('UTC', $window_start) AS DATE) AND day < CAST(timezone('UTC', $window_end) AS DATE)`,
  columns: [
    derived('telemetry', 'voltage_v', 'voltage_min', 'DECIMAL(6,3)', 'Lowest jar voltage of the day.'),
    derived('telemetry', 'voltage_v', 'voltage_mean', 'DOUBLE', 'Mean jar voltage of the day.'),
    derived('telemetry', 'voltage_v', 'voltage_max', 'DECIMAL(6,3)', 'Highest jar voltage of the day.'),
    derived('telemetry', 'temperature_c', 'temperature_min', 'DECIMAL(4,1)', 'Lowest jar temperature of the day.'),
    derived('telemetry', 'temperature_c', 'temperature_mean', 'DOUBLE', 'Mean jar temperature of the day.'),
    derived('telemetry', 'temperature_c', 'temperature_max', 'DECIMAL(4,1)', 'Highest jar temperature of the day.'),
    derived(
      'telemetry',
      'resistance_mohm',
      'resistance_slope_7d',
      'DOUBLE',
      'Least-squares slope of internal resistance over the 7 UTC days ending with the day; NULL when the jar has no readings on the first of them (its first 6 days).',
      'mOhm/day',
    ),
    {
      name: 'minutes_above_30c',
      type: 'INTEGER',
      quantity: 'duration',
      unit: 'min',
      description: 'Minutes of the day with the jar above 30 degC (5-minute readings).',
    },
    { name: 'readings', type: 'INTEGER', quantity: 'count', unit: 'readings', description: 'Readings of the jar that day.' },
  ],
};

/** Per string per UTC day: how far its jars drift apart (voltage and temperature spread across the jars at each reading). */
export const STRING_DAILY_SPREAD: FeatureSetDefinition = {
  name: 'string_daily_spread',
  description:
    'Per string per UTC day: the spread (highest minus lowest jar) of voltage and temperature across the string’s jars at each reading time, its mean and maximum over the day.',
  owner: 'fleet-analytics',
  entity: 'string',
  inputs: ['telemetry'],
  lookbackDays: 0,
  lagMinutes: 0,
  sql: `
WITH s AS (
  SELECT b.string_id, t.ts, max(t.voltage_v) - min(t.voltage_v) AS dv, max(t.temperature_c) - min(t.temperature_c) AS dt,
         count(*) AS jars
  FROM telemetry t JOIN battery b ON b.battery_id = t.battery_id
  WHERE t.ts >= $window_start AND t.ts < $window_end
  GROUP BY b.string_id, t.ts
)
SELECT string_id, ${UTC_DAY} AS day, timezone('UTC', CAST(${UTC_DAY} + 1 AS TIMESTAMP)) AS event_time,
       round(avg(dv), 6) AS voltage_spread_mean, max(dv) AS voltage_spread_max,
       round(avg(dt), 6) AS temperature_spread_mean, max(dt) AS temperature_spread_max,
       max(jars) AS jars_reporting
FROM s GROUP BY ALL`,
  columns: [
    derived(
      'telemetry',
      'voltage_v',
      'voltage_spread_mean',
      'DOUBLE',
      'Mean over the day of (highest - lowest jar voltage) at each reading time.',
    ),
    derived('telemetry', 'voltage_v', 'voltage_spread_max', 'DECIMAL(6,3)', 'Largest (highest - lowest jar voltage) of the day.'),
    derived(
      'telemetry',
      'temperature_c',
      'temperature_spread_mean',
      'DOUBLE',
      'Mean over the day of (hottest - coolest jar) at each reading time.',
    ),
    derived('telemetry', 'temperature_c', 'temperature_spread_max', 'DECIMAL(4,1)', 'Largest (hottest - coolest jar) of the day.'),
    {
      name: 'jars_reporting',
      type: 'INTEGER',
      quantity: 'count',
      unit: 'jars',
      description: 'Most jars of the string reporting at one time that day.',
    },
  ],
};

/** The feature sets every workspace has (the demo fleet's). */
export const BUILTIN_FEATURE_SETS: readonly FeatureSetDefinition[] = [JAR_DAILY_STATS, STRING_DAILY_SPREAD];
