import type { RollupStatus } from '../../../shared/api/dashboard';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import type { JobContext, JobRunner } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { FAMILIES, STATE, ensureGoldSchema, rollupTable, rollupTableName } from './gold-schema';
import { refreshRollups, type RollupRefreshReport } from './refresh';

export interface RollupServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  /** Told when a refresh has rewritten the gold tables (the schema browser's row counts follow). */
  events?: EventBus;
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

  constructor(private readonly deps: RollupServiceDeps) {}

  /** Create the gold schema (so the views exist before the first refresh). */
  async ensure(): Promise<void> {
    return this.deps.engine.withConnection(async (conn) => {
      await ensureGoldSchema(conn);
    });
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

  private startJob(full: boolean): string {
    this.caughtUp = true;
    const started = this.deps.jobs.start<RollupRefreshReport>('rollups', (ctx) => this.run(full, ctx), { phase: 'rollups' });
    this.running = started.done.then(() => {
      this.running = null;
      const next = this.again;
      this.again = null;
      if (next && !this.closed) this.startJob(next.full);
    });
    return started.jobId;
  }

  private async run(full: boolean, ctx: JobContext): Promise<RollupRefreshReport> {
    return this.deps.engine.withConnection(async (conn) => {
      try {
        const report = await refreshRollups(conn, this.deps.lake, {
          full,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress({ fraction: p.fraction, message: p.message }),
        });
        this.lastError = null;
        this.deps.events?.emit('catalog.changed', { reason: 'rollups' });
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
