import type { DuckDBConnection } from '@duckdb/node-api';
import type { QualityCheck, QualityWarning } from '../../../shared/api/convert';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';

/**
 * Quality checks of converted readings, computed in DuckDB over the Parquet a conversion has just written
 * (its good rows, in the CSV's order): a scan of each reading on its own (physical ranges), a sort of each unit's
 * readings in row order (time going back, repeated times; a share of the units at a time) and a scan per unit (unit
 * mistakes by magnitude, a flipped current sign). They warn; `strict` makes them fail the file.
 */

/** Physical range of a lead-acid cell's voltage (V); a jar's range is this times its cells. */
export const CELL_VOLTAGE_RANGE = { min: 1.6, max: 2.6 } as const;
/** A jar's voltage range when its model (cell count) is not known (V). */
export const JAR_VOLTAGE_RANGE = { min: 1.0, max: 16.0 } as const;
/** A string's voltage range when its model is not known (V). */
export const STRING_VOLTAGE_RANGE = { min: 0, max: 1000 } as const;
export const TEMPERATURE_RANGE = { min: -40, max: 80 } as const;
/** A unit whose median is this many times its nominal value (or this many times smaller) was probably written in another unit. */
export const UNIT_FACTOR = 50;
/** Without a model: a jar median above this (V) is probably mV; a resistance median below this (mOhm) is probably Ohm. */
export const GENERIC_MV_JAR = 100;
export const GENERIC_MV_STRING = 5000;
export const GENERIC_OHM = 0.05;
/**
 * A string with more than CURRENT_HIGH_SHARE of its current readings above this many C in magnitude (or GENERIC_MA
 * amperes without a model), so its 95th percentile above it, is probably in mA.
 */
export const CURRENT_MA_C_RATE = 10;
export const GENERIC_MA = 20_000;
export const CURRENT_HIGH_SHARE = 0.05;
/** A string whose non-zero current readings are negative in more than this share probably has its sign flipped. */
export const FLIPPED_SIGN_SHARE = 0.8;

const EXAMPLES = 5;
/** Where the unit checks' row (unitSql) holds each check's first keys: three columns a check (units, readings, keys). */
const UNIT_EXAMPLE_COLUMNS = [2, 5, 8, 11] as const;
/**
 * Readings per share of the units in the row-order checks (see checkReadings): a share's sort stays this size. The
 * unit checks keep a few counts per unit and need no shares: with their medians in the shares as well, a 10M-row file's
 * conversion peaked 1.4x higher than a 1M-row file's.
 */
const QUALITY_SHARE_ROWS = 1_000_000;

type Shape = 'telemetry' | 'string_telemetry';

export interface QualityInput {
  /** The file the rows came from (named in the warnings). */
  file: string;
  /** The Parquet files written for it. */
  parquet: readonly string[];
  /** Output columns and their DuckDB types. */
  columns: readonly { name: string; type: string }[];
  /** Readings per share of the units (default QUALITY_SHARE_ROWS). */
  shareRows?: number;
}

const TIME_TYPE = /^(TIMESTAMP|DATE|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ|TIMESTAMP_[A-Z]+)$/i;

function shapeOf(cols: ReadonlyMap<string, string>): Shape | null {
  if (!cols.has('ts') || !TIME_TYPE.test(cols.get('ts') ?? '')) return null;
  if (cols.has('battery_id') && ['voltage_v', 'temperature_c', 'resistance_mohm'].some((c) => cols.has(c))) return 'telemetry';
  if (cols.has('string_id') && ['voltage_v', 'current_a', 'ambient_c'].some((c) => cols.has(c))) return 'string_telemetry';
  return null;
}

async function hasMasterViews(conn: DuckDBConnection): Promise<boolean> {
  const r = await conn.runAndReadAll(
    `SELECT count(DISTINCT table_name) FROM information_schema.tables WHERE table_schema = 'main' AND table_name IN ('battery', 'battery_model', 'battery_string')`,
  );
  return Number(r.getRowsJS()[0]?.[0] ?? 0) === 3;
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Examples are `{o, s}` structs (o orders them: a row number or a unit key); the texts, in order. */
function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String((x as { s: unknown }).s)) : [];
}

