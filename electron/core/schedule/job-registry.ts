import { z } from 'zod';
import { ARCHIVABLE_DATASETS, ArchiveRequest, type ArchiveReport } from '../../../shared/api/archive';
import type { TierMoveReport } from '../../../shared/api/lifecycle';
import { formatBytes } from '../../../shared/format';
import type { WorkbenchCore } from '../../../shared/api/contract';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { FeatureMaterializeReport } from '../../../shared/api/features';
import type { JobSummary } from '../../../shared/api/jobs';
import type { CallContext } from '../../../shared/api/define';
import type { JobRunner } from '../jobs/runner';
import type { RollupService } from '../rollups/rollup-service';

/** How a scheduled job ended, with a line for the history. */
export interface JobOutcome {
  outcome: 'done' | 'failed' | 'skipped';
  message: string;
}

/** What a scheduled job's run is handed. */
export interface ScheduledJobContext {
  /** Call with the id of the job (jobs.list) doing the work, once it started. */
  started(jobId: string): void;
}

/** A periodic job the scheduler can run: its defaults, its options (zod, defaults filled in) and how to run it. */
export interface ScheduledJob<O = Record<string, unknown>> {
  id: string;
  title: string;
  defaults: { cron: string; timeZone: string; enabled: boolean };
  /** Parses the stored options; `parse({})` gives the defaults. Unknown keys should be refused (strict object). */
  options: z.ZodType<O>;
  /** Runs the job and waits for its end (never throws: a failure is an outcome). */
  run(options: O, ctx: ScheduledJobContext): Promise<JobOutcome>;
}

/** The periodic jobs of a workbench, in the order a tick runs them. Other modules register theirs (lifecycle, alerts). */
export class ScheduledJobRegistry {
  private readonly jobs = new Map<string, ScheduledJob>();

  register<O>(job: ScheduledJob<O>): void {
    if (this.jobs.has(job.id)) throw new Error(`A scheduled job ${job.id} is registered already.`);
    const erased: ScheduledJob = {
      id: job.id,
      title: job.title,
      defaults: job.defaults,
      options: job.options as z.ZodType<Record<string, unknown>>,
      run: (options, ctx) => job.run(options as O, ctx),
    };
    this.jobs.set(job.id, erased);
  }

  list(): ScheduledJob[] {
    return [...this.jobs.values()];
  }

  /** The job, or NOT_FOUND naming those there are. */
  get(id: string): ScheduledJob {
    const job = this.jobs.get(id);
    if (!job) {
      throw new WorkbenchError('NOT_FOUND', `There is no scheduled job "${id}"; the jobs are: ${[...this.jobs.keys()].join(', ')}.`);
    }
    return job;
  }

