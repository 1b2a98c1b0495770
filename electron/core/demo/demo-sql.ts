import { DEGRADATION_HEAT_C, RESISTANCE_PER_C } from '../../../shared/domain/demo-plan';
import { RECHARGE_C } from '../../../shared/domain/demo-phenomena';
import { ENV_SLOT_MS } from '../../../shared/domain/demo-scale';
import { quoteLiteral } from '../../../shared/sql';
import {
  END_OF_LIFE_FACTOR,
  RESISTANCE_CRITICAL_FACTOR,
  RESISTANCE_WARNING_FACTOR,
  TEMPERATURE_WARNING_C,
  VOLTAGE_LOW_FACTOR,
} from '../../../shared/domain/thresholds';

/**
 * The demo generator's SQL. Everything is computed inside DuckDB from a seed: per-jar traits come from
 * hash(battery_id, seed, k), per-reading noise from hash(battery_id, slot, seed). The same seed and
 * window give the same rows. All statements run on a connection whose TimeZone is UTC.
 *
 * Numbers are inlined as literals: they come from code, never from text input (see lit()).
 */
export function lit(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(n);
}

/** Uniform [0,1) from a hash of the given SQL expressions. */
function u(...parts: string[]): string {
  return `((hash(${parts.join(', ')}) % 1000003)::DOUBLE / 1000003.0)`;
}

export interface DemoParams {
  seed: number;
  /** Window start (epoch ms, UTC midnight). */
  startMs: number;
  splitMs: number;
  endMs: number;
}

export function totalDays(p: DemoParams): number {
  return (p.endMs - p.startMs) / 86_400_000;
}

/**
 * Per-jar traits: offsets and ageing drift from the seed, and the degradation plan (shared/domain/demo-plan.ts,
 * loaded as demo_src_plan): a degrading jar's resistance, temperature and float-voltage sag grow from its onset
 * day to its ramp's end, then stay there; a new jar's readings start at its installation.
 */
export function createBatteryTraitsSql(p: DemoParams): string {
  const seed = lit(p.seed);
  return `
CREATE OR REPLACE TEMP TABLE demo_battery AS
WITH base AS (
  SELECT b.battery_id, b.string_id, b.model_id, sy.location_id, sy.system_id,
    o.utc_offset, l.latitude,
    m.float_voltage_v::DOUBLE AS float_v, m.nominal_voltage_v::DOUBLE AS nominal_v,
    m.nominal_resistance_mohm::DOUBLE AS r0, m.cells, m.capacity_ah::DOUBLE AS capacity_ah,
    (${lit(p.startMs)} / 86400000 - epoch_ms(b.installed_on::TIMESTAMP) / 86400000)::DOUBLE AS age0_days,
    ${u('b.battery_id', seed, '1')} AS u1, ${u('b.battery_id', seed, '2')} AS u2, ${u('b.battery_id', seed, '3')} AS u3,
    ${u('b.battery_id', seed, '4')} AS u4,
    p.onset_day, p.ramp_end_day, p.severity, p.fail_k, p.first_reading_ms, p.v_imbalance, p.hot_c
  FROM demo_src_battery b
  JOIN demo_src_plan p USING (battery_id)
  JOIN demo_src_battery_string s USING (string_id)
  JOIN demo_src_battery_system sy ON sy.system_id = s.system_id
  JOIN demo_src_location l ON l.location_id = sy.location_id
  JOIN demo_src_offset o ON o.location_id = sy.location_id
  JOIN demo_src_battery_model m ON m.model_id = b.model_id
)
SELECT battery_id, string_id, model_id, location_id, system_id, utc_offset, float_v, nominal_v, r0, cells, capacity_ah, age0_days,
  CASE WHEN v_imbalance <> 0 THEN v_imbalance ELSE (u1 - 0.5) * 0.1 * sqrt(cells / 6.0) END AS v_off,
  (u2 - 0.5) * 0.1 AS r_var,
  CASE WHEN hot_c > 0 THEN hot_c ELSE (u3 - 0.5) * 1.6 END AS t_off,
  0.00008 + u4 * 0.00006 AS drift,
  severity > 0 AS failing,
  onset_day AS onset,
  greatest(ramp_end_day - onset_day, 0.5) AS ramp_days,
  severity, fail_k, first_reading_ms,
  22.0 + (location_id * 37 % 5) AS site_t,
  1.5 + (location_id % 3) * 0.5 AS season_amp,
  CASE WHEN latitude < 0 THEN 17 ELSE 200 END AS peak_doy
FROM base`;
}

