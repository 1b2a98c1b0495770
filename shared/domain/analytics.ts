/** Battery analytics settings and their defaults: discharge events and sibling anomalies. Pure. */

/**
 * Which sign of string_telemetry.current_a means charging. The demo (and most UPS monitors) write charge and
 * float current positive and discharge negative ('positive_charge'); some tools write it the other way round.
 */
export type SignConvention = 'positive_charge' | 'positive_discharge';
export const SIGN_CONVENTIONS: readonly SignConvention[] = ['positive_charge', 'positive_discharge'];

/** The workspace's sign convention: a default, and per site (location_id) where a site differs. */
export interface SignSettings {
  default: SignConvention;
  sites: Record<string, SignConvention>;
}

export const DEFAULT_SIGN_SETTINGS: SignSettings = { default: 'positive_charge', sites: {} };

/** The factor that turns a site's current into "positive = charge". */
export function chargeSign(settings: SignSettings, locationId: number): 1 | -1 {
  const c = settings.sites[String(locationId)] ?? settings.default;
  return c === 'positive_charge' ? 1 : -1;
}

/**
 * How a string reading is classed (current in "positive = charge"): |I| below restA is rest; a discharge below
 * -restA; a charge above chargeC x rated Ah (a C-rate, e.g. the recharge after an outage); float in between.
 */
export interface EventThresholds {
  restA: number;
  chargeC: number;
}

export const DEFAULT_EVENT_THRESHOLDS: EventThresholds = { restA: 0.1, chargeC: 0.01 };

export const EVENT_KINDS = ['charge', 'discharge', 'float', 'rest'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Sibling-anomaly thresholds: |z| at or above zMin for at least minHours is a persistent outlier. */
export interface AnomalyThresholds {
  zMin: number;
  minHours: number;
  /** A jar this many °C or more above its string's ambient (for at least minHours) is a hotspot. */
  hotspotC: number;
}

export const DEFAULT_ANOMALY_THRESHOLDS: AnomalyThresholds = { zMin: 3, minHours: 6, hotspotC: 5 };

export const ANOMALY_METRICS = ['voltage', 'temperature', 'resistance'] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];
export type AnomalyKind = `${AnomalyMetric}_outlier` | 'hotspot';
