import { DERIVED_DATASETS, INGEST_COLUMN } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';

/** The silver dataset of calculated metrics, one row per `telemetry` reading. */
export const CALC = DERIVED_DATASETS.calc_telemetry;
export const CALC_COLUMNS = CALC.columns.map((c) => c.name);

/** How many days from a jar's first reading its resistance baseline averages. */
export const BASELINE_DAYS = 7;

/**
 * State of charge from the jar's voltage, VRLA (lead-acid) open-circuit figures per cell:
 * - at or above the model's float voltage (battery_model.float_voltage_v, e.g. 13.62 V = 2.27 V/cell) the jar is on
 *   float charge, held full: 100 %;
 * - below it, linear between 1.98 V/cell (0 %, a rested lead-acid cell at full discharge) and 2.125 V/cell (100 %,
 *   a rested full cell; 12.75 V for a 6-cell jar), clamped to 0..100. A voltage between 2.125 V/cell and float reads
 *   100 %. An estimate: under load or charge a terminal voltage is not an open-circuit voltage.
 */
export const SOC_EMPTY_V_PER_CELL = 1.98;
export const SOC_FULL_V_PER_CELL = 2.125;

/** Per jar: its string, site, cell count, float voltage and its site's battery-room temperature sensor. */
export const CALC_JAR_SQL = `SELECT b.battery_id, b.string_id, sy.location_id, m.cells, m.float_voltage_v,
  (SELECT min(e.sensor_id) FROM main.environmental_sensor e WHERE e.location_id = sy.location_id AND e.sensor_type = 'temperature') AS sensor_id
FROM main.battery b JOIN main.battery_string s ON s.string_id = b.string_id
JOIN main.battery_system sy ON sy.system_id = s.system_id JOIN main.battery_model m ON m.model_id = b.model_id`;

/** A fingerprint of every jar's context: when it moves (a jar moved, a model or sensor changed), everything is recomputed. */
export const CALC_CONTEXT_FP_SQL = `SELECT CAST(coalesce(sum(hash(battery_id, string_id, location_id, cells, float_voltage_v, sensor_id)), 0) AS VARCHAR) AS fp, count(*) AS n FROM (${CALC_JAR_SQL})`;

/** Baselines: per jar, its first reading and the sum and count of its resistance over BASELINE_DAYS from it. */
export const CALC_BASELINE = qualifiedName(INTERNAL_SCHEMA, 'calc_baseline');
/** What the calc refresh last saw of the jars' context. */
export const CALC_STATE = qualifiedName(INTERNAL_SCHEMA, 'calc_state');
export const CALC_HOT = qualifiedName('hot', CALC.name);

const ts = (ms: number): string => `CAST(${quoteLiteral(new Date(ms).toISOString())} AS TIMESTAMPTZ)`;

/**
 * The readings of [loMs, hiMs) as the unified `telemetry` view shows them, with the hot rows' ingest_id (NULL for the
 * lake's): cold rows below the split, hot rows the hot tier shows (`hotVisible`, see views.ts hotVisibleSql).
 */
export function calcInputSql(loMs: number, hiMs: number, split: string | null, hotVisible: string): string {
  const cols = 'battery_id, ts, voltage_v, temperature_c, resistance_mohm';
  const [cold, hot] = calcTierReadingsSql(loMs, hiMs, split, hotVisible);
  return (
    `SELECT ${cols}, CAST(NULL AS BIGINT) AS ${quoteIdent(INGEST_COLUMN)} FROM ${cold} ` +
    `UNION ALL SELECT ${cols}, ${quoteIdent(INGEST_COLUMN)} FROM ${hot}`
  );
}

/** The readings of [loMs, hiMs) each tier shows (see calcInputSql): `<relation> WHERE <filter>`, cold then hot. */
export function calcTierReadingsSql(loMs: number, hiMs: number, split: string | null, hotVisible: string): [string, string] {
  const range = `ts >= ${ts(loMs)} AND ts < ${ts(hiMs)}`;
  const cold = split === null ? 'false' : `ts < CAST(${quoteLiteral(split)} AS TIMESTAMPTZ)`;
  return [`cold.telemetry WHERE ${range} AND ${cold}`, `hot.telemetry WHERE ${range} AND ${hotVisible}`];
}

