import type { RollupStatus, RollupWait } from '../../../shared/api/dashboard';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import type { JobContext, JobRunner, JobUpdate } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { refreshCalc } from '../calc/calc-refresh';
import { LakeIntents } from '../lake/intents';
import type { PublishSetDeps } from '../lake/publish-set';
import { holdPoint } from '../system/hold-point';
import { FAMILIES, STATE, ensureGoldSchema, rollupTable, rollupTableName } from './gold-schema';
import { backfillFirstDays, backfillSiblings, refreshRollups, type RollupRefreshReport } from './refresh';

/** Whether a refresh wrote anything: a full rebuild, recomputed hours, or segments put in order. */
function rewroteGold(report: RollupRefreshReport): boolean {
  return report.full || report.hours.telemetry + report.hours.string_telemetry > 0 || report.clustered.segments.length > 0;
}

export interface RollupServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  /** Told when a refresh has rewritten the gold tables ('rollups.changed'; the schema browser's row counts follow). */
  events?: EventBus;
  /**
   * The views' commit (DataPlatform.commitViews): given, each refresh also brings the calculated metrics
   * (`calc_telemetry`, electron/core/calc/) up to date, after the rollups, in the same job.
   */
  commitViews?: PublishSetDeps['commitViews'];
}

/**
 * Keeps the gold rollups fresh: `schedule()` after every sync, conversion or archival (the data platform's
 * refresh) starts an incremental refresh as a `rollups` job; calls while one runs coalesce into one more run
 * after it. `refreshNow({ full })` is the explicit form (dashboard.refreshRollups, tests, the benchmark).
 */
export class RollupService {
  private running: Promise<void> | null = null;
  private again: { full: boolean } | null = null;
  private lastError: string | null = null;
  private closed = false;
  /** The running refresh's last progress; null when none runs or waits. */
  private current: { fraction: number | null; message: string } | null = null;
  private readonly progressListeners = new Set<(p: { fraction: number | null; message: string }) => void>();

  constructor(private readonly deps: RollupServiceDeps) {}

  /** Create the gold schema (so the views exist before the first refresh), and fill what a new version added. */
  async ensure(): Promise<void> {
    return this.deps.engine.withConnection(async (conn) => {
      await ensureGoldSchema(conn);
      // Without the master views yet (a workspace opened before its first data), the next refresh does it.
      await backfillSiblings(conn).catch(() => undefined);
      await backfillFirstDays(conn).catch(() => undefined);
    });
  }

  /** True when the gold rollups hold rows (the dashboards have something to draw). */
  async holdsData(): Promise<boolean> {
    return this.deps.engine.withConnection(
      async (conn) => (await queryRows(conn, `SELECT 1 AS one FROM ${rollupTable(FAMILIES.jar, 'daily')} LIMIT 1`)).length > 0,
    );
  }

  private caughtUp = false;

