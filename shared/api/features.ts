import { z } from 'zod';
import type { FeatureColumn, FeatureEntity } from '../domain/features';
import { method } from './define';
import type { JobHandle } from './jobs';

/** One version of a feature set, as `features.list` shows it. */
export interface FeatureSetVersionInfo {
  version: number;
  /** `sha256:<hex>` of its normalized definition. */
  hash: string;
  createdAt: string;
  /** Whether the workspace's current definition of the set is this version. */
  current: boolean;
  /** Materialized days and rows (the version's view), and its latest event time. */
  days: number;
  rows: number;
  latestEventTime: string | null;
  /** The view to query: `features.<set>_v<N>`. */
  view: string;
}

export interface FeatureSetInfo {
  name: string;
  description: string;
  owner: string;
  entity: FeatureEntity;
  /** The entity's key column: battery_id, string_id or location_id. */
  key: string;
  lagMinutes: number;
  /** The datasets it reads (declared inputs and master data its SQL joins). */
  lineage: string[];
  columns: FeatureColumn[];
  /** Stored versions, oldest first; the current definition is listed as version null until first materialized. */
  versions: FeatureSetVersionInfo[];
  /** Whether the workspace still defines the set (an old set lives on in the lake only). */
  defined: boolean;
  sql: string;
}

/** What materializing one feature set did. */
export interface FeatureSetMaterialized {
  set: string;
  version: number;
  hash: string;
  /** Whether this run stored the definition as a new version. */
  createdVersion: boolean;
  /** Days in range, and those recomputed (inputs changed, or never computed). */
  days: number;
  recomputed: number;
  /** Rows and files written by this run. */
  rows: number;
  files: number;
  /** Days recomputed, first 20. */
  recomputedDays: string[];
  elapsedMs: number;
}

export interface FeatureMaterializeReport {
  sets: FeatureSetMaterialized[];
  elapsedMs: number;
}

/** The latest feature vector of each entity (from the serving table `features.<set>_v<N>_latest`). */
export interface FeatureVectors {
  set: string;
  version: number;
  key: string;
  columns: { name: string; type: string; unit: string | null }[];
  /** Values as JSON-safe text or numbers (DECIMAL and BIGINT as strings), in `columns` order. */
  rows: Record<string, unknown>[];
}

/** PSI by week of one feature column against the reference window. */
export interface FeatureColumnDrift {
  name: string;
  unit: string | null;
  weeks: { week: string; rows: number; psi: number | null }[];
  /** The largest weekly PSI after the reference window; null when there is none. */
  maxPsi: number | null;
  /** Weeks after the reference window at or above the threshold. */
  shiftedWeeks: string[];
}

/** Distribution drift of a set version's numeric columns: the population stability index by ISO week. */
export interface FeatureDrift {
  set: string;
  version: number;
  /** The reference window `[from, to)`, UTC days: asked for, else the version's first 28 days (half of a shorter history), after the set's lookback days when two weeks are left after them. */
  reference: { from: string; to: string };
  threshold: number;
  bins: number;
  columns: FeatureColumnDrift[];
}

export const DriftThresholdSchema = z.number().finite().gt(0).max(10);

const SetName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a feature set name: lowercase letters, digits and _');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day as YYYY-MM-DD');

export const featuresApi = {
  /** The feature sets: current definitions and every stored version, with what is materialized of each. */
  list: method<{ sets: FeatureSetInfo[] }>()(z.object({}).default({})),
  /** The latest vector per entity of a set version (default: its current version), optionally for one entity. */
  get: method<FeatureVectors>()(
    z.object({
      set: SetName,
      version: z.number().int().min(1).optional(),
      entity: z.number().int().optional(),
    }),
  ),
  /** PSI per numeric column by week against a reference window (default: the version's first 28 days, or half of a shorter history, after the set's lookback days). */
  drift: method<FeatureDrift>()(
    z.object({
      set: SetName,
      version: z.number().int().min(1).optional(),
      reference: z.object({ from: Day, to: Day }).optional(),
      bins: z.number().int().min(2).max(100).optional(),
      /** This request's alarm line instead of the workspace's. */
      threshold: DriftThresholdSchema.optional(),
    }),
  ),
  /** The workspace's PSI alarm line (default 0.25). */
  driftThreshold: method<{ threshold: number; isDefault: boolean }>()(z.object({}).default({})),
  /** Store the PSI alarm line, or null to go back to the default. */
  setDriftThreshold: method<{ threshold: number; isDefault: boolean }>()(z.object({ threshold: DriftThresholdSchema.nullable() })),
  /** Materializes the set (default: every defined set) as a job: only the days whose inputs changed, unless `full`. */
  materialize: method<JobHandle<FeatureMaterializeReport>>()(
    z.object({ set: SetName.optional(), from: Day.optional(), to: Day.optional(), full: z.boolean().default(false) }),
  ),
};
