import { z } from 'zod';
import {
  DEFAULT_ANOMALY_THRESHOLDS,
  DEFAULT_EVENT_THRESHOLDS,
  EVENT_KINDS,
  SIGN_CONVENTIONS,
  type AnomalyKind,
  type AnomalyMetric,
  type AnomalyThresholds,
  type EventKind,
  type SignSettings,
} from '../domain/analytics';
import { method } from './define';

const Iso = z.iso.datetime({ offset: true });
const Id = z.number().int().min(1).max(2_147_483_647);

/** One period of a string: charge, discharge, float or rest. Depth, energy and the weakest jar are for discharges. */
export interface StringEvent {
  string_id: number;
  kind: EventKind;
  /** First reading of the period, and the end of its last reading's interval (ISO). */
  start: string;
  end: string;
  duration_s: number;
  readings: number;
  /** Ah moved (discharged for a discharge, charged for a charge). */
  ah: number;
  /** Depth as a % of the string model's rated capacity (battery_model.capacity_ah). */
  depth_pct: number;
  /** Energy moved (Wh): string voltage x current over the period. */
  energy_wh: number;
  min_voltage_v: number;
  /** Discharges: the jar with the lowest voltage at the event's last reading, and that voltage. */
  weakest_battery_id: number | null;
  weakest_voltage_v: number | null;
  /** Discharges: the string's equivalent full cycles in the range up to and including this event. */
  efc_cumulative: number | null;
}

export interface EfcRow {
  string_id: number;
  battery_id: number | null;
  discharged_ah: number;
  rated_ah: number;
  efc: number;
}

export interface EventsResult {
  events: StringEvent[];
  /** Equivalent full cycles over the range: per string (battery_id null) and per jar. */
  efc: EfcRow[];
  sql: string;
  elapsedMs: number;
}

export interface AnomalyRow {
  battery_id: number;
  string_id: number;
  kind: AnomalyKind;
  start: string;
  end: string;
  /** The largest |z| (outliers) or the largest excess over ambient in °C (hotspots). */
  score: number;
  /** Outliers: the mean z over the episode (its sign says above or below the siblings). Hotspots: the mean excess. */
  mean: number;
  readings: number;
}

export interface SpreadRow {
  string_id: number;
  /** Voltage spread (max - min jar voltage) over the range: its largest value, when, its mean and its last value. */
  max_v: number;
  max_at: string;
  mean_v: number;
  last_v: number;
}

export interface AnomaliesResult {
  /** Raw 5-minute readings (short ranges) or the gold hourly rollups (longer ranges). */
  resolution: 'raw' | 'hourly';
  anomalies: AnomalyRow[];
  spread: SpreadRow[];
  sql: string;
  elapsedMs: number;
}

export interface JarZRow {
  ts: string;
  metric: AnomalyMetric;
  value: number;
  z: number | null;
}

const Range = z.object({ from: Iso, to: Iso });
const inOrder = (r: { from: string; to: string }): boolean => Date.parse(r.from) < Date.parse(r.to);
const ORDER = { message: 'from must be before to', path: ['to'] };

export const SignConventionSchema = z.enum(SIGN_CONVENTIONS);
export const SignSettingsSchema = z.object({
  default: SignConventionSchema,
  sites: z.record(z.string().regex(/^\d{1,10}$/, 'a site is its location_id'), SignConventionSchema).default({}),
});

export const AnomalyThresholdsSchema = z.object({
  zMin: z.number().min(0.5).max(100).default(DEFAULT_ANOMALY_THRESHOLDS.zMin),
  minHours: z
    .number()
    .min(0)
    .max(24 * 365)
    .default(DEFAULT_ANOMALY_THRESHOLDS.minHours),
  hotspotC: z.number().min(0.1).max(100).default(DEFAULT_ANOMALY_THRESHOLDS.hotspotC),
});

export const EventThresholdsSchema = z.object({
  restA: z.number().min(0).max(10_000).default(DEFAULT_EVENT_THRESHOLDS.restA),
  chargeC: z.number().min(0).max(10).default(DEFAULT_EVENT_THRESHOLDS.chargeC),
});

export const Resolution = z.enum(['auto', 'raw', 'hourly']);

export const analyticsApi = {
  /** Charge, discharge, float and rest periods per string over [from, to), with EFC per string and per jar. */
  events: method<EventsResult>()(
    Range.extend({
      stringId: Id.optional(),
      kinds: z
        .array(z.enum(EVENT_KINDS))
        .min(1)
        .default([...EVENT_KINDS]),
      thresholds: EventThresholdsSchema.default(DEFAULT_EVENT_THRESHOLDS),
    }).refine(inOrder, ORDER),
  ),
  /** Persistent sibling outliers, hotspots and voltage spread over [from, to): one string or the fleet. */
  anomalies: method<AnomaliesResult>()(
    Range.extend({
      stringId: Id.optional(),
      /** Left out: the workspace's stored thresholds (the defaults until edited), as the dashboards use. */
      thresholds: AnomalyThresholdsSchema.optional(),
      resolution: Resolution.default('auto'),
    }).refine(inOrder, ORDER),
  ),
  /** One jar's z-scores against its siblings over [from, to), per moment and metric. */
  jarZ: method<{ resolution: 'raw' | 'hourly'; rows: JarZRow[]; sql: string }>()(
    Range.extend({ batteryId: Id, resolution: Resolution.default('auto') }).refine(inOrder, ORDER),
  ),
  /** The workspace's current sign convention (default, and per site). */
  signConvention: method<{ settings: SignSettings; isDefault: boolean }>()(z.object({}).default({})),
  /** Store it, or null to go back to the default ("positive = charge" everywhere). */
  setSignConvention: method<{ settings: SignSettings; isDefault: boolean }>()(z.object({ settings: SignSettingsSchema.nullable() })),
  /** The workspace's outlier and hotspot thresholds, which the dashboards' anomaly panels use (defaults until changed). */
  anomalyThresholds: method<{ thresholds: AnomalyThresholds; isDefault: boolean }>()(z.object({}).default({})),
  /** Store them, or null to go back to the defaults (|z| >= 3 for at least 6 h; 5 °C over ambient). */
  setAnomalyThresholds: method<{ thresholds: AnomalyThresholds; isDefault: boolean }>()(
    z.object({ thresholds: AnomalyThresholdsSchema.nullable() }),
  ),
};