/** One capacity test per string: a 3-hour 0.1C discharge starting 10:00 local on a string-specific day. */
export function createTestScheduleSql(p: DemoParams): string {
  const days = Math.max(1, Math.floor(totalDays(p)));
  return `
CREATE OR REPLACE TEMP TABLE demo_test AS
WITH s AS (
  SELECT DISTINCT string_id, utc_offset, capacity_ah FROM demo_battery
), t AS (
  SELECT string_id, capacity_ah,
    ${lit(p.startMs)} + CAST((string_id * 7 + ${lit(p.seed)}) % ${lit(days)} AS BIGINT) * 86400000 + CAST((10 - utc_offset + 24) % 24 AS BIGINT) * 3600000 AS start_ms
  FROM s
)
SELECT string_id AS test_id, string_id, to_timestamp(start_ms / 1000) AS started_at,
  to_timestamp(start_ms / 1000 + 3 * 3600) AS ended_at, capacity_ah * 0.1 AS current_a
FROM t WHERE start_ms + 3 * 3600000 <= ${lit(p.endMs)}`;
}

/**
 * Site outages (shared/domain/demo-phenomena.ts, loaded as demo_src_outage): every string of the site discharges
 * at the outage's C-rate of its rated capacity, then recharges at RECHARGE_C until recharge_end.
 */
export const CREATE_OUTAGE_SQL = `
CREATE OR REPLACE TEMP TABLE demo_outage AS
SELECT s.string_id, to_timestamp(o.start_ms / 1000) AS started_at, to_timestamp(o.end_ms / 1000) AS ended_at,
  to_timestamp(o.recharge_end_ms / 1000) AS recharge_end, s.capacity_ah * o.rate_c AS current_a,
  s.capacity_ah * ${lit(RECHARGE_C)} AS recharge_a, s.capacity_ah
FROM demo_src_outage o JOIN (SELECT DISTINCT string_id, location_id, capacity_ah FROM demo_battery) s USING (location_id)`;

/**
 * The battery room's air temperature (degC) at a site: the site's level, a seasonal cycle peaking in its summer and a
 * daily cycle peaking at 15:00 local time. `site` has site_t, season_amp, peak_doy and utc_offset (demo_battery,
 * demo_room); `slot` has doy (day of year) and utc_h (UTC hour of day). The jars' temperatures sit above it (their own
 * heat), and the room's temperature sensor reads it, so jar and room agree at every instant.
 */
function ambientSql(site: string, slot: string): string {
  return `${site}.site_t + ${site}.season_amp * cos(2 * pi() * (${slot}.doy - ${site}.peak_doy) / 365.25)
      + ${lit(AMBIENT_DAILY_AMP_C)} * ${dailyCycleSql(site, slot)}`;
}

/** The daily cycle -1..1, peaking at 15:00 local time (see ambientSql). */
function dailyCycleSql(site: string, slot: string): string {
  return `sin(2 * pi() * (((${slot}.utc_h + ${site}.utc_offset + 24) % 24) - 9) / 24)`;
}

/** Half the day-night swing of a battery room's temperature. */
const AMBIENT_DAILY_AMP_C = 1.2;

/** Relative humidity falls as the room warms: %RH per degC of the daily cycle (at constant absolute humidity). */
const RH_PER_C = 2.5;

/** One row per site: what its battery room's climate is computed from (the sites' traits of demo_battery). */
export const CREATE_ROOM_SQL = `
CREATE OR REPLACE TEMP TABLE demo_room AS
SELECT DISTINCT location_id, utc_offset, site_t, season_amp, peak_doy FROM demo_battery`;

