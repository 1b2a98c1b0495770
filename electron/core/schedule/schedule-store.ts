import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScheduleInfo, ScheduleOutcome, ScheduleRun } from '../../../shared/api/schedule';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import { INTERNAL_SCHEMA } from '../engine/history';

const SCHEDULE = qualifiedName(INTERNAL_SCHEMA, 'schedule');
const RUNS = qualifiedName(INTERNAL_SCHEMA, 'schedule_run');
/** The history keeps this many newest runs. */
const KEEP = 5000;

/** A job's schedule as stored (options as the job's own options object): ScheduleInfo without what is derived from it. */
export type StoredSchedule = Pick<ScheduleInfo, 'job' | 'cron' | 'timeZone' | 'enabled' | 'options' | 'since' | 'updatedAt'>;

function objectOf(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function scheduleOf(r: Record<string, unknown>): StoredSchedule {
  return {
    job: String(r.job),
    cron: String(r.cron),
    timeZone: String(r.time_zone),
    enabled: r.enabled === true,
    options: objectOf(r.options),
    since: String(r.since),
    updatedAt: String(r.updated_at),
  };
}

function runOf(r: Record<string, unknown>): ScheduleRun {
  return {
    runId: String(r.run_id),
    job: String(r.job),
    slot: String(r.slot),
    trigger: r.trigger === 'manual' ? 'manual' : 'schedule',
    startedAt: String(r.started_at),
    endedAt: r.ended_at === null || r.ended_at === undefined ? null : String(r.ended_at),
    outcome: String(r.outcome) as ScheduleOutcome,
    message: String(r.message ?? ''),
    jobId: r.job_id === null || r.job_id === undefined ? null : String(r.job_id),
    pid: Number(r.pid),
    host: String(r.host),
  };
}

/**
 * Schedules and their history, in the workspace database (`_workbench.schedule`, `_workbench.schedule_run`). The
 * workspace database has one writer process at a time (DuckDB's file lock), so a run's row is its claim: a slot
 * that has a row is taken, and a `running` row left by a process that died is found and closed by the next one.
 */
export class ScheduleStore {
  constructor(private readonly engine: Engine) {}

  private with<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.engine.withConnection(fn);
  }

  async ensure(): Promise<void> {
    await this.with(async (conn) => {
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(INTERNAL_SCHEMA)}`);
      await conn.run(
        `CREATE TABLE IF NOT EXISTS ${SCHEDULE} (job VARCHAR PRIMARY KEY, cron VARCHAR NOT NULL, time_zone VARCHAR NOT NULL,
           enabled BOOLEAN NOT NULL, options VARCHAR NOT NULL, since VARCHAR NOT NULL, updated_at VARCHAR NOT NULL)`,
      );
      // UNIQUE (job, slot, trigger): a scheduled slot runs at most once, whatever calls the scheduler.
      await conn.run(
        `CREATE TABLE IF NOT EXISTS ${RUNS} (run_id VARCHAR PRIMARY KEY, job VARCHAR NOT NULL, slot VARCHAR NOT NULL,
           trigger VARCHAR NOT NULL, started_at VARCHAR NOT NULL, ended_at VARCHAR, outcome VARCHAR NOT NULL,
           message VARCHAR NOT NULL, job_id VARCHAR, pid INTEGER NOT NULL, host VARCHAR NOT NULL, owner VARCHAR NOT NULL,
           UNIQUE (job, slot, trigger))`,
      );
    });
  }

  async schedules(): Promise<Map<string, StoredSchedule>> {
    const rows = await this.with((conn) => queryRows(conn, `SELECT * FROM ${SCHEDULE}`));
    return new Map(rows.map((r) => [String(r.job), scheduleOf(r)]));
  }

  /** Stores a job's schedule unless it has one (a new job's defaults). */
  async insertDefault(s: StoredSchedule): Promise<void> {
    await this.write(s, `INSERT INTO ${SCHEDULE} VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`);
  }

  async put(s: StoredSchedule): Promise<void> {
    await this.write(s, `INSERT OR REPLACE INTO ${SCHEDULE} VALUES ($1, $2, $3, $4, $5, $6, $7)`);
  }

  private async write(s: StoredSchedule, insert: string): Promise<void> {
    await this.with((conn) => conn.run(insert, [s.job, s.cron, s.timeZone, s.enabled, JSON.stringify(s.options), s.since, s.updatedAt]));
  }

  /** The latest slot a scheduled run of `job` has claimed (whatever its outcome), or null. */
  async lastSlot(job: string): Promise<string | null> {
    const rows = await this.with((conn) =>
      queryRows(conn, `SELECT max(slot) AS slot FROM ${RUNS} WHERE job = $1 AND trigger = 'schedule'`, [job]),
    );
    const slot = rows[0]?.slot;
    return typeof slot === 'string' ? slot : null;
  }

  /**
   * Claims `slot` of `job` for this process: true when the row went in, false when the slot already has a run.
   * The row is written before the job starts, so a crash cannot make the slot run twice.
   */
  async claim(run: ScheduleRun, owner: string): Promise<boolean> {
    try {
      await this.with((conn) =>
        conn.run(
          `INSERT INTO ${RUNS} (run_id, job, slot, trigger, started_at, ended_at, outcome, message, job_id, pid, host, owner)
           VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, NULL, $8, $9, $10)`,
          [run.runId, run.job, run.slot, run.trigger, run.startedAt, run.outcome, run.message, run.pid, run.host, owner],
        ),
      );
      return true;
    } catch (err) {
      if (/constraint/i.test(String(err))) return false;
      throw err;
    }
  }

  async setJobId(runId: string, jobId: string): Promise<void> {
    await this.with((conn) => conn.run(`UPDATE ${RUNS} SET job_id = $2 WHERE run_id = $1`, [runId, jobId]));
  }

  async finish(runId: string, outcome: Exclude<ScheduleOutcome, 'running'>, message: string, endedAt: string): Promise<ScheduleRun | null> {
    return this.with(async (conn) => {
      await conn.run(`UPDATE ${RUNS} SET outcome = $2, message = $3, ended_at = $4 WHERE run_id = $1`, [runId, outcome, message, endedAt]);
      const rows = await queryRows(conn, `SELECT * FROM ${RUNS} WHERE run_id = $1`, [runId]);
      return rows[0] ? runOf(rows[0]) : null;
    });
  }

  /** Runs still marked running that another (now gone) process started: it was killed or lost power mid-job. */
  async orphans(owner: string): Promise<ScheduleRun[]> {
    const rows = await this.with((conn) =>
      queryRows(conn, `SELECT * FROM ${RUNS} WHERE outcome = 'running' AND owner <> $1 ORDER BY started_at`, [owner]),
    );
    return rows.map(runOf);
  }

  async runs(limit: number, job?: string): Promise<ScheduleRun[]> {
    const rows = await this.with((conn) =>
      job === undefined
        ? queryRows(conn, `SELECT * FROM ${RUNS} ORDER BY started_at DESC, run_id DESC LIMIT $1`, [limit])
        : queryRows(conn, `SELECT * FROM ${RUNS} WHERE job = $2 ORDER BY started_at DESC, run_id DESC LIMIT $1`, [limit, job]),
    );
    return rows.map(runOf);
  }

  async lastRun(job: string): Promise<ScheduleRun | null> {
    return (await this.runs(1, job))[0] ?? null;
  }

  /** Drops the oldest history past KEEP runs (never a running one). */
  async prune(): Promise<void> {
    await this.with((conn) =>
      conn.run(
        `DELETE FROM ${RUNS} WHERE outcome <> 'running' AND run_id IN (
           SELECT run_id FROM ${RUNS} ORDER BY started_at DESC OFFSET ${KEEP})`,
      ),
    );
  }
}