  /** Once per session: catch up with data that arrived while the workspace was closed (cheap when nothing changed). */
  catchUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.schedule();
  }

  /** Refresh soon, in the background. */
  schedule(full = false): void {
    if (this.closed) return;
    if (this.running) {
      this.again = { full: full || (this.again?.full ?? false) };
      return;
    }
    this.startJob(full);
  }

  /** Start a refresh job now (or queue it after the running one); resolves with the job id and its end. */
  refreshNow(full = false): { jobId: string | null; done: Promise<void> } {
    if (this.closed) throw new WorkbenchError('CANCELLED', 'The workspace is closing.');
    if (this.running) {
      this.again = { full: full || (this.again?.full ?? false) };
      return { jobId: null, done: this.whenIdle() };
    }
    const jobId = this.startJob(full);
    return { jobId, done: this.whenIdle() };
  }

  /** Resolves when no refresh runs or is queued. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** A refresh's progress while one runs or waits (for the dashboards' build state); null when the rollups are idle. */
  progress(): { fraction: number | null; message: string } | null {
    return this.running ? (this.current ?? { fraction: 0, message: 'Rollup refresh queued' }) : null;
  }

  /** The last refresh's error, if it failed (null after a good one). */
  get error(): string | null {
    return this.lastError;
  }

  /**
   * A job's last phase (demo, archive, convert): waits until the rollups include every change announced so far
   * (each data refresh schedules one), its progress following the refresh's within `span` of the job's fraction.
   * Cancelling the job ends the wait; the refresh goes on in the background. Resolves with how long it waited
   * and the refresh's error when it failed (the job's own work stands: its report says so).
   */
  async settle(ctx: Pick<JobContext, 'signal' | 'progress'>, span: readonly [number, number] = [0, 1]): Promise<RollupWait> {
    const started = Date.now();
    const [lo, hi] = span;
    const report = (p: { fraction: number | null; message: string }): void => {
      const update: JobUpdate = {
        phase: 'rollups',
        fraction: lo + (hi - lo) * (p.fraction ?? 0),
        message: `Building rollups: ${p.message}`,
      };
      ctx.progress(update);
    };
    report(this.progress() ?? { fraction: 0, message: 'checking' });
    this.progressListeners.add(report);
    let onAbort: (() => void) | null = null;
    try {
      const cancelled = new Promise<never>((_, reject) => {
        onAbort = () => reject(new WorkbenchError('CANCELLED', 'Cancelled while the rollups were building; they go on in the background.'));
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      await Promise.race([this.whenIdle(), cancelled]);
    } finally {
      this.progressListeners.delete(report);
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    }
    const rollupMs = Date.now() - started;
    return this.lastError === null ? { rollupMs } : { rollupMs, rollupError: this.lastError };
  }

  /**
   * Runs `fn` as the rollups' build while a writer lands whole days and aggregates them itself (rollups/feed.ts,
   * the demo): it waits for a running refresh first, no refresh runs meanwhile (schedules coalesce into one after
   * it), and panels read "building" with the progress `fn` reports.
   */
  async feeding<T>(fn: (progress: (p: { fraction: number; message: string }) => void) => Promise<T>): Promise<T> {
    if (this.closed) throw new WorkbenchError('CANCELLED', 'The workspace is closing.');
    while (this.running) await this.running;
    let release = (): void => undefined;
    this.running = new Promise<void>((resolve) => {
      release = resolve;
    });
    const progress = (p: { fraction: number; message: string }): void => {
      this.current = p;
      for (const l of this.progressListeners) l(p);
    };
    progress({ fraction: 0, message: 'built as the days land' });
    try {
      return await fn(progress);
    } finally {
      this.announceChange('feed');
      this.ended();
      release();
    }
  }

  private startJob(full: boolean): string {
    this.caughtUp = true;
    const started = this.deps.jobs.start<RollupRefreshReport>('rollups', (ctx) => this.run(full, ctx), { phase: 'rollups' });
    this.running = started.done.then(() => this.ended());
    return started.jobId;
  }

  /** A refresh (or a feed) ended: the one queued meanwhile starts. */
  private ended(): void {
    this.running = null;
    this.current = null;
    const next = this.again;
    this.again = null;
    if (next && !this.closed) this.startJob(next.full);
  }

  /** The gold tables changed: panels re-read at the refresh's end, the schema browser's row counts follow. */
  private announceChange(reason: string): void {
    this.deps.events?.emit('rollups.changed', { reason });
    this.deps.events?.emit('catalog.changed', { reason: 'rollups' });
  }

  private async run(full: boolean, ctx: JobContext): Promise<RollupRefreshReport> {
    const onProgress = (p: { fraction: number; message: string }): void => {
      this.current = p;
      ctx.progress({ fraction: p.fraction, message: p.message });
      for (const l of this.progressListeners) l(p);
    };
    onProgress({ fraction: 0, message: 'starting' });
    return this.deps.engine.withConnection(async (conn) => {
      try {
        await holdPoint('rollups', 'refresh', ctx.signal);
        const report = await refreshRollups(conn, this.deps.lake, { full, signal: ctx.signal, onProgress });
        if (this.deps.commitViews) {
          const intents = new LakeIntents(conn);
          await intents.ensure();
          report.calc = await refreshCalc(
            conn,
            this.deps.lake,
            { lake: this.deps.lake, intents, commitViews: this.deps.commitViews },
            { full, signal: ctx.signal, onProgress },
          );
        }
        this.lastError = null;
        if (rewroteGold(report)) this.announceChange('refresh');
        return report;
      } catch (err) {
        this.lastError = errorMessage(err);
        await conn
          .run(`INSERT INTO ${STATE.runs} VALUES (now(), $1, 0, 0, $2)`, [full, this.lastError.slice(0, 2000)])
          .catch(() => undefined);
        throw err;
      }
    });
  }

  async status(): Promise<RollupStatus> {
    return this.deps.engine.withConnection(async (conn) => {
      await ensureGoldSchema(conn);
      const tables: RollupStatus['tables'] = [];
      for (const family of Object.values(FAMILIES)) {
        for (const grain of ['hourly', 'daily'] as const) {
          const rows = await queryRows(conn, `SELECT count(*) AS n FROM ${rollupTable(family, grain)}`);
          tables.push({ name: rollupTableName(family, grain), rows: Number(rows[0]?.n ?? 0) });
        }
      }
      const last = await queryRows(
        conn,
        `SELECT strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS at, hours, elapsed_ms, error FROM ${STATE.runs} ORDER BY finished_at DESC LIMIT 1`,
      );
      const ok = await queryRows(
        conn,
        `SELECT strftime(max(finished_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS at FROM ${STATE.runs} WHERE error IS NULL`,
      );
      const r = last[0];
      return {
        refreshedAt: ok[0]?.at === null || ok[0]?.at === undefined ? null : String(ok[0].at),
        running: this.running !== null,
        lastError: r && r.error !== null ? String(r.error) : this.lastError,
        tables,
        lastHours: r ? Number(r.hours) : 0,
        lastElapsedMs: r ? Number(r.elapsed_ms) : 0,
      };
    });
  }

  close(): void {
    this.closed = true;
    this.again = null;
  }
}
