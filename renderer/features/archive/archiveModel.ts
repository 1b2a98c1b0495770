import {
  ARCHIVABLE_DATASETS,
  type ArchivableDataset,
  type ArchiveReport,
  type BatchReport,
  type DryRunDataset,
} from '../../../shared/api/archive';
import { formatCount, formatDuration } from '../../../shared/format';

/** What the user reads next to each dataset's checkbox; the name itself is shown too (one name per idea). */
export const DATASET_LABELS: Record<ArchivableDataset, string> = {
  telemetry: 'Telemetry',
  string_telemetry: 'String telemetry',
  environmental_telemetry: 'Battery-room temperature and humidity',
  alert: 'Cleared alerts',
  maintenance_event: 'Maintenance events',
};

export const DEFAULT_DAYS = 7;
export const MAX_DAYS = 36_500;

/** The days field as typed → a whole number of days, or why it cannot be used. */
export function parseDays(text: string): { days: number; problem: null } | { days: null; problem: string } {
  const t = text.trim();
  if (t === '') return { days: null, problem: 'Enter a number of days (1 or more).' };
  if (!/^\d+$/.test(t)) return { days: null, problem: `"${t}" is not a whole number of days.` };
  const n = Number(t);
  if (n < 1) return { days: null, problem: 'Keep at least 1 day in PostgreSQL: the cut-off must be 1 day or more.' };
  if (n > MAX_DAYS) return { days: null, problem: `At most ${formatCount(MAX_DAYS)} days.` };
  return { days: n, problem: null };
}

/** The start (UTC) of the day `days` days before `now`, ISO: the same cut-off the core computes. */
export function cutoffOf(now: Date, days: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)).toISOString();
}

/** Datasets in the contract's order, whatever order they were ticked in. */
export function orderedDatasets(chosen: readonly ArchivableDataset[]): ArchivableDataset[] {
  return ARCHIVABLE_DATASETS.filter((d) => chosen.includes(d));
}

/** `2025-03-01 … 2025-03-04` (or one day, or `none`). */
export function dayRange(days: readonly string[]): string {
  if (days.length === 0) return 'none';
  const sorted = [...days].sort();
  return sorted.length === 1 ? sorted[0] : `${sorted[0]} … ${sorted[sorted.length - 1]}`;
}

export interface PlanTotals {
  rows: number;
  batches: number;
  postgresBytes: number;
  estimatedParquetBytes: number;
}

export function planTotals(plan: readonly DryRunDataset[]): PlanTotals {
  return plan.reduce<PlanTotals>(
    (t, p) => ({
      rows: t.rows + p.rows,
      batches: t.batches + p.partitions.length,
      postgresBytes: t.postgresBytes + p.postgresBytes,
      estimatedParquetBytes: t.estimatedParquetBytes + p.estimatedParquetBytes,
    }),
    { rows: 0, batches: 0, postgresBytes: 0, estimatedParquetBytes: 0 },
  );
}

export interface BatchCounts {
  done: number;
  failed: number;
  /** Withdrawn because PostgreSQL changed the day after its export; the day was exported again. */
  withdrawn: number;
  /** Neither done, failed nor withdrawn: left between steps; the next run finishes them. */
  unfinished: number;
  /** Of the files that stay in the lake (a withdrawn file is removed). */
  parquetBytes: number;
}

export function batchCounts(batches: readonly BatchReport[]): BatchCounts {
  const out: BatchCounts = { done: 0, failed: 0, withdrawn: 0, unfinished: 0, parquetBytes: 0 };
  for (const b of batches) {
    if (b.state === 'withdrawn') {
      out.withdrawn++;
      continue;
    }
    if (b.state === 'done') out.done++;
    else if (b.state === 'failed') out.failed++;
    else out.unfinished++;
    out.parquetBytes += b.parquetBytes;
  }
  return out;
}

/** Batches a run set out to do: its plan's days (a stopped run did fewer), plus leftovers of earlier runs it finished first. */
export function batchesPlanned(report: Pick<ArchiveReport, 'batches' | 'plan'>): number {
  return Math.max(report.batches.filter((b) => b.state !== 'withdrawn').length, planTotals(report.plan).batches);
}

const STEP_ORDER = ['export', 'verify', 'publish', 'delete', 'cleanup'];

/** `export 120 ms · verify 31 ms · …` in the order the steps run; unknown steps after them. */
/** A checksum short enough for a table cell (the full text goes in its tooltip). */
export function shortChecksum(checksum: string | null): string {
  if (!checksum) return '—';
  return checksum.length > 20 ? `${checksum.slice(0, 15)}…` : checksum;
}

export function timingsText(timingsMs: Record<string, number>): string {
  const names = Object.keys(timingsMs).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((n) => `${n} ${formatDuration(timingsMs[n])}`).join(' · ');
}

function rank(step: string): number {
  const i = STEP_ORDER.indexOf(step);
  return i < 0 ? STEP_ORDER.length : i;
}

export function totalMs(timingsMs: Record<string, number>): number {
  return Object.values(timingsMs).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

/** How long a run took, or null while it runs. */
export function runDurationMs(report: Pick<ArchiveReport, 'startedAt' | 'endedAt'>): number | null {
  if (!report.endedAt) return null;
  const ms = Date.parse(report.endedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) ? ms : null;
}

export type RunOutcome = 'dry run' | 'running' | 'cancelled' | 'failed' | 'incomplete' | 'done';

/**
 * The journal keeps a stopped run's message only (no code); the archiver's cancellation message
 * says "cancelled" ("The archive run was cancelled after 2 of 8 batches; ..."), a failure does not.
 */
export function isCancellation(error: string | null): boolean {
  return error !== null && /\bcancell?ed\b/i.test(error);
}

export function runOutcome(report: ArchiveReport): RunOutcome {
  if (isCancellation(report.error)) return 'cancelled';
  if (report.error) return 'failed';
  if (!report.endedAt) return 'running';
  if (report.dryRun) return 'dry run';
  const c = batchCounts(report.batches);
  return c.failed > 0 || c.unfinished > 0 ? 'incomplete' : 'done';
}

/** The run an archive job wrote to the journal: the first one that started at or after the job (one runs at a time). */
export function runOfJob(runs: readonly ArchiveReport[], job: { startedAt: string | null; dryRun: boolean }): ArchiveReport | null {
  if (!job.startedAt) return null;
  const since = Date.parse(job.startedAt);
  const candidates = runs.filter((r) => r.dryRun === job.dryRun && Date.parse(r.startedAt) >= since);
  candidates.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return candidates[0] ?? null;
}

/** Newest first, whatever order they came in. */
export function newestFirst(runs: readonly ArchiveReport[]): ArchiveReport[] {
  return [...runs].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}