  /** The job's options from `value`, checked (BAD_INPUT with the field and reason). */
  parseOptions(job: ScheduledJob, value: unknown): Record<string, unknown> {
    const parsed = job.options.safeParse(value ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'options'}: ${i.message}`);
      throw new WorkbenchError('BAD_INPUT', `The options of the ${job.id} job are not valid: ${issues.join('; ')}.`);
    }
    return parsed.data;
  }
}

/** A job's summary as an outcome: a CONFLICT (another run of it under way, here or on the same hot store) is a skip. */
export function outcomeOf(summary: JobSummary, describe: (report: unknown) => string): JobOutcome {
  if (summary.state === 'done') return { outcome: 'done', message: describe(summary.report) };
  if (summary.state === 'cancelled') return { outcome: 'failed', message: 'Cancelled before it finished.' };
  const error = summary.error;
  if (error?.code === 'CONFLICT') return { outcome: 'skipped', message: error.message };
  return { outcome: 'failed', message: error ? error.message : `The ${summary.kind} job failed.` };
}

/** A start that threw: CONFLICT is a skip, anything else a failure. */
export function outcomeOfError(err: unknown): JobOutcome {
  if (err instanceof WorkbenchError && err.code === 'CONFLICT') return { outcome: 'skipped', message: err.message };
  return { outcome: 'failed', message: errorMessage(err) };
}

const SCHEDULER_CALL: CallContext = { transport: 'schedule' };

export interface BuiltInJobDeps {
  core: Pick<WorkbenchCore, 'archive' | 'features' | 'lifecycle'>;
  jobs: JobRunner;
  rollups: RollupService;
}

async function startAndWait(
  ctx: ScheduledJobContext,
  jobs: JobRunner,
  start: () => Promise<{ jobId: string }>,
  describe: (report: unknown) => string,
): Promise<JobOutcome> {
  let jobId: string;
  try {
    ({ jobId } = await start());
  } catch (err) {
    return outcomeOfError(err);
  }
  ctx.started(jobId);
  return outcomeOf(await jobs.wait(jobId), describe);
}

/**
 * The archive runs of one scheduled archival: datasets whose lifecycle policy sets a hot window are archived past it,
 * grouped by window; the others past the job's `olderThanDays`. `datasets` unset: the archive's own default set.
 */
export function archiveRuns(
  olderThanDays: number,
  datasets: readonly string[] | undefined,
  policies: readonly { dataset: string; hotDays: number | null }[],
): { olderThanDays: number; datasets?: string[] }[] {
  const windows = new Map(policies.filter((p) => p.hotDays !== null).map((p) => [p.dataset, p.hotDays as number]));
  if (windows.size === 0) return [{ olderThanDays, ...(datasets ? { datasets: [...datasets] } : {}) }];
  const all = datasets ?? ARCHIVABLE_DATASETS;
  const groups = new Map<number, string[]>();
  for (const d of all) groups.set(windows.get(d) ?? olderThanDays, [...(groups.get(windows.get(d) ?? olderThanDays) ?? []), d]);
  return [...groups].sort((a, b) => a[0] - b[0]).map(([days, ds]) => ({ olderThanDays: days, datasets: ds }));
}

/** Archival, lifecycle moves, feature materialization and the rollup refresh, through the services every entry point uses. */
export function registerBuiltInJobs(registry: ScheduledJobRegistry, deps: BuiltInJobDeps): void {
  registry.register({
    id: 'archive',
    title: 'Archive hot rows past their hot window (the lifecycle policy, else N days) from PostgreSQL into the lake',
    defaults: { cron: '0 2 * * *', timeZone: 'UTC', enabled: false },
    options: z
      .object({
        olderThanDays: ArchiveRequest.shape.olderThanDays.default(7),
        datasets: ArchiveRequest.shape.datasets,
      })
      .strict(),
    run: async (options, ctx) => {
      let runs;
      try {
        runs = archiveRuns(options.olderThanDays, options.datasets, (await deps.core.lifecycle.policies({}, SCHEDULER_CALL)).policies);
      } catch (err) {
        return outcomeOfError(err);
      }
      const lines: string[] = [];
      for (const run of runs) {
        const out = await startAndWait(
          ctx,
          deps.jobs,
          () => deps.core.archive.start(ArchiveRequest.parse({ ...run, dryRun: false }), SCHEDULER_CALL),
          (report) => {
            const r = report as ArchiveReport;
            return `Archived ${r.rowsArchived} rows in ${r.batches.length} batch(es), before ${r.cutoff}${runs.length > 1 ? ` (${(run.datasets ?? []).join(', ')})` : ''}.`;
          },
        );
        if (out.outcome !== 'done') return out;
        lines.push(out.message);
      }
      return { outcome: 'done', message: lines.join(' ') };
    },
  });
  registry.register({
    id: 'lifecycle',
    title: 'Move lake files to colder tiers by the lifecycle policies',
    defaults: { cron: '0 4 * * *', timeZone: 'UTC', enabled: false },
    options: z.object({}).strict(),
    run: (_options, ctx) =>
      startAndWait(
        ctx,
        deps.jobs,
        () => deps.core.lifecycle.applyTiers({}, SCHEDULER_CALL),
        (report) => {
          const r = report as TierMoveReport;
          return r.files === 0
            ? 'Every file is in the tier its policy says.'
            : `Moved ${r.files} file(s) (${formatBytes(r.bytes)}) to colder tiers: ${r.datasets
                .filter((d) => d.moves.length > 0)
                .map((d) => `${d.dataset} ${d.moves.map((m) => `${m.files} → ${m.tier}`).join(', ')}`)
                .join('; ')}.`;
        },
      ),
  });
  registry.register({
    id: 'features',
    title: 'Materialize every feature set (the days whose inputs changed)',
    defaults: { cron: '30 3 * * *', timeZone: 'UTC', enabled: false },
    options: z.object({ full: z.boolean().default(false) }).strict(),
    run: (options, ctx) =>
      startAndWait(
        ctx,
        deps.jobs,
        () => deps.core.features.materialize({ full: options.full }, SCHEDULER_CALL),
        (report) => {
          const r = report as FeatureMaterializeReport;
          const days = r.sets.reduce((n, s) => n + s.recomputed, 0);
          return `Materialized ${r.sets.length} feature set(s): ${days} day(s) recomputed.`;
        },
      ),
  });
  registry.register({
    id: 'rollups',
    title: 'Refresh the gold rollups',
    defaults: { cron: '15 * * * *', timeZone: 'UTC', enabled: false },
    options: z.object({ full: z.boolean().default(false) }).strict(),
    run: async (options, ctx) => {
      let started: { jobId: string | null; done: Promise<void> };
      try {
        started = deps.rollups.refreshNow(options.full);
      } catch (err) {
        return outcomeOfError(err);
      }
      if (started.jobId === null) {
        // A refresh was under way: this one runs after it (queued), and the wait covers both.
        await started.done;
        const error = deps.rollups.error;
        return error === null
          ? { outcome: 'done', message: 'Refreshed after the refresh under way.' }
          : { outcome: 'failed', message: error };
      }
      ctx.started(started.jobId);
      return outcomeOf(await deps.jobs.wait(started.jobId), () => 'Rollups refreshed.');
    },
  });
}