/**
 * Readings of every battery-room sensor (demo_src_environmental_sensor) for the 15-minute marks in [fromMs, toMs):
 * the room's temperature (ambientSql, with 0.1 degC of sensor noise) and its relative humidity: a site's level of
 * 38-48 %RH, lower as the room warms over the day, with 1 %RH of noise, within 20-80 %RH.
 */
export function createEnvDaySql(p: DemoParams, fromMs: number, toMs: number): string {
  const from = lit(Math.ceil(fromMs / ENV_SLOT_MS));
  const to = lit(Math.ceil(toMs / ENV_SLOT_MS));
  const step = lit(ENV_SLOT_MS / 1000);
  return `
CREATE OR REPLACE TEMP TABLE demo_env_day AS
WITH slots AS (
  SELECT slot, to_timestamp(slot * ${step}) AS ts, dayofyear(to_timestamp(slot * ${step})) AS doy,
    ((slot * ${step}) % 86400) / 3600.0 AS utc_h
  FROM range(${from}, ${to}) r(slot)
)
SELECT e.sensor_id, s.ts,
  CAST(CASE e.sensor_type
    WHEN 'temperature' THEN ${ambientSql('r', 's')} + (${u('e.sensor_id', 's.slot', lit(p.seed))} - 0.5) * 0.2
    ELSE least(80, greatest(20, 38 + (r.location_id * 13 % 11) - ${lit(RH_PER_C * AMBIENT_DAILY_AMP_C)} * ${dailyCycleSql('r', 's')}
      + (${u('e.sensor_id', 's.slot', lit(p.seed))} - 0.5) * 2))
  END AS DECIMAL(6,2)) AS value
FROM demo_src_environmental_sensor e JOIN demo_room r USING (location_id) CROSS JOIN slots s`;
}

/** The battery rooms' readings of the day (demo_env_day), in the dataset's columns. */
export const ENVIRONMENTAL_TELEMETRY_SELECT = 'SELECT sensor_id, ts, value FROM demo_env_day';

/**
 * Readings of every jar for slots [fromMs, toMs): daily and seasonal temperature cycles, ageing as
 * resistance drift (and faster for failing jars), resistance falling with temperature, float voltage
 * with noise, and the discharge curve during a capacity test.
 */
