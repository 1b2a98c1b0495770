import type { AlertRule } from '../../../shared/api/alerts';

/** A rule as shipped: everything but what the workspace keeps of it. */
export type ShippedRule = Omit<AlertRule, 'builtIn' | 'updatedAt'>;

/**
 * The rules that ship, each over the unified views. A jar rule's rows are `battery_id, ts, value`; a string rule's
 * are `string_id, ts, value, battery_id` (the jar the alert names: for the spread, the one farthest from the mean).
 */
export const SHIPPED_RULES: readonly ShippedRule[] = [
  {
    id: 'jar-voltage-low',
    title: 'Jar voltage below float - 0.5 V for 30 min',
    key: 'battery',
    sql: `SELECT t.battery_id, t.ts, t.voltage_v - m.float_voltage_v AS value
FROM telemetry t
JOIN battery b ON b.battery_id = t.battery_id
JOIN battery_model m ON m.model_id = b.model_id`,
    op: 'below',
    threshold: -0.5,
    forMinutes: 30,
    severity: 'warning',
    enabled: true,
  },
  {
    id: 'string-spread-high',
    title: 'String voltage spread (max - min jar) above 0.1 V for 6 h',
    key: 'string',
    sql: `SELECT b.string_id, t.ts, max(t.voltage_v) - min(t.voltage_v) AS value,
  CASE WHEN max(t.voltage_v) - avg(t.voltage_v) >= avg(t.voltage_v) - min(t.voltage_v)
    THEN arg_max(t.battery_id, t.voltage_v) ELSE arg_min(t.battery_id, t.voltage_v) END AS battery_id
FROM telemetry t
JOIN battery b ON b.battery_id = t.battery_id
GROUP BY b.string_id, t.ts`,
    op: 'above',
    threshold: 0.1,
    forMinutes: 360,
    severity: 'warning',
    enabled: true,
  },
  {
    id: 'jar-hotspot',
    title: "Jar temperature 5 °C above its string's ambient for 1 h",
    key: 'battery',
    sql: `SELECT t.battery_id, t.ts, t.temperature_c - s.ambient_c AS value
FROM telemetry t
JOIN battery b ON b.battery_id = t.battery_id
JOIN string_telemetry s ON s.string_id = b.string_id AND s.ts = t.ts`,
    op: 'above',
    threshold: 5,
    forMinutes: 60,
    severity: 'critical',
    enabled: true,
  },
];

/** The hot store's `alert_type` of a rule's alerts. */
export function alertTypeOf(ruleId: string): string {
  return `rule:${ruleId}`;
}

/** Readings further apart than this break a run of breaching readings (the fleet reports every 5 minutes). */
export const GAP_TOLERANCE_MINUTES = 15;
