import { randomBytes } from 'node:crypto';
import { errorMessage, toApiError, WorkbenchError } from '../../../shared/api/errors';
import type { JobHandle, JobProgress, JobSummary } from '../../../shared/api/jobs';
import type { EventBus } from '../events';
import { traced } from '../system/startup-trace';

/** What a job reports while it runs; omitted fields keep their last value. */
export interface JobUpdate {
  phase?: string;
  /** 0..1, or null when unknown. */
  fraction?: number | null;
  rows?: number;
  bytes?: number;
  message?: string;
}

/** Handed to a job's function. */
export interface JobContext {
  readonly jobId: string;
  /** Aborts when the job is cancelled (jobs.cancel or shutdown); pass it on to streams and queries. */
  readonly signal: AbortSignal;
  progress(update: JobUpdate): void;
  /** Adds a note to the job (see JobProgress.notes); a note it holds already is not repeated. */
  note: (message: string) => void;
  /** Throws CANCELLED if the job was cancelled: call it between steps. */
  throwIfCancelled(): void;
}

export interface StartOptions {
  /** Refuse to start (CONFLICT) while another job of the same kind is running. */
  exclusive?: boolean;
  /** First phase name. Default 'starting'. */
  phase?: string;
}

export interface StartedJob<R> extends JobHandle<R> {
  /** Resolves when the job ends, however it ends (never rejects); the summary's `report` is the job's return value. */
  done: Promise<JobSummary<R>>;
}

interface JobRecord {
  summary: JobSummary;
  exclusive: boolean;
  controller: AbortController;
  done: Promise<JobSummary>;
  lastEmit: number;
  pendingEmit: ReturnType<typeof setTimeout> | null;
}

/**
 * Runs long work (demo, convert, sync, archive, rollups, export) in the background: each job
 * gets an id, streams 'job.progress' events (phase, fraction, rows, bytes), can be cancelled
 * through an AbortSignal, and leaves a summary with its report or error.
 */