export function createDaySql(p: DemoParams, fromMs: number, toMs: number): string {
  const seed = lit(p.seed);
  const from = lit(fromMs / 300_000);
  const to = lit(toMs / 300_000);
  return `
CREATE OR REPLACE TEMP TABLE demo_day AS
WITH slots AS (
  SELECT slot, slot - ${from} AS k, to_timestamp(slot * 300) AS ts, (slot * 300000 - ${lit(p.startMs)}) / 86400000.0 AS d,
    dayofyear(to_timestamp(slot * 300)) AS doy, ((slot * 300) % 86400) / 3600.0 AS utc_h
  FROM range(${from}, ${to}) r(slot)
), x AS (
  SELECT b.battery_id, b.string_id, s.ts, b.r0, b.float_v, b.nominal_v, b.cells,
    ${ambientSql('b', 's')} AS ambient,
    CASE WHEN b.failing AND s.d > b.onset THEN least(1, (s.d - b.onset) / b.ramp_days) ELSE 0 END AS prog,
    b.severity, s.slot * 300000 >= b.first_reading_ms AS present,
    b.t_off, b.r_var, b.drift, b.age0_days + s.d AS age, b.fail_k, b.v_off,
    hash(b.battery_id, s.slot, ${seed}) AS h,
    CASE WHEN s.ts >= t.started_at AND s.ts < t.ended_at
      THEN (epoch_ms(s.ts) - epoch_ms(t.started_at)) / 10800000.0 END AS tprog,
    t.current_a AS test_current,
    CASE WHEN s.ts < o.ended_at THEN (epoch_ms(s.ts) - epoch_ms(o.started_at)) / 3600000.0 END AS out_h,
    o.current_a AS out_current, o.capacity_ah AS out_capacity, s.ts >= o.ended_at AS recharging, o.recharge_a
  FROM demo_grid g JOIN demo_battery b USING (battery_id) JOIN slots s ON s.k = g.k
  LEFT JOIN demo_test t ON t.string_id = b.string_id
  LEFT JOIN demo_outage o ON o.string_id = b.string_id AND s.ts >= o.started_at AND s.ts < o.recharge_end
), y AS (
  SELECT *,
    ambient + 1.5 + t_off + ${lit(DEGRADATION_HEAT_C)} * severity * prog * prog + ((h % 1000) / 1000.0 - 0.5) * 0.3 AS temp
  FROM x
), z AS (
  SELECT *,
    r0 * (1 + r_var) * (1 + drift * age + fail_k * pow(prog, 1.5)) * (1 - ${lit(RESISTANCE_PER_C)} * (temp - 25))
      * (1 + (((h >> 10) % 1000) / 1000.0 - 0.5) * 0.01) AS res
  FROM y
)
SELECT battery_id, string_id, ts,
  CAST(CASE
    WHEN tprog IS NOT NULL THEN nominal_v * (1.04 - 0.10 * tprog - 0.04 * pow(tprog, 4)) - test_current * res / 1000 * (1 + 4 * tprog)
    WHEN out_h IS NOT NULL THEN nominal_v * (1.04 - 0.10 * (out_current * out_h / out_capacity))
      - out_current * res / 1000 * (1 + 4 * out_current * out_h / out_capacity)
    WHEN recharging THEN float_v * 1.02 + v_off + (((h >> 20) % 1000) / 1000.0 - 0.5) * 0.004
    ELSE float_v + v_off - 0.045 * float_v * severity * prog * prog + (((h >> 20) % 1000) / 1000.0 - 0.5) * 0.004
  END AS DECIMAL(6,3)) AS voltage_v,
  CAST(temp AS DECIMAL(4,1)) AS temperature_c,
  CAST(res AS DECIMAL(6,2)) AS resistance_mohm,
  -- A capacity test or an outage: the discharge is expected, so no voltage_low alert is raised from it.
  ambient, tprog IS NOT NULL OR out_h IS NOT NULL AS in_test,
  CASE WHEN tprog IS NOT NULL THEN -test_current WHEN out_h IS NOT NULL THEN -out_current
    WHEN recharging THEN recharge_a ELSE 0.2 + (((h >> 30) % 1000) / 1000.0) * 0.3 END AS current_a,
  res / r0 AS r_ratio, float_v, present
FROM z`;
}

/**
 * Every jar at every slot of a day (slot k of the day), the rows a day's readings are computed from: a table of several
 * row groups, so a day is generated on every thread (a day's slots alone are a single-threaded source).
 */
export const CREATE_GRID_SQL = `
CREATE OR REPLACE TEMP TABLE demo_grid AS
SELECT battery_id, CAST(k AS INTEGER) AS k FROM demo_battery, range(0, 288) r(k) ORDER BY battery_id, k`;

/** A jar's readings from its first one (a new jar's predecessor still counts in its string's telemetry). */
export const TELEMETRY_SELECT = 'SELECT battery_id, ts, voltage_v, temperature_c, resistance_mohm FROM demo_day WHERE present';

export const STRING_TELEMETRY_SELECT = `
SELECT string_id, ts, CAST(sum(voltage_v) AS DECIMAL(8,3)) AS voltage_v,
  CAST(avg(current_a) AS DECIMAL(7,2)) AS current_a, CAST(avg(ambient) AS DECIMAL(4,1)) AS ambient_c
FROM demo_day GROUP BY string_id, ts`;

/** Daily per-jar figures the alerts, RUL, impedance and capacity figures are derived from. */
export const CREATE_DAILY_SQL = `
CREATE OR REPLACE TEMP TABLE demo_daily (
  battery_id INTEGER, day DATE, r_mean DOUBLE, r_ratio_max DOUBLE, r_max DOUBLE, t_max DOUBLE, v_min DOUBLE,
  float_v DOUBLE, r0 DOUBLE,
  rw_first TIMESTAMPTZ, rw_last TIMESTAMPTZ, rc_first TIMESTAMPTZ, rc_last TIMESTAMPTZ,
  t_first TIMESTAMPTZ, t_last TIMESTAMPTZ, v_first TIMESTAMPTZ, v_last TIMESTAMPTZ
);
CREATE OR REPLACE TEMP TABLE demo_test_obs (string_id INTEGER, ts TIMESTAMPTZ, voltage_v DOUBLE, r_ratio DOUBLE);`;

