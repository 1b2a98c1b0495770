import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { ScheduleInfo, ScheduleRun, ScheduleSetRequest } from '../../../shared/api/schedule';
import type { EventBus } from '../events';
import { dueSlot, parseCron } from './cron-slot';
import type { JobOutcome, ScheduledJob, ScheduledJobRegistry } from './job-registry';
import type { ScheduleStore, StoredSchedule } from './schedule-store';

/** How often the runner looks for due jobs while the workbench is open. */
export const TICK_INTERVAL_MS = 30_000;

export interface SchedulerDeps {
  store: ScheduleStore;
  registry: ScheduledJobRegistry;
  events: EventBus;
  /** The clock (tests fix it). */
  now?: () => Date;
}

/**
 * The one scheduler of a workspace: every registered periodic job on its cron, in its time zone. A tick runs each due
 * job once for its latest passed slot (catch-up after sleep or downtime runs once, not once per missed slot), one job
 * after another, each claimed in the history before it starts so no slot runs twice. Only the process that holds the
 * workspace database runs it (DuckDB's file lock), and within it one run per job at a time.
 */
export class Scheduler {
  /** This scheduler's runs, told apart from a dead process's `running` rows. */
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly now: () => Date;
  private readonly inFlight = new Map<string, Promise<ScheduleRun | null>>();
  /** Jobs being checked, claimed or run: taken synchronously, so two callers never both start one. */
  private readonly busy = new Set<string>();
  private ticking: Promise<ScheduleRun[]> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Creates the tables, stores new jobs' defaults, and closes the runs a killed process left `running`. */
  async ensure(): Promise<void> {
    const { store, events } = this.deps;
    await store.ensure();
    await this.schedules();
    const at = this.now().toISOString();
    for (const orphan of await store.orphans(this.owner)) {
      const message = `Interrupted: process ${orphan.pid} on ${orphan.host} ended while it ran (killed, crashed or the machine lost power). The next slot runs it again.`;
      const run = await store.finish(orphan.runId, 'failed', message, at);
      if (run) events.emit('schedule.failed', { run });
    }
  }

  /** The stored schedules; a job registered since (no row yet) gets its defaults stored, counting from now. */
  private async schedules(): Promise<Map<string, StoredSchedule>> {
    const { store, registry } = this.deps;
    const stored = await store.schedules();
    for (const job of registry.list()) {
      if (stored.has(job.id)) continue;
      const at = this.now().toISOString();
      const s: StoredSchedule = { job: job.id, ...job.defaults, options: registry.parseOptions(job, {}), since: at, updatedAt: at };
      await store.insertDefault(s);
      stored.set(job.id, s);
    }
    return stored;
  }

  async list(): Promise<ScheduleInfo[]> {
    const stored = await this.schedules();
    const out: ScheduleInfo[] = [];
    for (const job of this.deps.registry.list()) {
      const s = stored.get(job.id);
      if (s) out.push(await this.info(job, s));
    }
    return out;
  }

  private async info(job: ScheduledJob, s: StoredSchedule): Promise<ScheduleInfo> {
    const { store } = this.deps;
    let nextSlot: string | null = null;
    let due: string | null = null;
    try {
      const check = dueSlot(s, await store.lastSlot(job.id), this.now());
      nextSlot = check.next;
      due = check.slot;
    } catch {
      // A schedule stored by hand with a bad cron: listed, never due.
    }
    return {
      job: job.id,
      title: job.title,
      cron: s.cron,
      timeZone: s.timeZone,
      enabled: s.enabled,
      options: s.options,
      since: s.since,
      updatedAt: s.updatedAt,
      nextSlot,
      dueSlot: due,
      lastRun: await store.lastRun(job.id),
    };
  }

  /**
   * Changes a job's schedule. The cron, zone and options are checked first (BAD_INPUT, nothing stored). A new cron or
   * zone, or enabling it, counts from now: slots before the change never run.
   */
  async set(req: ScheduleSetRequest): Promise<ScheduleInfo> {
    const { store, registry } = this.deps;
    const job = registry.get(req.job);
    const current = (await this.schedules()).get(job.id);
    const at = this.now().toISOString();
    const cron = req.cron?.trim().replace(/\s+/g, ' ') ?? current?.cron ?? job.defaults.cron;
    const timeZone = req.timeZone?.trim() ?? current?.timeZone ?? job.defaults.timeZone;
    parseCron(cron, timeZone);
    const options = registry.parseOptions(job, req.options ?? current?.options ?? {});
    const enabled = req.enabled ?? current?.enabled ?? job.defaults.enabled;
    const restart = !current || current.cron !== cron || current.timeZone !== timeZone || (enabled && !current.enabled);
    const next: StoredSchedule = { job: job.id, cron, timeZone, enabled, options, since: restart ? at : current.since, updatedAt: at };
    await store.put(next);
    return this.info(job, next);
  }

  history(limit: number, job?: string): Promise<ScheduleRun[]> {
    if (job !== undefined) this.deps.registry.get(job);
    return this.deps.store.runs(limit, job);
  }

