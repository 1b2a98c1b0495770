import { z } from 'zod';
import { method } from './define';
import type { ApiError } from './errors';

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

/** One progress event of a long job: demo, convert, sync, archive, rollups, export. */
export interface JobProgress {
  jobId: string;
  kind: string;
  state: JobState;
  phase: string;
  /** 0..1, or null when unknown. */
  fraction: number | null;
  rows: number;
  bytes: number;
  message: string;
  /**
   * What the user should know about how the job ran although it may end well: each note once, in order (for
   * example that it ran without its memory budget). Kept with the job's summary, shown with its end.
   */
  notes: string[];
}

/**
 * What a method that starts a job answers: the job's id, and (a phantom type, never set at run time) the report
 * the job ends with, so `useJob(handle)` and `jobs.wait` hand back a typed report.
 */
export interface JobHandle<R> {
  jobId: string;
  readonly report?: R;
}

/** The report type a job handle promises. */
export type ReportOf<H> = H extends JobHandle<infer R> ? R : never;

export interface JobSummary<R = unknown> extends JobProgress {
  startedAt: string;
  endedAt: string | null;
  /** The final report, when the job ended well. */
  report: R | null;
  error: ApiError | null;
}

export const jobsApi = {
  list: method<{ jobs: JobSummary[] }>()(z.object({}).default({})),
  cancel: method<{ cancelled: boolean }>()(z.object({ jobId: z.string().min(1).max(100) })),
};

/** The report of a job that ended well (its summary says so); an error naming the job otherwise. */
export function reportOf<R>(summary: JobSummary<R>): R {
  if (summary.report === null) throw new Error(`The ${summary.kind} job ended ${summary.state} without a report.`);
  return summary.report;
}
