import { chargeSign, type EventKind, type EventThresholds, type SignSettings } from '../../../shared/domain/analytics';
import { SLOT_MS } from '../../../shared/domain/demo-scale';
import { quoteLiteral } from '../../../shared/sql';
import { tsAt } from '../dashboard/scope-sql';
import { lit } from '../demo/demo-sql';

/**
 * Discharge events and cycles per string, as DuckDB SQL over the unified views (hot mirror + cold lake).
 *
 * Each string reading is classed from string_telemetry.current_a, turned to "positive = charge" by the site's sign
 * convention: rest when |I| < restA, discharge below -restA, charge above chargeC x the model's rated Ah, float
 * in between. A period is a run of readings of one class with no gap longer than MAX_GAP_MS. Each reading stands
 * for the interval to the next one (one slot for the last reading, or before a gap), so a period ends where its
 * last reading's interval ends. Periods are clipped to [from, to): one that began before `from` starts at `from`.
 *
 * Events always read raw 5-minute rows: one string over 90 days is 26k rows, and the depth and energy integrals
 * need every reading (an hourly mean of the current would smear a 10-minute outage into its hour).
 */

/** A longer silence between two readings ends a period. */
export const MAX_GAP_MS = 3 * SLOT_MS;

export interface EventsSqlOptions {
  fromMs: number;
  toMs: number;
  stringId?: number | undefined;
  thresholds: EventThresholds;
  sign: SignSettings;
}

/** The CASE that turns a site's current into "positive = charge" (ids and signs come from validated settings). */
function signExpr(sign: SignSettings, locationColumn: string): string {
  const base = sign.default === 'positive_charge' ? 1 : -1;
  const flipped = Object.keys(sign.sites)
    .map(Number)
    .filter((id) => Number.isSafeInteger(id) && chargeSign(sign, id) !== base);
  if (flipped.length === 0) return lit(base);
  return `CASE WHEN ${locationColumn} IN (${flipped.map(lit).join(', ')}) THEN ${lit(-base)} ELSE ${lit(base)} END`;
}

/**
 * CTEs `classed`, `stepped` and `timed`: one classed string reading per row (kind), with its interval dt_ms / dt_h (to
 * the next reading; one slot for the last one or before a gap) and the time from the previous reading.
 */
function timedCtes(o: EventsSqlOptions): string {
  const { restA, chargeC } = o.thresholds;
  const only = o.stringId === undefined ? '' : ` AND st.string_id = ${lit(o.stringId)}`;
  return `classed AS (
  SELECT st.string_id, st.ts, CAST(st.voltage_v AS DOUBLE) AS v,
    CAST(st.current_a AS DOUBLE) * ${signExpr(o.sign, 'sy.location_id')} AS i,
    CAST(m.capacity_ah AS DOUBLE) AS rated_ah
  FROM string_telemetry st
  JOIN battery_string bs ON bs.string_id = st.string_id
  JOIN battery_system sy ON sy.system_id = bs.system_id
  JOIN battery_model m ON m.model_id = bs.model_id
  WHERE st.ts >= ${tsAt(o.fromMs)} AND st.ts < ${tsAt(o.toMs)}${only}
), stepped AS (
  SELECT *,
    CASE WHEN abs(i) < ${lit(restA)} THEN 'rest' WHEN i < 0 THEN 'discharge'
      WHEN i > ${lit(chargeC)} * rated_ah THEN 'charge' ELSE 'float' END AS kind,
    epoch_ms(lead(ts) OVER w) - epoch_ms(ts) AS to_next_ms,
    epoch_ms(ts) - epoch_ms(lag(ts) OVER w) AS from_prev_ms
  FROM classed WINDOW w AS (PARTITION BY string_id ORDER BY ts)
), timed AS (
  SELECT *, dt_ms / 3600000.0 AS dt_h FROM (
    SELECT *, CASE WHEN to_next_ms IS NULL OR to_next_ms > ${lit(MAX_GAP_MS)} THEN ${lit(SLOT_MS)} ELSE to_next_ms END AS dt_ms
    FROM stepped
  )
)`;
}

/** CTEs: `timed` (see timedCtes), `readings` (timed with its period id grp) and `periods`. */
export function periodsCtes(o: EventsSqlOptions): string {
  return `${timedCtes(o)}, readings AS (
  SELECT *,
    sum(CASE WHEN prev_kind IS DISTINCT FROM kind OR from_prev_ms > ${lit(MAX_GAP_MS)} THEN 1 ELSE 0 END)
      OVER (PARTITION BY string_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS grp
  FROM (SELECT *, lag(kind) OVER (PARTITION BY string_id ORDER BY ts) AS prev_kind FROM timed)
), periods AS (
  SELECT string_id, grp, any_value(kind) AS kind, min(ts) AS start_ts, max(ts) AS last_ts,
    max(ts + to_milliseconds(dt_ms)) AS end_ts, count(*) AS readings,
    sum(abs(i) * dt_h) AS ah, sum(v * abs(i) * dt_h) AS energy_wh, min(v) AS min_voltage_v, any_value(rated_ah) AS rated_ah
  FROM readings GROUP BY string_id, grp
)`;
}

