import { z } from 'zod';
import { DATASET_NAMES, type DatasetKind } from '../domain/datasets';
import { method } from './define';
import type { RollupWait } from './dashboard';
import type { FeatureMaterializeReport } from './features';
import type { JobHandle } from './jobs';
import type { DemoScaleName, promisedRows } from '../domain/demo-scale';

/** Where one tier of a dataset stands. */
export interface HotTierStatus {
  /** Schema-qualified mirror table in the workspace, e.g. `hot.telemetry`. */
  object: string;
  /** Rows in the local mirror. */
  rows: number;
  /** Last successful sync (ISO-8601, UTC), null if never synced: the UI shows "synced 3 min ago". */
  syncedAt: string | null;
  /** The error of the last attempt if it failed after the last success. */
  lastError: string | null;
}

export interface ColdTierStatus {
  /** Schema-qualified view in the workspace, e.g. `cold.telemetry`. */
  object: string;
  files: number;
  bytes: number;
  /** Newest file's time (ISO-8601), null for an empty lake. */
  newestFileAt: string | null;
}

export interface DatasetStatus {
  name: string;
  kind: DatasetKind;
  /** The unified view in `main` (the name users query), with its `tier` column. */
  unified: string;
  hot: HotTierStatus;
  /** Null for master data (hot store only). */
  cold: ColdTierStatus | null;
  /** The watermark between cold and hot (ISO-8601), null when none is set. */
  split: string | null;
}

/** The background sync of the mirror (desktop app, web host): how often, and how it is doing. */
export interface BackgroundSyncStatus {
  /**
   * off: interval 0, or no background sync in this run (CLI, tests); idle: waiting for the next run; syncing;
   * paused: a long job holds the mirror (`pausedBy`); waiting: PostgreSQL is unreachable (retried with backoff);
   * failing: the last run failed (`lastError`, retried with backoff).
   */
  state: 'off' | 'idle' | 'syncing' | 'paused' | 'waiting' | 'failing';
  /** settings.json `sync.intervalSeconds`; 0 = off. */
  intervalSeconds: number;
  /** The kind of the job it waits for, e.g. 'archive'. */
  pausedBy: string | null;
  /** When the last background run ended (ISO-8601), null before the first. */
  lastRunAt: string | null;
  /** Rows copied plus keys changed by the last successful run. */
  lastChanges: number | null;
  lastError: string | null;
  /** When the next run is due (ISO-8601), null when off. */
  nextRunAt: string | null;
}

export interface DataStatus {
  hot: {
    kind: 'embedded' | 'external' | 'none';
    /** host:port/database, never a password. */
    target: string | null;
    reachable: boolean;
    error: string | null;
  };
  /** The lake, with every dataset's files (registry, derived, features, conversions) from the workspace's catalog of it. */
  lake: { kind: 'local' | 's3'; location: string; files: number; bytes: number };
  /** True while a sync runs. */
  syncing: boolean;
  /** Oldest successful sync over all datasets (ISO-8601), null if any was never synced. */
  syncedAt: string | null;
  /** The background sync; absent from cores that predate it. */
  background?: BackgroundSyncStatus;
  datasets: DatasetStatus[];
  /** The live demo feed (Settings: "Live demo feed"); absent from cores that predate it. */
  liveFeed?: LiveFeedStatus;
}

/**
 * The live demo feed: new readings for the whole demo fleet in PostgreSQL, one reading per jar and string per tick (every 5
 * minutes, or `speed` times as often), stamped when written. `waiting`: switched on, but there is nothing to feed yet (no demo fleet, a demo being
 * generated, PostgreSQL not answering; `message` says which).
 */
export interface LiveFeedStatus {
  state: 'off' | 'running' | 'waiting';
  speed: number;
  /** Ticks written since the feed started. */
  ticks: number;
  /** Jar and string readings written since it started. */
  rows: number;
  alertsRaised: number;
  /** The reading time of the last slot written (ISO-8601), or null. */
  lastReadingAt: string | null;
  /** Why it waits, or the last tick's error; null when all is well. */
  message: string | null;
}

export interface DataSyncResult {
  rows: number;
  bytes: number;
  elapsedMs: number;
  /**
   * Per dataset: rows copied, keys of changed or deleted rows applied (`changes`), days re-copied by the count
   * check, and why it was copied in full when it was (`note`, e.g. no change tracking in PostgreSQL).
   */
  datasets: {
    dataset: string;
    mode: 'incremental' | 'full';
    rows: number;
    changes?: number;
    repairedDays: string[];
    note?: string | null;
  }[];
}

/** What the demo wrote: its window, fleet, rows per dataset and tier (see electron/core/demo/seed-demo.ts). */
export interface DemoReport {
  scale: DemoScaleName;
  seed: number;
  window: { start: string; split: string; end: string };
  fleet: { sites: number; systems: number; strings: number; jars: number };
  /** Rows written per dataset and tier. */
  rows: Record<string, { hot: number; cold: number }>;
  promised: ReturnType<typeof promisedRows>;
  lakeFiles: number;
  lakeBytes: number;
  elapsedMs: number;
}

/** The demo's last step: the built-in feature sets materialized (null when it was asked not to, or it failed: `featuresError`). */
export interface DemoFeatures {
  features: FeatureMaterializeReport | null;
  featuresError?: string;
}

export type DemoJobReport = DemoReport & { sync: DataSyncResult } & RollupWait & DemoFeatures;

export const DemoScaleSchema = z.enum(['small', 'full', 'year']);

export const dataApi = {
  /** Hot store, lake and mirror freshness per dataset (for the schema browser). */
  status: method<DataStatus>()(z.object({}).default({})),
  /** Sync the mirror now (all datasets, or the named ones). Fails with HOT_UNAVAILABLE when PostgreSQL is down; the mirror keeps serving. */
  sync: method<DataSyncResult>()(z.object({ datasets: z.array(z.enum(DATASET_NAMES)).max(DATASET_NAMES.length).optional() }).default({})),
  /** Start the demo as a job (progress on 'job.progress'); replaces the workspace's hot tables and lake datasets. */
  demo: method<JobHandle<DemoJobReport>>()(
    z
      .object({
        scale: DemoScaleSchema.default('small'),
        daysHot: z.number().int().min(1).max(365).optional(),
        daysCold: z.number().int().min(0).max(3650).optional(),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
      })
      .default({ scale: 'small' }),
  ),
};