/**
 * A generated day's daily figures. The day is one whole UTC day (the demo's window starts at midnight), so its date
 * is a constant: a CAST of every reading's TIMESTAMPTZ to DATE goes through the ICU calendar (57 ms a day of the
 * year fleet).
 */
export function insertDailySql(fromMs: number): string {
  return `
INSERT INTO demo_daily
SELECT d.battery_id, DATE ${quoteLiteral(new Date(fromMs).toISOString().slice(0, 10))}, avg(d.resistance_mohm), max(d.r_ratio), max(d.resistance_mohm),
  max(d.temperature_c), min(d.voltage_v) FILTER (WHERE NOT d.in_test), any_value(d.float_v), any_value(b.r0),
  min(d.ts) FILTER (WHERE d.resistance_mohm > b.r0 * ${RESISTANCE_WARNING_FACTOR}),
  max(d.ts) FILTER (WHERE d.resistance_mohm > b.r0 * ${RESISTANCE_WARNING_FACTOR}),
  min(d.ts) FILTER (WHERE d.resistance_mohm > b.r0 * ${RESISTANCE_CRITICAL_FACTOR}),
  max(d.ts) FILTER (WHERE d.resistance_mohm > b.r0 * ${RESISTANCE_CRITICAL_FACTOR}),
  min(d.ts) FILTER (WHERE d.temperature_c > ${TEMPERATURE_WARNING_C}),
  max(d.ts) FILTER (WHERE d.temperature_c > ${TEMPERATURE_WARNING_C}),
  min(d.ts) FILTER (WHERE NOT d.in_test AND d.voltage_v < d.float_v * ${VOLTAGE_LOW_FACTOR}),
  max(d.ts) FILTER (WHERE NOT d.in_test AND d.voltage_v < d.float_v * ${VOLTAGE_LOW_FACTOR})
FROM demo_day d JOIN demo_battery b USING (battery_id)
WHERE d.present
GROUP BY d.battery_id;
INSERT INTO demo_test_obs
SELECT string_id, ts, sum(voltage_v), avg(r_ratio) FROM demo_day WHERE in_test GROUP BY string_id, ts;`;
}

/**
 * Alerts: each run of consecutive days on which a threshold was crossed is one alert, raised at the first
 * crossing and cleared 5 minutes after the last one, or still active when the run reaches the last day.
 */
export function createAlertsSql(p: DemoParams): string {
  const lastDay = new Date(p.endMs - 300_000).toISOString().slice(0, 10);
  return `
CREATE OR REPLACE TEMP TABLE demo_alert AS
WITH breaches AS (
  SELECT battery_id, day, 'resistance_high' AS alert_type, 'warning' AS severity, rw_first AS first_ts, rw_last AS last_ts,
    r_max AS value, r0 * ${RESISTANCE_WARNING_FACTOR} AS threshold
  FROM demo_daily WHERE rw_first IS NOT NULL AND rc_first IS NULL
  UNION ALL
  SELECT battery_id, day, 'resistance_high', 'critical', rc_first, rc_last, r_max, r0 * ${RESISTANCE_CRITICAL_FACTOR}
  FROM demo_daily WHERE rc_first IS NOT NULL
  UNION ALL
  SELECT battery_id, day, 'temperature_high', 'warning', t_first, t_last, t_max, ${TEMPERATURE_WARNING_C}
  FROM demo_daily WHERE t_first IS NOT NULL
  UNION ALL
  SELECT battery_id, day, 'voltage_low', 'warning', v_first, v_last, v_min, float_v * ${VOLTAGE_LOW_FACTOR}
  FROM demo_daily WHERE v_first IS NOT NULL
), runs AS (
  SELECT *, day - CAST(row_number() OVER (PARTITION BY battery_id, alert_type, severity ORDER BY day) AS INTEGER) AS grp
  FROM breaches
), episodes AS (
  SELECT battery_id, alert_type, severity, min(first_ts) AS raised_at, max(last_ts) AS last_ts, max(day) AS last_day,
    CASE WHEN alert_type = 'voltage_low' THEN min(value) ELSE max(value) END AS value, any_value(threshold) AS threshold
  FROM runs GROUP BY battery_id, alert_type, severity, grp
)
SELECT CAST(row_number() OVER (ORDER BY e.raised_at, e.battery_id, e.alert_type, e.severity) AS BIGINT) AS alert_id,
  e.battery_id, b.string_id, e.alert_type, e.severity, e.raised_at,
  CASE WHEN e.last_day >= DATE '${lastDay}' THEN NULL ELSE e.last_ts + INTERVAL 5 MINUTE END AS cleared_at,
  CAST(e.value AS DECIMAL(8,3)) AS value, CAST(e.threshold AS DECIMAL(8,3)) AS threshold,
  CASE e.alert_type
    WHEN 'resistance_high' THEN printf('Internal resistance %.2f mOhm above the %s threshold of %.2f mOhm', e.value, e.severity, e.threshold)
    WHEN 'temperature_high' THEN printf('Temperature %.1f C above %.1f C', e.value, e.threshold)
    ELSE printf('Float voltage %.3f V below %.3f V', e.value, e.threshold)
  END AS message
FROM episodes e JOIN demo_battery b USING (battery_id)`;
}