export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>();
  private seq = 0;

  constructor(
    private readonly events: EventBus,
    private readonly options: { keepFinished?: number; minEmitIntervalMs?: number } = {},
  ) {}

  start<R>(kind: string, fn: (ctx: JobContext) => Promise<R>, options: StartOptions = {}): StartedJob<R> {
    if (options.exclusive) {
      const running = [...this.jobs.values()].find((j) => j.summary.kind === kind && j.summary.state === 'running');
      if (running) {
        throw new WorkbenchError(
          'CONFLICT',
          `A ${kind} job (${running.summary.jobId}) is already running. Wait for it to finish or cancel it.`,
        );
      }
    }
    const jobId = `${kind.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}-${++this.seq}-${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    const summary: JobSummary = {
      jobId,
      kind,
      state: 'running',
      phase: options.phase ?? 'starting',
      fraction: 0,
      rows: 0,
      bytes: 0,
      message: '',
      notes: [],
      startedAt: new Date().toISOString(),
      endedAt: null,
      report: null,
      error: null,
    };
    const record: JobRecord = {
      summary,
      exclusive: options.exclusive === true,
      done: Promise.resolve(summary),
      controller,
      lastEmit: 0,
      pendingEmit: null,
    };
    this.jobs.set(jobId, record);

    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (update) => {
        if (summary.state !== 'running') return;
        if (update.phase !== undefined) summary.phase = update.phase;
        if (update.fraction !== undefined) summary.fraction = update.fraction === null ? null : clamp01(update.fraction);
        if (update.rows !== undefined) summary.rows = update.rows;
        if (update.bytes !== undefined) summary.bytes = update.bytes;
        if (update.message !== undefined) summary.message = update.message;
        this.emitThrottled(record, update.phase !== undefined);
      },
      note: (message) => {
        if (summary.notes.includes(message)) return;
        summary.notes.push(message);
        if (summary.state === 'running') this.emitThrottled(record, true);
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new WorkbenchError('CANCELLED', `The ${kind} job was cancelled.`);
      },
    };

    this.emitNow(record);
    record.done = (async () => {
      try {
        const report = await traced(`job ${jobId}`, () => fn(ctx));
        if (controller.signal.aborted) {
          this.finish(record, 'cancelled', null, { code: 'CANCELLED', message: `The ${kind} job was cancelled.` });
        } else {
          this.finish(record, 'done', report, null);
        }
      } catch (err) {
        if (controller.signal.aborted || (err instanceof WorkbenchError && err.code === 'CANCELLED')) {
          this.finish(record, 'cancelled', null, { code: 'CANCELLED', message: `The ${kind} job was cancelled.` });
        } else if (err instanceof WorkbenchError) {
          this.finish(record, 'failed', null, toApiError(err));
        } else {
          const message = errorMessage(err);
          this.finish(record, 'failed', null, { code: 'INTERNAL', message: `The ${kind} job failed: ${message}` });
        }
      }
      return summary;
    })();
    return { jobId, done: record.done as Promise<JobSummary & { report: R | null }> };
  }

  /** Newest first. */
  list(): JobSummary[] {
    return [...this.jobs.values()].map((j) => ({ ...j.summary })).reverse();
  }

  /** Running jobs started `exclusive` (long work that holds what it works on: demo, sync, archive, compaction), newest first. */
  runningExclusive(): JobSummary[] {
    return [...this.jobs.values()]
      .filter((j) => j.exclusive && j.summary.state === 'running')
      .map((j) => ({ ...j.summary }))
      .reverse();
  }

  get(jobId: string): JobSummary | null {
    const j = this.jobs.get(jobId);
    return j ? { ...j.summary } : null;
  }

  /** Resolves with the job's summary when it ends (its report typed by the handle a service answered with). */
  wait<R = unknown>(job: string | JobHandle<R>): Promise<JobSummary<R>> {
    const jobId = typeof job === 'string' ? job : job.jobId;
    const j = this.jobs.get(jobId);
    if (!j) return Promise.reject(new WorkbenchError('NOT_FOUND', `There is no job ${jobId}.`));
    return j.done as Promise<JobSummary<R>>;
  }

  /** False when the job is unknown or already ended. */
  cancel(jobId: string): boolean {
    const j = this.jobs.get(jobId);
    if (!j || j.summary.state !== 'running') return false;
    j.summary.message = 'cancelling';
    j.controller.abort();
    this.emitNow(j);
    return true;
  }

  /** Cancels every running job and waits (up to `timeoutMs`) for them to end. */
  async cancelAll(timeoutMs = 10_000): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.summary.state === 'running');
    for (const j of running) j.controller.abort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(running.map((j) => j.done)),
      new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private finish(record: JobRecord, state: JobSummary['state'], report: unknown, error: JobSummary['error']): void {
    const s = record.summary;
    s.state = state;
    s.endedAt = new Date().toISOString();
    s.report = report;
    s.error = error;
    if (state === 'done') s.fraction = 1;
    s.message = error ? error.message : s.message;
    if (record.pendingEmit) clearTimeout(record.pendingEmit);
    record.pendingEmit = null;
    this.emitNow(record);
    this.prune();
  }

  private emitThrottled(record: JobRecord, force: boolean): void {
    const interval = this.options.minEmitIntervalMs ?? 100;
    const wait = record.lastEmit + interval - Date.now();
    if (force || wait <= 0) {
      if (record.pendingEmit) clearTimeout(record.pendingEmit);
      record.pendingEmit = null;
      this.emitNow(record);
    } else if (!record.pendingEmit) {
      record.pendingEmit = setTimeout(() => {
        record.pendingEmit = null;
        if (record.summary.state === 'running') this.emitNow(record);
      }, wait);
    }
  }

  private emitNow(record: JobRecord): void {
    record.lastEmit = Date.now();
    const s = record.summary;
    const event: JobProgress = {
      jobId: s.jobId,
      kind: s.kind,
      state: s.state,
      phase: s.phase,
      fraction: s.fraction,
      rows: s.rows,
      bytes: s.bytes,
      message: s.message,
      notes: [...s.notes],
    };
    this.events.emit('job.progress', event);
  }

  private prune(): void {
    const keep = this.options.keepFinished ?? 100;
    const finished = [...this.jobs.values()].filter((j) => j.summary.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(j.summary.jobId);
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
