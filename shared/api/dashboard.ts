import { z } from 'zod';
import { thresholdsProblem, type HealthThresholds } from '../domain/health';
import { method } from './define';

/** What a dashboard is about: the whole fleet, a site (location), a system, a string, or one jar (battery). */
export const SCOPE_KINDS = ['fleet', 'location', 'system', 'string', 'battery'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** Every panel the dashboards draw, by scope. Each is one SQL query in the core. */
export const PANEL_IDS = [
  // fleet
  'fleet.sites',
  'fleet.alerts',
  'fleet.atRisk',
  'fleet.hotspots',
  'fleet.drift',
  'fleet.freshness',
  'fleet.weakest',
  // location, system, string
  'scope.stringVoltage',
  'scope.stringCurrent',
  'scope.balance',
  'scope.temperature',
  'scope.ambient',
  'scope.alerts',
  'scope.events',
  'scope.children',
  // battery (jar)
  'battery.voltage',
  'battery.temperature',
  'battery.resistance',
  'battery.alerts',
  'battery.events',
  'battery.rul',
  'battery.health',
  'battery.soh',
  // discharge events and sibling anomalies
  'string.events',
  'string.discharges',
  'string.efc',
  'string.spread',
  'battery.zscore',
  'fleet.anomalies',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

const Id = z.number().int().min(1).max(2_147_483_647);
const Iso = z.iso.datetime({ offset: true });

export const HealthThresholdsSchema = z
  .object({
    watchPct: z.number(),
    degradedPct: z.number(),
    replacePct: z.number(),
    baselineDays: z.number().int(),
  })
  .superRefine((t, ctx) => {
    const problem = thresholdsProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const ScopeSchema = z
  .object({ kind: z.enum(SCOPE_KINDS), id: Id.optional() })
  .refine((s) => s.kind === 'fleet' || s.id !== undefined, { message: 'id is required for a location, system, string or battery' });

export type Scope = z.output<typeof ScopeSchema>;

/** A cell of a panel's rows: numbers (timestamps as epoch milliseconds), text, or null. */
export type PanelCell = number | string | null;

export interface PanelData {
  panel: PanelId;
  columns: string[];
  rows: PanelCell[][];
  /** The query that produced `rows` (downsampled where it is a series): "Open as SQL". */
  sql: string;
  /** The full-resolution query of what the panel shows: "Export data". */
  exportSql: string;
  /** What the query read: e.g. `gold.jar_hourly`, `telemetry (raw)`. */
  source: string;
  /** For series: the time bucket in ms the points were reduced to (0 = every reading). */
  bucketMs: number;
  elapsedMs: number;
  /**
   * Set when the gold rollups the panel reads are not current: a refresh runs or waits (`building`), or they
   * were never built while the data is there (`building: false`, e.g. the last refresh failed). Rows are then
   * left out where the rollups hold nothing yet, so an empty panel never reads as "no data".
   */
  rollups?: PanelRollups;
}

export interface PanelRollups {
  building: boolean;
  /** The refresh's progress 0..1, or null when unknown. */
  fraction: number | null;
  message: string;
}

/** How long a job (demo, archive, convert) waited for the gold rollups to include its data, and why they failed if they did. */
export interface RollupWait {
  rollupMs: number;
  rollupError?: string;
}

export interface EntityPathItem {
  kind: ScopeKind;
  id: number;
  name: string;
}

export interface EntityInfo {
  kind: ScopeKind;
  id: number | null;
  name: string;
  /** Fleet › site › system › string › jar, this entity last. */
  path: EntityPathItem[];
  /** IANA time zone of the site (UTC for the fleet). */
  timeZone: string;
  /** First and last reading time of the entity's telemetry (ISO-8601), null when it has none. */
  dataFrom: string | null;
  dataTo: string | null;
  /** Facts to show in the header, e.g. model, serial number, jar count. */
  facts: { label: string; value: string }[];
}

export interface RollupTableStatus {
  /** e.g. `gold.jar_hourly` */
  name: string;
  rows: number;
}

export interface RollupStatus {
  /** Last finished refresh (ISO-8601), null when never refreshed. */
  refreshedAt: string | null;
  running: boolean;
  /** Error of the last refresh, if it failed. */
  lastError: string | null;
  tables: RollupTableStatus[];
  /** Hours recomputed by the last refresh. */
  lastHours: number;
  lastElapsedMs: number;
}

export const dashboardApi = {
  /** One panel's rows for a scope and time range; series are downsampled (M4) to `width` pixels in SQL. */
  panel: method<PanelData>()(
    z
      .object({
        panel: z.enum(PANEL_IDS),
        scope: ScopeSchema,
        from: Iso,
        to: Iso,
        /** The chart's plot width in CSS pixels. */
        width: z.number().int().min(10).max(8000).default(1000),
        thresholds: HealthThresholdsSchema.optional(),
      })
      .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] }),
  ),
  /** Name, breadcrumb path, time zone and data extent of a scope. */
  entity: method<EntityInfo>()(z.object({ scope: ScopeSchema })),
  /** The workspace's health thresholds (defaults until changed). */
  thresholds: method<{ thresholds: HealthThresholds; isDefault: boolean }>()(z.object({}).default({})),
  setThresholds: method<{ thresholds: HealthThresholds; isDefault: boolean }>()(
    z.object({ thresholds: HealthThresholdsSchema.nullable() }),
  ),
  rollups: method<RollupStatus>()(z.object({}).default({})),
  /** Refresh the gold rollups now (incremental; `full` rebuilds them), as a job. */
  refreshRollups: method<{ jobId: string }>()(z.object({ full: z.boolean().default(false) })),
};