/** Capacity tests from what the string telemetry showed during the discharge. */
export const CREATE_CAPACITY_SQL = `
CREATE OR REPLACE TEMP TABLE demo_capacity AS
WITH obs AS (
  SELECT t.test_id, t.string_id, t.started_at, t.ended_at, t.current_a,
    arg_max(o.voltage_v, o.ts) AS end_voltage, avg(o.r_ratio) AS r_ratio
  FROM demo_test t JOIN demo_test_obs o ON o.string_id = t.string_id AND o.ts >= t.started_at AND o.ts < t.ended_at
  GROUP BY ALL
)
SELECT CAST(test_id AS BIGINT) AS test_id, string_id, started_at, ended_at, CAST(current_a AS DECIMAL(7,2)) AS discharge_current_a,
  CAST(end_voltage AS DECIMAL(8,3)) AS end_voltage_v,
  CAST(least(110, greatest(40, 112 - 60 * (r_ratio - 1))) AS DECIMAL(5,1)) AS capacity_pct,
  CASE WHEN 112 - 60 * (r_ratio - 1) >= 80 THEN 'pass' ELSE 'fail' END AS result
FROM obs`;

/**
 * Maintenance that matches the data: a monthly routine inspection per system (with an impedance reading of
 * every jar), an inspection a day after each critical alert, and the capacity tests.
 */