/** Every period of the kinds asked for, with the weakest jar of each discharge and the string's running EFC. */
export function eventsSql(o: EventsSqlOptions, kinds: readonly EventKind[]): string {
  const kindList = kinds.map((k) => quoteLiteral(k)).join(', ');
  return `WITH ${periodsCtes(o)}, discharges AS (
  SELECT p.string_id, p.grp,
    sum(p.ah) OVER (PARTITION BY p.string_id ORDER BY p.start_ts ROWS UNBOUNDED PRECEDING) / p.rated_ah AS efc_cumulative
  FROM periods p WHERE p.kind = 'discharge'
), weakest AS (
  SELECT p.string_id, p.grp, arg_min(t.battery_id, t.voltage_v) AS battery_id, min(CAST(t.voltage_v AS DOUBLE)) AS voltage_v
  FROM periods p
  JOIN battery b ON b.string_id = p.string_id
  JOIN telemetry t ON t.battery_id = b.battery_id AND t.ts = p.last_ts
  WHERE p.kind = 'discharge' AND t.ts >= ${tsAt(o.fromMs)} AND t.ts < ${tsAt(o.toMs)}
  GROUP BY p.string_id, p.grp
)
SELECT p.string_id, p.kind, p.start_ts AS start, p.end_ts AS "end",
  (epoch_ms(p.end_ts) - epoch_ms(p.start_ts)) / 1000.0 AS duration_s, p.readings,
  round(p.ah, 4) AS ah, round(100 * p.ah / p.rated_ah, 3) AS depth_pct, round(p.energy_wh, 2) AS energy_wh,
  p.min_voltage_v, w.battery_id AS weakest_battery_id, w.voltage_v AS weakest_voltage_v,
  round(d.efc_cumulative, 5) AS efc_cumulative
FROM periods p
LEFT JOIN weakest w ON w.string_id = p.string_id AND w.grp = p.grp
LEFT JOIN discharges d ON d.string_id = p.string_id AND d.grp = p.grp
WHERE p.kind IN (${kindList})
ORDER BY p.string_id, p.start_ts`;
}

/**
 * Equivalent full cycles over the range: per string, discharged Ah / the model's rated Ah; per jar, the string's
 * discharged Ah between the jar's first and last reading in the range (a jar put in mid-range counts from then) / its
 * own model's rated Ah. The span is one min/max per jar: matching each discharge reading to the jar's reading at that
 * moment joined every reading of the string's jars, 10x the cost over 90 days, for the same figure unless a jar
 * misses readings in the middle of a discharge.
 */
export function efcSql(o: EventsSqlOptions): string {
  return `WITH ${timedCtes(o)}, dis AS (SELECT string_id, ts, abs(i) * dt_h AS ah, rated_ah FROM timed WHERE kind = 'discharge'),
jar_span AS (
  SELECT battery_id, min(ts) AS first_ts, max(ts) AS last_ts FROM telemetry
  WHERE battery_id IN (SELECT battery_id FROM battery WHERE string_id IN (SELECT DISTINCT string_id FROM timed))
    AND ts >= ${tsAt(o.fromMs)} AND ts < ${tsAt(o.toMs)}
  GROUP BY battery_id
)
SELECT s.string_id, NULL::INTEGER AS battery_id, round(coalesce(sum(d.ah), 0), 4) AS discharged_ah, any_value(s.rated_ah) AS rated_ah,
  round(coalesce(sum(d.ah), 0) / any_value(s.rated_ah), 5) AS efc
FROM (SELECT DISTINCT string_id, rated_ah FROM timed) s LEFT JOIN dis d ON d.string_id = s.string_id
GROUP BY s.string_id
UNION ALL
SELECT b.string_id, b.battery_id, round(coalesce(sum(d.ah), 0), 4),
  any_value(CAST(m.capacity_ah AS DOUBLE)),
  round(coalesce(sum(d.ah), 0) / any_value(CAST(m.capacity_ah AS DOUBLE)), 5)
FROM battery b JOIN battery_model m ON m.model_id = b.model_id
LEFT JOIN jar_span t ON t.battery_id = b.battery_id
LEFT JOIN dis d ON d.string_id = b.string_id AND d.ts BETWEEN t.first_ts AND t.last_ts
WHERE b.string_id IN (SELECT DISTINCT string_id FROM timed)
GROUP BY b.string_id, b.battery_id
ORDER BY 1, 2 NULLS FIRST`;
}
