import { z } from 'zod';
import { method } from './define';
import type { RollupWait } from './dashboard';
import type { JobHandle } from './jobs';

/** What the archiver can move from PostgreSQL to the lake. Alerts: only cleared ones. */
export const ARCHIVABLE_DATASETS = ['telemetry', 'string_telemetry', 'environmental_telemetry', 'alert', 'maintenance_event'] as const;
export type ArchivableDataset = (typeof ARCHIVABLE_DATASETS)[number];

export const ArchiveRequest = z.object({
  /** Every row before the start (UTC) of the day this many days ago is archived. */
  olderThanDays: z.number().int().min(1, 'must be at least 1 day').max(36_500),
  datasets: z
    .array(z.enum(ARCHIVABLE_DATASETS))
    .min(1)
    .max(ARCHIVABLE_DATASETS.length)
    .default([...ARCHIVABLE_DATASETS]),
  dryRun: z.boolean().default(false),
});
export type ArchiveRequest = z.infer<typeof ArchiveRequest>;

/**
 * planned → exported → verified → published → deleted → done. When PostgreSQL no longer holds what was
 * verified at the delete step, the batch is withdrawn instead (published → withdrawing → withdrawn: its
 * file hidden and removed, the tier switch undone) and the day is exported again as a new batch.
 */
export type BatchState = 'planned' | 'exported' | 'verified' | 'published' | 'deleted' | 'done' | 'withdrawing' | 'withdrawn' | 'failed';

export interface BatchReport {
  batchId: string;
  dataset: ArchivableDataset;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  state: BatchState;
  rows: number;
  parquetBytes: number;
  /**
   * Identical in PostgreSQL and DuckDB: for numeric time series `g1:` + the MD5 of per-key row counts and
   * exact column sums (see checksum.ts), else the sum of per-row 60-bit MD5 prefixes over all columns.
   */
  checksum: string | null;
  /** How PostgreSQL let go of the rows: TRUNCATE of the day's own partition, or DELETE row by row (null: not known). */
  deletedBy?: 'partition' | 'rows' | null;
  sha256: string | null;
  file: string | null;
  timingsMs: Record<string, number>;
  error: string | null;
}

export interface DryRunDataset {
  dataset: ArchivableDataset;
  rows: number;
  /** Whole UTC days (partitions) the rows span. */
  partitions: string[];
  /** Estimated PostgreSQL bytes the rows occupy (table + indexes, by row share). */
  postgresBytes: number;
  /** Estimated Parquet size, from the lake's bytes per row for the dataset (or a default). */
  estimatedParquetBytes: number;
}

/** `rollupMs`: how long the run waited for the gold rollups to include the moved rows (not for a dry run). */
export interface ArchiveReport extends Partial<RollupWait> {
  runId: string;
  dryRun: boolean;
  /** ISO time: every row before it is archived. */
  cutoff: string;
  host: string;
  user: string;
  startedAt: string;
  endedAt: string | null;
  rowsArchived: number;
  batches: BatchReport[];
  plan: DryRunDataset[];
  vacuum: { table: string; bytesBefore: number; bytesAfter: number; elapsedMs: number }[];
  /** PostgreSQL bytes freed for reuse (estimated from the deleted rows' share) and returned to the OS (size drop). */
  reclaimedBytes: { reusable: number; returnedToOs: number };
  masterSnapshot: string[];
  /** Wall time of the run's parts: `batches` (export, verify, publish, delete of every batch, pipelined), `vacuum`, `snapshot`. */
  timingsMs?: Record<string, number>;
  /** Requests to an S3 lake that were retried (with backoff) during the run; 0 for a local lake. */
  lakeRetries?: number;
  error: string | null;
}

export const archiveApi = {
  /** Starts an archive run (or a dry run) as a job; its report is an ArchiveReport. */
  start: method<JobHandle<ArchiveReport>>()(ArchiveRequest),
  history: method<{ runs: ArchiveReport[] }>()(z.object({ limit: z.number().int().min(1).max(500).default(50) })),
};