export function createMaintenanceSql(p: DemoParams): string {
  return `
CREATE OR REPLACE TEMP TABLE demo_routine AS
WITH days AS (
  SELECT CAST(to_timestamp(${lit(p.startMs / 1000)} + i * 86400) AS DATE) AS day FROM range(0, ${lit(Math.ceil(totalDays(p)))}) r(i)
), sys AS (SELECT DISTINCT system_id, utc_offset FROM demo_battery)
SELECT s.system_id, d.day,
  to_timestamp(epoch_ms(d.day::TIMESTAMP) / 1000 + ((9 - s.utc_offset + 24) % 24) * 3600) AS performed_at
FROM sys s, days d
WHERE dayofmonth(d.day) = 1 + (s.system_id * 5) % 27
  AND epoch_ms(d.day::TIMESTAMP) + ((9 - s.utc_offset + 24) % 24) * 3600000 + 86400000 <= ${lit(p.endMs)};

CREATE OR REPLACE TEMP TABLE demo_maintenance AS
WITH techs AS (SELECT ['A. Okafor', 'M. Lindqvist', 'R. Tanaka', 'S. Haddad', 'J. Moreau'] AS names),
ev AS (
  SELECT st.string_id, NULL::INTEGER AS battery_id, 'routine_inspection' AS event_type, r.performed_at,
    'Monthly inspection: visual check, terminal torque, impedance of every jar' AS notes
  FROM demo_routine r JOIN demo_src_battery_string st ON st.system_id = r.system_id
  UNION ALL
  SELECT a.string_id, a.battery_id, 'alert_inspection', a.raised_at + INTERVAL 26 HOUR,
    printf('Inspected after alert %d: %s; jar flagged for replacement', a.alert_id, a.message)
  FROM demo_alert a WHERE a.severity = 'critical' AND a.raised_at + INTERVAL 26 HOUR < to_timestamp(${lit(p.endMs / 1000)})
  UNION ALL
  SELECT c.string_id, NULL, 'capacity_test', c.started_at,
    printf('Capacity test %d: %.1f %% (%s)', c.test_id, c.capacity_pct, c.result)
  FROM demo_capacity c
)
SELECT CAST(row_number() OVER (ORDER BY performed_at, string_id, event_type, battery_id) AS BIGINT) AS event_id,
  string_id, battery_id, event_type, performed_at,
  (SELECT names[1 + (hash(string_id, epoch_ms(performed_at)) % 5)::INTEGER] FROM techs) AS technician, notes
FROM ev;

CREATE OR REPLACE TEMP TABLE demo_impedance AS
SELECT CAST(row_number() OVER (ORDER BY r.performed_at, b.battery_id) AS BIGINT) AS measurement_id, b.battery_id,
  r.performed_at + to_minutes(CAST(b.battery_id % 120 AS BIGINT)) AS measured_at,
  CAST(d.r_mean * (1.03 + ((hash(b.battery_id, r.day, ${lit(p.seed)}) % 1000) / 1000.0 - 0.5) * 0.02) AS DECIMAL(6,2)) AS impedance_mohm,
  'Handheld AC impedance tester' AS instrument
FROM demo_routine r JOIN demo_battery b ON b.system_id = r.system_id
JOIN demo_daily d ON d.battery_id = b.battery_id AND d.day = r.day`;
}

/**
 * RUL predictions: each night, the trend of the last 14 daily mean resistances extrapolated to the
 * end-of-life resistance (capped by the remaining design life).
 */
export function createRulSql(p: DemoParams): string {
  return `
CREATE OR REPLACE TEMP TABLE demo_rul AS
WITH t AS (
  SELECT d.battery_id, d.day, d.r_mean, b.r0, b.age0_days, m.design_life_years,
    regr_slope(d.r_mean, epoch_ms(d.day::TIMESTAMP) / 86400000.0) OVER w AS slope,
    regr_r2(d.r_mean, epoch_ms(d.day::TIMESTAMP) / 86400000.0) OVER w AS r2,
    count(*) OVER w AS n
  FROM demo_daily d JOIN demo_battery b USING (battery_id) JOIN demo_src_battery_model m ON m.model_id = b.model_id
  WINDOW w AS (PARTITION BY d.battery_id ORDER BY d.day ROWS BETWEEN 13 PRECEDING AND CURRENT ROW)
), r AS (
  SELECT *, greatest(0, design_life_years * 365.25 - age0_days - (epoch_ms(day::TIMESTAMP) - ${lit(p.startMs)}) / 86400000.0) AS life_left,
    r0 * ${END_OF_LIFE_FACTOR} AS eol
  FROM t
)
SELECT battery_id, to_timestamp(epoch_ms(day::TIMESTAMP) / 1000 + 86400 + 1800) AS predicted_at,
  CAST(round(CASE
    WHEN r_mean >= eol THEN 0
    WHEN n < 3 OR slope IS NULL OR slope <= 0.00001 THEN least(life_left, 3650)
    ELSE least(life_left, 3650, (eol - r_mean) / slope)
  END) AS INTEGER) AS rul_days,
  CAST(r_mean AS DECIMAL(6,2)) AS resistance_mohm,
  CAST(CASE WHEN n < 3 OR r2 IS NULL OR isnan(r2) THEN 0.5 ELSE 0.5 + 0.45 * r2 END AS DECIMAL(4,3)) AS confidence,
  'rul-trend-v1' AS model_version
FROM r
WHERE epoch_ms(day::TIMESTAMP) + 86400000 + 1800000 < ${lit(p.endMs)}`;
}
