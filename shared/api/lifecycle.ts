import { z } from 'zod';
import { method } from './define';

export const LifecycleDataset = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a dataset name');

const Days = z
  .number()
  .int()
  .min(1)
  .max(100 * 366);
const TierName = z.string().regex(/^[A-Za-z][A-Za-z_]{0,30}$/, 'a tier name');

/** One step of a dataset's lake tiers: files of days older than `afterDays` (UTC, before today) go to `tier`. */
export const TierStepSchema = z.object({ tier: TierName, afterDays: Days }).strict();
export type TierStep = z.infer<typeof TierStepSchema>;

/** A dataset's lifecycle policy as settings.json keeps it (`lifecycle.<dataset>`). */
export const LifecyclePolicySchema = z
  .object({
    /** The hot window: days of rows kept in PostgreSQL; the scheduled archival moves older ones to the lake. Unset: the archive job's own `olderThanDays`. */
    hotDays: Days.optional(),
    /** Lake tiers, warmest step first: each `afterDays` larger than the one before, each tier colder. */
    tiers: z.array(TierStepSchema).max(4).optional(),
    /** Raw rows of days older than this many days (UTC, before today) may be deleted from the lake; unset: kept for ever. */
    retainDays: Days.optional(),
    /** While on, nothing of the dataset is ever deleted, whatever `retainDays` says. */
    legalHold: z.boolean().optional(),
  })
  .strict();
export type LifecyclePolicy = z.infer<typeof LifecyclePolicySchema>;

/** One dataset's policy as the UI shows it, with whether retention can apply to it at all. */
export interface LifecyclePolicyInfo {
  dataset: string;
  /** The archive moves it from PostgreSQL to the lake, so it takes a hot window. */
  archivable: boolean;
  hotDays: number | null;
  tiers: TierStep[];
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
    /** null: the archive job's own window. */
    hotDays: Days.nullable().optional(),
    /** []: every file stays in the lake's first tier. */
    tiers: z.array(TierStepSchema).max(4).optional(),
    /** null: keep the raw rows for ever. */
    retainDays: Days.nullable().optional(),
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

/** The policies, with the tiers the lake offers (warmest first: new files land in the first). */
export interface LifecyclePolicies {
  policies: LifecyclePolicyInfo[];
  lake: { kind: 'local' | 's3'; location: string; tiers: string[] };
}

/** Bytes and files of a dataset per tier. */
export interface TierBytes {
  tier: string;
  files: number;
  bytes: number;
}

/** The dry run of a dataset's lake tiers: where its files are, and what applying the policy would move where. */
export interface TierPlan {
  dataset: string;
  tiers: TierStep[];
  /** Per tier of the lake (every one, warmest first), today. */
  today: TierBytes[];
  /** Per tier once the policy is applied. */
  applied: TierBytes[];
  /** What would move: per target tier, the files, bytes and days. */
  moves: (TierBytes & { first: string; last: string })[];
  summary: string;
}

/** What an applied lifecycle move did. */
export interface TierMoveReport {
  datasets: { dataset: string; moves: TierBytes[] }[];
  files: number;
  bytes: number;
  ms: number;
}

export const lifecycleApi = {
  /** Every lake dataset's policy (the defaults where settings.json names none), and the lake's tiers. */
  policies: method<LifecyclePolicies>()(z.object({}).default({})),
  /** Changes one dataset's policy in settings.json; a dataset the lake does not hold is NOT_FOUND. */
  setPolicy: method<LifecyclePolicies>()(LifecyclePolicySetRequest),
  /** The dry run of the tier moves of a dataset: writes nothing. */
  tierPlan: method<TierPlan>()(z.object({ dataset: LifecycleDataset }).strict()),
  /** Moves the files of every dataset (or one) that their policy sends to a colder tier (a job; its result is a TierMoveReport). */
  applyTiers: method<{ jobId: string }>()(z.object({ dataset: LifecycleDataset.optional() }).strict()),
  /** The retention dry run of a dataset: writes nothing. */
  retention: method<RetentionPlan>()(z.object({ dataset: LifecycleDataset }).strict()),
  /** Deletes the confirmed days' raw rows (a job; its result is a RetentionReport). */
  applyRetention: method<{ jobId: string }>()(RetentionApplyRequest),
};