/**
 * The calculated metrics of the readings in `input` (a relation of calcInputSql's columns, holding every reading of
 * the instants it covers, so a string's mean at an instant sees all its jars), with the ingest_id passed through:
 * - voltage_deviation_mv: the jar's voltage minus the mean voltage of its string's jars read at that very instant, mV;
 * - temperature_rise_c: the jar's temperature minus its site's battery-room temperature, the room sensor's latest
 *   reading at or before the jar's (ASOF), no older than one day (else NULL);
 * - resistance_drift_pct: the jar's resistance against its baseline (CALC_BASELINE), %;
 * - soc_pct: the state-of-charge estimate (SOC_EMPTY_V_PER_CELL..SOC_FULL_V_PER_CELL, float = 100 %).
 * Exact arithmetic up to one division per value, so a recomputation gives the very same numbers: in whole mV and
 * hundredths of a mOhm (BIGINT), the readings' own precision, rather than on DECIMAL sums, which are 128-bit (a third
 * of a day's cost at 680k readings, for the same rows).
 *
 * The per-jar context (string, model, room sensor, baseline) is joined to the readings, and the room reading is
 * looked up once per string and instant (`g`, where the string's mean is taken), not once per reading: a string's
 * jars share their room, so the result is the same, and the ASOF join sorts a few thousand rows a day instead of
 * every reading (half of a day's cost at 680k readings). Whether that room reading is fresh is decided there too:
 * a TIMESTAMPTZ minus an INTERVAL goes through the ICU calendar, 0.1 s a day when done for every reading.
 *
 * The jar's constants are worked out once per jar in `j` (its baseline as a DOUBLE, its empty and span voltages for the
 * state of charge), the same operations on the same types as per reading, so the same numbers: a day's calculation took
 * about 7 % less time (680k readings; the baseline's DECIMAL(38,2) converted per reading cost most of it).
 *
 * `input` is read twice (once for the strings' sums, once for the readings), not held in a CTE: a CTE read twice is
 * materialized, which cost more than the second read of a day's file (a day's calculation with its ordered write took
 * a fifth less time this way, 680k readings).
 */
export function calcRowsSql(input: string, loMs: number, hiMs: number): string {
  const span = (SOC_FULL_V_PER_CELL - SOC_EMPTY_V_PER_CELL).toFixed(3);
  const mv = (v: string): string => `CAST(${v} * 1000 AS BIGINT)`;
  return `WITH j AS MATERIALIZED (SELECT j.*, b.n AS base_n, CAST(b.r_sum AS DOUBLE) AS base_r, CAST(b.r_sum * 100 AS BIGINT) AS base_rc,
    ${SOC_EMPTY_V_PER_CELL} * j.cells AS soc_empty_v, ${span} * j.cells AS soc_span_v FROM (${CALC_JAR_SQL}) j
  LEFT JOIN ${CALC_BASELINE} b ON b.battery_id = j.battery_id AND b.n > 0 AND b.r_sum > 0),
room AS (SELECT e.sensor_id, e.ts, e.value FROM main.environmental_telemetry e
  WHERE e.ts >= ${ts(loMs)} - INTERVAL 1 DAY AND e.ts < ${ts(hiMs)} AND e.sensor_id IN (SELECT DISTINCT sensor_id FROM j)),
s AS (SELECT j.string_id, j.sensor_id, i.ts, CAST(sum(${mv('i.voltage_v')}) AS BIGINT) AS v_sum_mv, count(*) AS n
  FROM (${input}) i JOIN j ON j.battery_id = i.battery_id GROUP BY ALL),
g AS (SELECT s.string_id, s.ts, s.v_sum_mv, s.n, r.value AS room_value, r.ts > s.ts - INTERVAL 1 DAY AS room_fresh FROM s
  ASOF LEFT JOIN room r ON r.sensor_id = s.sensor_id AND s.ts >= r.ts)
SELECT t.battery_id, t.ts, t.string_id,
  CAST((t.v_mv * g.n - g.v_sum_mv) / g.n AS DECIMAL(9,3)) AS voltage_deviation_mv,
  CAST(CASE WHEN g.room_fresh THEN t.temperature_c - g.room_value END AS DECIMAL(5,2)) AS temperature_rise_c,
  CAST((t.r_c * t.base_n - t.base_rc) / t.base_r AS DECIMAL(8,3)) AS resistance_drift_pct,
  CAST(CASE WHEN t.voltage_v >= t.float_voltage_v THEN 100
    ELSE greatest(0, least(100, (t.voltage_v - t.soc_empty_v) * 100 / t.soc_span_v)) END AS DECIMAL(5,1)) AS soc_pct,
  t.${quoteIdent(INGEST_COLUMN)}
FROM (SELECT i.*, ${mv('i.voltage_v')} AS v_mv, CAST(i.resistance_mohm * 100 AS BIGINT) AS r_c, j.string_id, j.float_voltage_v, j.base_n, j.base_r, j.base_rc, j.soc_empty_v, j.soc_span_v
  FROM (${input}) i JOIN j ON j.battery_id = i.battery_id) t
JOIN g ON g.string_id = t.string_id AND g.ts = t.ts`;
}
