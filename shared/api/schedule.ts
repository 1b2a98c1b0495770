import { z } from 'zod';
import { method } from './define';

/** How a scheduled (or run-now) job ended; `running` while it runs, or when its process died (see `message`). */
export type ScheduleOutcome = 'running' | 'done' | 'failed' | 'skipped';

/** One job's schedule as the workspace keeps it (every registered job has one; new jobs start with their defaults). */
export interface ScheduleInfo {
  /** The periodic job: archive, features, rollups (more register later). */
  job: string;
  /** What the job does, in a line. */
  title: string;
  /** A 5-field cron expression (minute hour day-of-month month day-of-week) or a nickname such as @daily. */
  cron: string;
  /** 'UTC' or an IANA zone (e.g. Europe/Berlin): the cron's wall clock. */
  timeZone: string;
  enabled: boolean;
  /** The job's options (e.g. archive: olderThanDays), with its defaults filled in. */
  options: Record<string, unknown>;
  /** Slots at or before this instant never run (set when the schedule is created, changed or enabled). */
  since: string;
  updatedAt: string;
  /** The next slot after now (null when disabled). */
  nextSlot: string | null;
  /** The slot that is due now and has not run (null when none). */
  dueSlot: string | null;
  lastRun: ScheduleRun | null;
}

/** One line of the schedule history. */
export interface ScheduleRun {
  runId: string;
  job: string;
  /** The scheduled instant this run is for (ISO, UTC); for a run-now, when it was asked for. */
  slot: string;
  trigger: 'schedule' | 'manual';
  startedAt: string;
  endedAt: string | null;
  outcome: ScheduleOutcome;
  message: string;
  /** The job that did the work (jobs.list), when one started. */
  jobId: string | null;
  /** Who ran it: process id and host. */
  pid: number;
  host: string;
}

/** The 'schedule.failed' event: a scheduled or run-now job failed (the app shows it as a notification). */
export interface ScheduleFailedEvent {
  run: ScheduleRun;
}

const JobId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a job id such as archive, features or rollups');

export const ScheduleSetRequest = z.object({
  job: JobId,
  /** Checked by the core (BAD_INPUT with the reason); the shape only here. */
  cron: z.string().min(1).max(200).optional(),
  timeZone: z.string().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  /** Replaces the job's options (checked against the job's own options; unknown keys are refused). */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type ScheduleSetRequest = z.infer<typeof ScheduleSetRequest>;

export const scheduleApi = {
  /** Every registered job's schedule, with its next and due slot and its last run. */
  list: method<{ schedules: ScheduleInfo[] }>()(z.object({}).default({})),
  /** Change one job's schedule (cron, time zone, enabled, options); an invalid cron or zone is BAD_INPUT and nothing is stored. */
  set: method<ScheduleInfo>()(ScheduleSetRequest),
  /** The schedule history, newest first (optionally of one job). */
  history: method<{ runs: ScheduleRun[] }>()(
    z.object({ job: JobId.optional(), limit: z.number().int().min(1).max(1000).default(50) }).default({ limit: 50 }),
  ),
  /** Starts the job now, outside its schedule (CONFLICT while it runs); answers its history line, outcome `running`. */
  runNow: method<ScheduleRun>()(z.object({ job: JobId })),
};