  /** Starts `job` now, outside its schedule; resolves with its history line once claimed (the job runs on). */
  async runNow(jobId: string): Promise<ScheduleRun> {
    const { store, registry } = this.deps;
    const job = registry.get(jobId);
    if (this.stopped) throw new WorkbenchError('CANCELLED', 'The workspace is closing.');
    if (this.busy.has(job.id)) {
      throw new WorkbenchError('CONFLICT', `The ${job.id} job is already running. Wait for it to finish (schedule history shows it).`);
    }
    this.busy.add(job.id);
    try {
      const s = (await store.schedules()).get(job.id);
      const options = registry.parseOptions(job, s?.options ?? {});
      const run = this.newRun(job.id, this.now().toISOString(), 'manual');
      if (!(await store.claim(run, this.owner))) throw new WorkbenchError('CONFLICT', `The ${job.id} job was just started.`);
      void this.execute(job, options, run, 1);
      return run;
    } catch (err) {
      this.busy.delete(job.id);
      throw err;
    }
  }

  /**
   * Runs every job due at `now` (default: the clock), one after another, and resolves with their history lines. A
   * tick while another runs waits for that one instead (its runs are the answer).
   */
  tick(now?: Date): Promise<ScheduleRun[]> {
    if (this.ticking) return this.ticking;
    const t = this.runDue(now ?? this.now()).finally(() => {
      this.ticking = null;
    });
    this.ticking = t;
    return t;
  }

  private async runDue(now: Date): Promise<ScheduleRun[]> {
    const { store, registry } = this.deps;
    const done: ScheduleRun[] = [];
    const schedules = await this.schedules();
    for (const job of registry.list()) {
      if (this.stopped) break;
      const s = schedules.get(job.id);
      if (!s?.enabled || this.busy.has(job.id)) continue;
      this.busy.add(job.id);
      let claimed: { run: ScheduleRun; options: Record<string, unknown>; missed: number } | null = null;
      try {
        const check = dueSlot(s, await store.lastSlot(job.id), now);
        const options = registry.parseOptions(job, s.options);
        if (check.due && check.slot !== null) {
          const run = this.newRun(job.id, check.slot, 'schedule');
          if (await store.claim(run, this.owner)) claimed = { run, options, missed: check.missed };
        }
      } catch {
        // A schedule stored by hand with a bad cron or options: never due.
      } finally {
        if (!claimed) this.busy.delete(job.id);
      }
      if (!claimed) continue;
      const ended = await this.execute(job, claimed.options, claimed.run, claimed.missed);
      if (ended) done.push(ended);
    }
    if (done.length > 0) await store.prune().catch(() => undefined);
    return done;
  }

  private newRun(job: string, slot: string, trigger: ScheduleRun['trigger']): ScheduleRun {
    return {
      runId: `${job}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      job,
      slot,
      trigger,
      startedAt: this.now().toISOString(),
      endedAt: null,
      outcome: 'running',
      message: '',
      jobId: null,
      pid: process.pid,
      host: hostname(),
    };
  }

  private execute(job: ScheduledJob, options: Record<string, unknown>, run: ScheduleRun, missed: number): Promise<ScheduleRun | null> {
    const { store, events } = this.deps;
    events.emit('schedule.started', { run });
    const p = (async () => {
      let result: JobOutcome;
      try {
        result = await job.run(options, {
          started: (jobId) => void store.setJobId(run.runId, jobId).catch(() => undefined),
        });
      } catch (err) {
        result = { outcome: 'failed', message: errorMessage(err) };
      }
      // The job is free again before its history line says it ended: whoever reads that line may run it at once.
      this.busy.delete(job.id);
      const caughtUp =
        missed > 1 ? ` (caught up: ${missed >= 1000 ? '1000 or more' : missed} slots passed while nothing ran; ran once)` : '';
      const ended = await store.finish(run.runId, result.outcome, `${result.message}${caughtUp}`, this.now().toISOString());
      if (ended) {
        events.emit('schedule.ran', { run: ended });
        if (ended.outcome === 'failed' && !this.stopped) events.emit('schedule.failed', { run: ended });
      }
      return ended;
    })().finally(() => {
      this.inFlight.delete(job.id);
      this.busy.delete(job.id);
    });
    this.inFlight.set(job.id, p);
    return p;
  }

  /** Ticks now and every `intervalMs` until stop(). */
  start(intervalMs = TICK_INTERVAL_MS): void {
    if (this.stopped || this.timer) return;
    const loop = (): void => {
      this.timer = null;
      if (this.stopped) return;
      void this.tick()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
        });
    };
    loop();
  }

  /** No new tick or run starts (synchronous: call it before the jobs are cancelled). */
  halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Halts, and waits until the runs under way are recorded. */
  async stop(): Promise<void> {
    this.halt();
    await Promise.allSettled([this.ticking, ...this.inFlight.values()]);
  }
}