function before(a: unknown, b: unknown): number {
  const x = (a as { o: unknown }).o;
  const y = (b as { o: unknown }).o;
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint'))
    return x < y ? -1 : x > y ? 1 : 0;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

/**
 * Adds one share's result row into `into`, column by column: counts and sums add up (the shares' units are disjoint),
 * example lists join and keep the first EXAMPLES in order.
 */
function mergeShare(into: unknown[], share: readonly unknown[]): void {
  share.forEach((v, i) => {
    const had = into[i];
    if (Array.isArray(v) || Array.isArray(had)) {
      const joined = [...(Array.isArray(had) ? had : []), ...(Array.isArray(v) ? v : [])];
      into[i] = joined.sort(before).slice(0, EXAMPLES);
    } else if (v !== null && v !== undefined) {
      into[i] = had === null || had === undefined ? v : num(had) + num(v);
    } else if (!(i in into)) {
      into[i] = v;
    }
  });
}

/** Runs the checks on one converted file; [] when its columns are not readings (battery_id or string_id, ts, values). */
export async function checkReadings(conn: DuckDBConnection, input: QualityInput): Promise<QualityWarning[]> {
  const cols = new Map(input.columns.map((c) => [c.name, c.type.toUpperCase()]));
  const shape = shapeOf(cols);
  if (shape === null || input.parquet.length === 0) return [];
  const key = shape === 'telemetry' ? 'battery_id' : 'string_id';
  const unitWord = shape === 'telemetry' ? 'jar' : 'string';
  const masters = await hasMasterViews(conn);
  const b = qualifiedName('main', 'battery');
  const m = qualifiedName('main', 'battery_model');
  const s = qualifiedName('main', 'battery_string');
  // Per unit: the model's cells (times the string's jars), nominal voltage, resistance and capacity; null when unknown.
  const model = !masters
    ? `SELECT NULL::BIGINT AS k, NULL::DOUBLE AS cells, NULL::DOUBLE AS nominal_v, NULL::DOUBLE AS nominal_r, NULL::DOUBLE AS capacity WHERE false`
    : shape === 'telemetry'
      ? `SELECT b.battery_id AS k, m.cells::DOUBLE AS cells, m.nominal_voltage_v::DOUBLE AS nominal_v, m.nominal_resistance_mohm::DOUBLE AS nominal_r, m.capacity_ah::DOUBLE AS capacity FROM ${b} b JOIN ${m} m ON m.model_id = b.model_id`
      : `SELECT s.string_id AS k, (m.cells * s.jar_count)::DOUBLE AS cells, (m.nominal_voltage_v * s.jar_count)::DOUBLE AS nominal_v, NULL::DOUBLE AS nominal_r, m.capacity_ah::DOUBLE AS capacity FROM ${s} s JOIN ${m} m ON m.model_id = s.model_id`;
  const files = `[${input.parquet.map(quoteLiteral).join(', ')}]`;
  const value = (c: string): string => (cols.has(c) ? `TRY_CAST(${quoteIdent(c)} AS DOUBLE)` : 'NULL::DOUBLE');
  const k = quoteIdent(key);
  // A row's number in the files taken in name order: the rows before its file (from the files' metadata) plus its
  // position in it. (A row_number() over all rows was a sort of every row, in every query.) The same read gives the
  // row count that sizes the shares below.
  const perFile = (
    await conn.runAndReadAll(
      `SELECT file_name, num_rows, coalesce(sum(num_rows) OVER (ORDER BY file_name ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) ` +
        `FROM parquet_file_metadata(${files})`,
    )
  ).getRowsJS();
  const rows = perFile.reduce((sum, [, n]) => sum + Number(n), 0);
  let rn = 'file_row_number + 1';
  if (input.parquet.length > 1) {
    const before = perFile.map(([name, , n]) => `WHEN ${quoteLiteral(String(name))} THEN ${Number(n)}`);
    rn = `CASE filename ${before.join(' ')} END + file_row_number + 1`;
  }
  // As 4 bytes where the rows fit: the row-order sort below (by key, then row number) ran 18% faster than with 8.
  if (rows < 2 ** 32) rn = `CAST(${rn} AS UINTEGER)`;
  // The row-order checks sort each unit's readings, so the units are sorted a share at a time (by a hash of the key):
  // the sort holds one share's readings, however many rows the file has.
  const shares = Math.max(1, Math.ceil(rows / (input.shareRows ?? QUALITY_SHARE_ROWS)));
  const srcOf = (share: number, of = shares): string =>
    `SELECT ${k} AS k, ${quoteIdent('ts')} AS t, ${value('voltage_v')} AS v, ${value(shape === 'telemetry' ? 'temperature_c' : 'ambient_c')} AS temp, ` +
    `${value('resistance_mohm')} AS r, ${value('current_a')} AS a, ${rn} AS rn ` +
    `FROM read_parquet(${files}, filename = true, file_row_number = true)` +
    (of > 1 ? ` WHERE hash(${k}) % ${of} = ${share}` : '');
  const cteOf = (src: string): string =>
    `WITH src AS (${src}), mdl AS (${model}), x AS (SELECT src.*, mdl.cells, mdl.nominal_v, mdl.nominal_r, mdl.capacity FROM src LEFT JOIN mdl ON mdl.k = src.k)`;
  // How an example names its unit: `battery_id 2`, `string_id B`, or `battery_id NULL` for a row without a key.
  const unitName = `'${key} ' || coalesce(CAST(k AS VARCHAR), 'NULL')`;
  // The first examples of the rows where `when` holds. The text is made only for those rows (CASE): made for every
  // row and then filtered, it cost seconds on millions of clean readings.
  const examples = (when: string, what: string): string =>
    `arg_min(CASE WHEN ${when} THEN {'o': rn, 's': 'row ' || rn || ': ' || ${unitName} || ' at ' || CAST(t AS VARCHAR) || ${what}} END, rn, ${EXAMPLES}) FILTER (WHERE ${when})`;
  const generic = shape === 'telemetry' ? JAR_VOLTAGE_RANGE : STRING_VOLTAGE_RANGE;
  const vOut =
    `v IS NOT NULL AND CASE WHEN cells IS NOT NULL THEN v / cells NOT BETWEEN ${CELL_VOLTAGE_RANGE.min} AND ${CELL_VOLTAGE_RANGE.max} ` +
    `ELSE v NOT BETWEEN ${generic.min} AND ${generic.max} END`;
  const tOut = `temp IS NOT NULL AND temp NOT BETWEEN ${TEMPERATURE_RANGE.min} AND ${TEMPERATURE_RANGE.max}`;
  // Each reading on its own (the ranges, the units with no model): one pass over every row, no shares and no sort. Kept
  // out of the per-share sort below, where these expressions over every row grew the process by 80 MB at 10M rows.
  const rangeSql =
    `${cteOf(srcOf(0, 1))} ` +
    `SELECT count(*) FILTER (WHERE ${vOut}), ${examples(vOut, `': ' || v || ' V' || CASE WHEN cells IS NOT NULL THEN ' (' || round(v / cells, 3) || ' V per cell)' ELSE '' END`)}, ` +
    `count(*) FILTER (WHERE ${tOut}), ${examples(tOut, `': ' || temp || ' degC'`)}, ` +
    `count(DISTINCT k) FILTER (WHERE cells IS NULL) ` +
    `FROM x`;
  // One sort: each unit's readings in row order, each against the one before. While no reading goes back in time and
  // none has no time, a unit's times never decrease, so a repeated time is always the reading right after the first.
  const rowSql = (src: string): string =>
    `WITH src AS (${src}), w AS (SELECT k, t, rn, lag(t) OVER (PARTITION BY k ORDER BY rn) AS prev_t FROM src) ` +
    `SELECT count(*) FILTER (WHERE t < prev_t), ${examples('t < prev_t', `' after ' || CAST(prev_t AS VARCHAR)`)}, ` +
    `count(*) FILTER (WHERE t = prev_t), ${examples('t = prev_t', "''")}, ` +
    `count(*) FILTER (WHERE t IS NULL) ` +
    `FROM w`;
  const rowShare = async (share: number): Promise<unknown[]> => {
    const src = srcOf(share);
    const row = (await conn.runAndReadAll(rowSql(src))).getRowsJS()[0] ?? [];
    if (num(row[0]) > 0 || num(row[4]) > 0) {
      // Out of order: a repeated time may come anywhere after the first, so the repeats are counted per unit and time.
      const dupSql =
        `WITH src AS (${src}), d AS (SELECT *, row_number() OVER (PARTITION BY k, t ORDER BY rn) AS dup FROM src) ` +
        `SELECT count(*) FILTER (WHERE dup > 1), ${examples('dup > 1', "''")} FROM d`;
      const dup = (await conn.runAndReadAll(dupSql)).getRowsJS()[0] ?? [];
      row[2] = dup[0];
      row[3] = dup[1];
    }
    return row;
  };
  // Per unit against the model's nominal values (unit mistakes) and the share of negative current (sign), in one pass
  // over every row. A unit's median is over a line exactly when more than half of its readings are, so each unit holds
  // a few counts, not its readings, however long the file is.
  const aLimit = `CASE WHEN capacity IS NOT NULL THEN ${CURRENT_MA_C_RATE} * capacity ELSE ${GENERIC_MA} END`;
  const mvLimit = shape === 'telemetry' ? GENERIC_MV_JAR : GENERIC_MV_STRING;
  const vHigh = `CASE WHEN nominal_v IS NOT NULL THEN v > ${UNIT_FACTOR} * nominal_v ELSE v > ${mvLimit} END`;
  const rLow = `r > 0 AND CASE WHEN nominal_r IS NOT NULL THEN r < nominal_r / ${UNIT_FACTOR} ELSE r < ${GENERIC_OHM} END`;
  const aHigh = `abs(a) > ${aLimit}`;
  // Units in key order, the one without a key (NULL) last. arg_min's top-n skips a NULL value and a NULL order, not a
  // struct holding one, so both are wrapped.
  const keyOrder = `{'empty': k IS NULL, 'k': k}`;
  const firstKeys = (when: string): string => `arg_min({'k': CAST(k AS VARCHAR)}, ${keyOrder}, ${EXAMPLES}) FILTER (WHERE ${when})`;
  const unitSql =
    `${cteOf(srcOf(0, 1))}, u AS (SELECT k, count(*) AS n, ` +
    `count(v) AS nv, count(*) FILTER (WHERE ${vHigh}) AS v_high, count(r) AS nr, count(*) FILTER (WHERE ${rLow}) AS r_low, ` +
    `count(a) AS na, count(*) FILTER (WHERE ${aHigh}) AS a_high, ` +
    `count(*) FILTER (WHERE a < 0) AS neg, count(*) FILTER (WHERE a <> 0) AS nonzero FROM x GROUP BY k), ` +
    `f AS (SELECT *, 2 * v_high > nv AS mv_bad, 2 * r_low > nr AS ohm_bad, a_high > ${CURRENT_HIGH_SHARE} * na AS ma_bad, ` +
    `nonzero > 0 AND neg > ${FLIPPED_SIGN_SHARE} * nonzero AS sign_bad FROM u) ` +
    `SELECT count(*) FILTER (WHERE mv_bad), sum(n) FILTER (WHERE mv_bad), ${firstKeys('mv_bad')}, ` +
    `count(*) FILTER (WHERE ohm_bad), sum(n) FILTER (WHERE ohm_bad), ${firstKeys('ohm_bad')}, ` +
    `count(*) FILTER (WHERE ma_bad), sum(n) FILTER (WHERE ma_bad), ${firstKeys('ma_bad')}, ` +
    `count(*) FILTER (WHERE sign_bad), sum(neg) FILTER (WHERE sign_bad), ${firstKeys('sign_bad')} ` +
    `FROM f`;
  const range = (await conn.runAndReadAll(rangeSql)).getRowsJS()[0] ?? [];
  const row: unknown[] = [];
  for (let share = 0; share < shares; share++) mergeShare(row, await rowShare(share));
  const u = (await conn.runAndReadAll(unitSql)).getRowsJS()[0] ?? [];
  // The examples name a few units each with its medians and its high currents: computed for those units alone.
  // Each unit check's first keys (NULL: the unit without a key), then their example texts in the same places.
  const exampleKeys = UNIT_EXAMPLE_COLUMNS.map((i) =>
    Array.isArray(u[i])
      ? u[i].map((x) => {
          const k = (x as { k: unknown }).k;
          return k === null ? null : String(k);
        })
      : [],
  );
  if (exampleKeys.some((keys) => keys.length > 0)) {
    const all = [...new Set(exampleKeys.flat())];
    const among = (keys: readonly (string | null)[]): string => {
      const named = keys.filter((k): k is string => k !== null);
      const terms = [
        ...(named.length > 0 ? [`CAST(k AS VARCHAR) IN (${named.map(quoteLiteral).join(', ')})`] : []),
        ...(keys.includes(null) ? ['k IS NULL'] : []),
      ];
      return terms.length === 0 ? 'false' : `(${terms.join(' OR ')})`;
    };
    const unitExamples = (keys: readonly (string | null)[], what: string): string =>
      `arg_min({'s': ${unitName} || ${what}}, ${keyOrder}, ${EXAMPLES}) FILTER (WHERE ${among(keys)})`;
    const [vKeys, rKeys, aKeys, signKeys] = exampleKeys;
    const exampleSql =
      `${cteOf(`SELECT * FROM (${srcOf(0, 1)}) WHERE ${among(all)}`)}, ` +
      `u AS (SELECT k, median(v) AS mv, median(r) AS mr, count(a) AS na, count(*) FILTER (WHERE ${aHigh}) AS a_high, ` +
      `max(abs(a)) AS a_max, count(*) FILTER (WHERE a < 0) AS neg, count(*) FILTER (WHERE a <> 0) AS nonzero, ` +
      `any_value(nominal_v) AS nominal_v, any_value(nominal_r) AS nominal_r, any_value(capacity) AS capacity, any_value(${aLimit}) AS a_limit ` +
      `FROM x GROUP BY k) ` +
      `SELECT ${unitExamples(vKeys, `': median ' || round(mv, 3) || ' V' || coalesce(' against nominal ' || nominal_v || ' V', '')`)}, ` +
      `${unitExamples(rKeys, `': median ' || round(mr, 5) || ' mOhm' || coalesce(' against nominal ' || nominal_r || ' mOhm', '')`)}, ` +
      `${unitExamples(aKeys, `': ' || a_high || ' of ' || na || ' readings of |current| over ' || a_limit || ' A' || coalesce(' (${CURRENT_MA_C_RATE} C of ' || capacity || ' Ah)', '') || ', up to ' || round(a_max, 2) || ' A'`)}, ` +
      `${unitExamples(signKeys, `': ' || neg || ' of ' || nonzero || ' non-zero current readings negative'`)} ` +
      `FROM u`;
    const texts = (await conn.runAndReadAll(exampleSql)).getRowsJS()[0] ?? [];
    UNIT_EXAMPLE_COLUMNS.forEach((i, j) => (u[i] = texts[j]));
  }
  const out: QualityWarning[] = [];
  const add = (check: QualityCheck, column: string, count: number, message: string, examples: unknown, keys?: number): void => {
    if (count > 0)
      out.push({ file: input.file, check, column, count, ...(keys === undefined ? {} : { keys }), message, examples: list(examples) });
  };
  const unknownUnits = num(range[4]);
  add(
    'time_backwards',
    'ts',
    num(row[0]),
    `${num(row[0])} reading(s) go back in time: earlier than the ${unitWord}'s previous reading.`,
    row[1],
  );
  add('time_duplicate', 'ts', num(row[2]), `${num(row[2])} reading(s) repeat a time the ${unitWord} already has.`, row[3]);
  const vRange =
    `${CELL_VOLTAGE_RANGE.min}-${CELL_VOLTAGE_RANGE.max} V per cell` +
    (unknownUnits > 0 ? `, or ${generic.min}-${generic.max} V per ${unitWord} where its model is not known` : '');
  add('voltage_range', 'voltage_v', num(range[0]), `${num(range[0])} voltage reading(s) outside ${vRange}.`, range[1]);
  const tCol = shape === 'telemetry' ? 'temperature_c' : 'ambient_c';
  add(
    'temperature_range',
    tCol,
    num(range[2]),
    `${num(range[2])} temperature reading(s) outside ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max} degC.`,
    range[3],
  );

  const units = (n: unknown): string => `${num(n)} ${unitWord}${num(n) === 1 ? '' : 's'}`;
  add(
    'unit_voltage',
    'voltage_v',
    num(u[1]),
    `The voltage of ${units(u[0])} (${num(u[1])} readings) is about 1000 times its nominal value: probably mV, not V.`,
    u[2],
    num(u[0]),
  );
  add(
    'unit_resistance',
    'resistance_mohm',
    num(u[4]),
    `The resistance of ${units(u[3])} (${num(u[4])} readings) is about 1000 times below its nominal value: probably Ohm, not mOhm.`,
    u[5],
    num(u[3]),
  );
  add(
    'unit_current',
    'current_a',
    num(u[7]),
    `The current of ${units(u[6])} (${num(u[7])} readings) is far above what the battery can carry: probably mA, not A.`,
    u[8],
    num(u[6]),
  );
  add(
    'current_sign',
    'current_a',
    num(u[10]),
    `The current of ${units(u[9])} is mostly negative (${num(u[10])} negative readings): on float it should be positive (positive = charge), so the sign is probably flipped.`,
    u[11],
    num(u[9]),
  );
  return out;
}

/** One line per warning, for a strict failure's message and the CLI. */
export function describeWarnings(warnings: readonly QualityWarning[]): string {
  return warnings.map((w) => `${w.check}: ${w.message}`).join(' ');
}
