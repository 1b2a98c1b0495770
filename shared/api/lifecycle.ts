import { z } from 'zod';
import { method } from './define';

export const LifecycleDataset = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a dataset name');
const RetainDays = z
  .number()
  .int()
  .min(1)
  .max(100 * 366);

/** A dataset's lifecycle policy as settings.json keeps it (`lifecycle.<dataset>`). */
export const LifecyclePolicySchema = z
  .object({
    /** Raw rows of days older than this many days (UTC, before today) may be deleted from the lake; unset: kept for ever. */
    retainDays: RetainDays.optional(),
    /** While on, nothing of the dataset is ever deleted, whatever `retainDays` says. */
    legalHold: z.boolean().optional(),
  })
  .strict();
export type LifecyclePolicy = z.infer<typeof LifecyclePolicySchema>;

/** One dataset's policy as the UI shows it, with whether retention can apply to it at all. */
export interface LifecyclePolicyInfo {
  dataset: string;
  retainDays: number | null;
  legalHold: boolean;
  /** Gold rollups are built from it, so its raw days can go once the rollups cover them; other datasets are kept whole. */
  retirable: boolean;
  /** Why retention cannot apply, when `retirable` is false. */
  why: string | null;
}

/** What the dry run decided for one UTC day of the lake older than the cut-off. */
export type RetentionDayStatus =
  /** The rollups cover it (their reading count equals the raw rows of the day): it may go. */
  | 'retire'
  /** The rollups do not hold the day's rows (they are behind, or were never built for it): it is kept. */
  | 'not-covered'
  /** The dataset's legal hold is on: it is kept. */
  | 'held';

export interface RetentionDay {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  files: number;
  rows: number;
  bytes: number;
  /** Readings the gold rollups hold for the day (their `n`), the count the raw rows are verified against. */
  rollupRows: number;
  status: RetentionDayStatus;
}

/** The dry run of a dataset's retention: what would be deleted, what is kept and why. */
export interface RetentionPlan {
  dataset: string;
  retainDays: number | null;
  legalHold: boolean;
  /** Days before this UTC date are past the retention period (null without a policy). */
  cutoff: string | null;
  days: RetentionDay[];
  /** The days that would be deleted (status `retire`). */
  retire: { days: number; files: number; rows: number; bytes: number };
  /** Days retired earlier (their raw rows gone, their rollups kept): how many, and the first and last. */
  retired: { days: number; first: string | null; last: string | null };
  /** One sentence: what applying would do, or why it would do nothing. */
  summary: string;
}

/** What an applied retention did. */
export interface RetentionReport {
  dataset: string;
  /** The days whose raw rows were deleted. */
  days: string[];
  files: number;
  rows: number;
  bytes: number;
  /** Days asked for that were kept after all (not covered, held, or gone already), with why. */
  kept: { date: string; why: string }[];
  ms: number;
}

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const LifecyclePolicySetRequest = z
  .object({
    dataset: LifecycleDataset,
    /** null: keep the raw rows for ever. */
    retainDays: RetainDays.nullable().optional(),
    legalHold: z.boolean().optional(),
  })
  .strict();
export type LifecyclePolicySetRequest = z.infer<typeof LifecyclePolicySetRequest>;

export const RetentionApplyRequest = z
  .object({
    dataset: LifecycleDataset,
    /** The days of the dry run the user confirmed; only those that still qualify are deleted (none: only a retention a crash left is finished). */
    days: z.array(Day).max(100_000),
  })
  .strict();
export type RetentionApplyRequest = z.infer<typeof RetentionApplyRequest>;

export const lifecycleApi = {
  /** Every lake dataset's policy (the defaults where settings.json names none). */
  policies: method<{ policies: LifecyclePolicyInfo[] }>()(z.object({}).default({})),
  /** Changes one dataset's policy in settings.json; a dataset the lake does not hold is NOT_FOUND. */
  setPolicy: method<{ policies: LifecyclePolicyInfo[] }>()(LifecyclePolicySetRequest),
  /** The retention dry run of a dataset: writes nothing. */
  retention: method<RetentionPlan>()(z.object({ dataset: LifecycleDataset }).strict()),
  /** Deletes the confirmed days' raw rows (a job; its result is a RetentionReport). */
  applyRetention: method<{ jobId: string }>()(RetentionApplyRequest),
};
