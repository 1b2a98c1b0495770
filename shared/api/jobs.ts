import { z } from 'zod';
import { method } from './define';

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
}

export interface JobSummary extends JobProgress {
  startedAt: string;
  endedAt: string | null;
  /** The final report, when the job ended. */
  report: unknown;
  error: { code: string; message: string; detail?: string } | null;
}

export const jobsApi = {
  list: method<{ jobs: JobSummary[] }>()(z.object({}).default({})),
  cancel: method<{ cancelled: boolean }>()(z.object({ jobId: z.string().min(1).max(100) })),
};
