import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { CatalogTree } from '../../../shared/api/catalog';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { quoteLiteral } from '../../../shared/sql';
import type { HistoryEntry, QueryRunResult, QueryTarget, QueryWindowResult, SortKey } from '../../../shared/api/query';
import type { EventBus } from '../events';
import type { WorkspacePaths } from '../workspace/paths';
import { coldDaysOf, hotWatermarks, type RunProvenance } from '../mirror/run-provenance';
import { readCatalogTree } from './catalog-tree';
import { isOutOfMemory, makeRoomForRollbacks } from './duck-query';
import { queryShape, resultFingerprint } from './fingerprint';
import { QueryHistory } from './history';
import { assertParamsGiven, bindParams, checkParams, type CheckedParams } from './query-params';
import { SavedQueries } from './saved-queries';
import type { ParamDecl, ParamValues } from '../../../shared/api/params';
import type { HotRunner } from './hot-runner';
import { isDuckDBLockError, readLockInfo, removeOwnLockInfo, workspaceLockedError, writeLockInfo, type EntryPoint } from './lock-info';
import { MAX_PIVOT_COLUMNS, type PivotSpec } from '../../../shared/api/pivot';
import type { PlanNode } from '../../../shared/api/explain';
import { explainPlan, type RawScan } from './explain';
import { pivotSql, pivotWidthSql } from './pivot-sql';
import { keptResultSelect, ResultStore, sqlError, type StoredResult } from './result-store';
import { SerialQueue } from './serial-queue';

export interface EngineOptions {
  paths: WorkspacePaths;
  events: EventBus;
  entry: EntryPoint;
  appVersion: string;
  /** DuckDB memory_limit, e.g. '4GB'. Default: half of this machine's RAM. */
  memoryLimit?: string;
  /** Kept results before the least recently used are dropped. Default 20. */
  maxResults?: number;
  hotRunner?: HotRunner | null;
  /** How often a running query reports progress. Default 250 ms. */
  progressIntervalMs?: number;
}

/** Statements after which the catalog panel should refresh (objects or their row counts may have changed). */
const CATALOG_CHANGING = new Set<StatementType>([
  StatementType.CREATE,
  StatementType.DROP,
  StatementType.ALTER,
  StatementType.ATTACH,
  StatementType.DETACH,
  StatementType.CREATE_FUNC,
  StatementType.COPY_DATABASE,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
  StatementType.COPY,
  StatementType.LOAD,
]);

/** Editor sessions kept open at once (SQL tabs); the least recently used idle one closes past this. */
const MAX_SESSIONS = 32;

interface ActiveRun {
  runId: string;
  cancelled: boolean;
  cancel: () => void;
  done: Promise<unknown>;
}

function noStatementError(): WorkbenchError {
  return new WorkbenchError('SQL_ERROR', 'There is no SQL statement to run: the text holds only comments or blanks. Type a query first.');
}

/** Workspaces this process has open: a second open here would bypass DuckDB's file lock. */
const openInThisProcess = new Set<string>();

/**
 * DuckDB's memory_limit while a long data job runs (a large mirror sync, an archive, an export, a conversion): what
 * such a job holds in DuckDB then stays the same whatever the size of its input, as its sorts and temporary tables
 * spill to the workspace's temp folder and clean cached blocks are dropped. The limit is the instance's: queries run
 * meanwhile share it (see Engine.withMemoryBudget).
 */
export const JOB_MEMORY_BUDGET = '128MB';

/**
 * The block size of a new workspace database (DuckDB's default is 256 KiB). A block is what DuckDB reads, checksums
 * and caches at a time, so it is what one key's read of a (key, bucket)-ordered table costs per column: a jar's year
 * curve keeps 8,760 hourly rows of `gold.jar_hourly` but loaded 10.7-11.5 MB of 256 KiB blocks on a first visit.
 * With 64 KiB blocks it loads 2.9-3.3 MB: the first read of a jar's year took 21 ms instead of 36-47 ms (median
 * of 40 jars, each read once), while 30-day and whole-table fleet scans took the same time and the table
 * the same space (16 and 32 KiB blocks grew it by 50 and 28 %). The size is fixed when the file is created: a
 * workspace created before keeps its 256 KiB blocks and opens as before.
 */
export const WORKSPACE_BLOCK_SIZE = 65_536;

/**
 * DuckDB's allocator hands freed memory back to the system: a background thread purges freed pages, and a task that
 * allocated more than 32 MiB flushes its thread's cache when it ends (DuckDB's default: 128 MiB, no background thread).
 * With 64 KiB blocks the year demo's peak RSS was 1,546 and 1,569 MB in two runs (1,339 MB with 256 KiB blocks),
 * freed buffers kept by the allocator; with these settings it was 1,371 MB, in the same wall time.
 */
export const ALLOCATOR_SETTINGS: Readonly<Record<string, string>> = {
  allocator_background_threads: 'true',
  allocator_flush_threshold: '32MiB',
};

export function defaultMemoryLimit(): string {
  return `${Math.max(256, Math.floor(totalmem() / 2 / (1024 * 1024)))}MB`;
}

const UNIT_BYTES: Readonly<Record<string, number>> = {
  KB: 1e3,
  KIB: 2 ** 10,
  MB: 1e6,
  MIB: 2 ** 20,
  GB: 1e9,
  GIB: 2 ** 30,
  TB: 1e12,
  TIB: 2 ** 40,
};

/** A memory_limit setting in bytes ('4GB', or DuckDB's own '3.7 GiB'), or null when it is not a plain size. */
export function memoryLimitBytes(limit: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$/i.exec(limit);
  const unit = m ? UNIT_BYTES[m[2].toUpperCase()] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : null;
}

/**
 * The DuckDB side of a workspace: one DuckDBInstance on `<workspace>/workspace.duckdb`, query
 * runs (each on its own connection, so cancel interrupts exactly that run), kept results read
 * in Arrow windows, history, catalog.
 */
export class Engine {
  private readonly runs = new Map<string, ActiveRun>();
  /** Result fingerprints being computed, by result id (a run's history entry gets its hash when one ends). */
  private readonly fingerprints = new Map<string, Promise<void>>();
  /** Editor sessions (one per SQL tab): SET, TEMP tables and open transactions carry from run to run. */
  private readonly sessions = new Map<string, { connection: DuckDBConnection; busy: boolean; lastUsed: number }>();
  private hotRunner: HotRunner | null;
  private budgetHolders = 0;
  private heldBudget: string | null = null;
  private limitChanges: Promise<void> = Promise.resolve();
  private budgetSet: Promise<void> = Promise.resolve();
  private unregisterLift: () => void = () => undefined;
  private closed = false;

  private constructor(
    readonly instance: DuckDBInstance,
    readonly duckdbVersion: string,
    private readonly options: EngineOptions,
    private readonly meta: DuckDBConnection,
    private readonly metaQueue: SerialQueue,
    private readonly history: QueryHistory,
    private readonly results: ResultStore,
    /** Saved queries, kept in the workspace database next to the history. */
    readonly savedQueries: SavedQueries,
  ) {
    this.hotRunner = options.hotRunner ?? null;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const { paths } = options;
    if (openInThisProcess.has(paths.duckdb)) {
      throw new WorkbenchError(
        'WORKSPACE_LOCKED',
        `The workspace ${paths.root} is already open in this process. Close it first, or open a different workspace.`,
      );
    }
    const tempDirectory = join(paths.tmp, 'duckdb');
    await mkdir(paths.root, { recursive: true });
    await mkdir(tempDirectory, { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(paths.duckdb, {
        memory_limit: options.memoryLimit ?? defaultMemoryLimit(),
        temp_directory: tempDirectory,
        default_block_size: String(WORKSPACE_BLOCK_SIZE),
        ...ALLOCATOR_SETTINGS,
      });
    } catch (err) {
      const message = errorMessage(err);
      if (isDuckDBLockError(message)) throw workspaceLockedError(paths.root, message, await readLockInfo(paths.lock));
      throw new WorkbenchError('INTERNAL', `Could not open the workspace database ${paths.duckdb}: ${message}`, message);
    }
    openInThisProcess.add(paths.duckdb);
    try {
      await writeLockInfo(paths.lock, options.entry, options.appVersion);
      const meta = await instance.connect();
      // Lake files never change under their key: their footers are cached, so a query over a view of a year of
      // daily files does not read 365 footers again each time it binds and prunes row groups.
      await meta.run('SET GLOBAL parquet_metadata_cache = true');
      const queue = new SerialQueue();
      await ResultStore.attach(meta);
      const history = await QueryHistory.open(meta, queue);
      const saved = await SavedQueries.open(meta, queue);
      const versionReader = await meta.runAndReadAll('SELECT version()');
      const version = String(versionReader.getRows()[0][0]).replace(/^v/, '');
      return new Engine(instance, version, options, meta, queue, history, new ResultStore(instance, options.maxResults ?? 20), saved);
    } catch (err) {
      openInThisProcess.delete(paths.duckdb);
      instance.closeSync();
      throw err;
    }
  }

  /** Wires (or unwires) PostgreSQL for query.run({ target: 'hot' }). */
  setHotRunner(runner: HotRunner | null): void {
    this.hotRunner = runner;
  }

  /** A new connection to the workspace database (for other core modules); close it with closeSync(). */
  connect(): Promise<DuckDBConnection> {
    this.assertOpen();
    return this.instance.connect();
  }

  /** Runs `fn` on a connection of its own, closed afterwards however `fn` ends. */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }

  /**
   * Runs `fn` with DuckDB's memory_limit lowered to `budget` (never raised), then back to the workspace's limit: a
   * long job whose memory must stay bounded (the demo, the data jobs) holds it while it runs. The limit is the
   * instance's, so the queries run meanwhile share the budget; overlapping holders keep the first one's budget until
   * the last one ends. Memory that only a checkpoint frees (the blocks of rows written since the last one) is freed
   * by one when the limit will not go down otherwise. When DuckDB still cannot lower it (memory pinned by a running
   * query), `fn` runs under the workspace's limit: a job never fails for want of a budget, and `onUnheld` says why
   * (a job passes it on as a note, so its user learns that its memory was not bounded this time). A transaction that
   * runs out of the budget lifts it before its rollback (inTransaction), which DuckDB could not do at the limit.
   */
  async withMemoryBudget<T>(budget: string, fn: () => Promise<T>, onUnheld?: (message: string) => void): Promise<T> {
    const configured = this.options.memoryLimit ?? defaultMemoryLimit();
    const budgetBytes = memoryLimitBytes(budget);
    const configuredBytes = memoryLimitBytes(configured);
    if (budgetBytes === null) throw new Error(`Not a memory size: ${budget}`);
    if (configuredBytes !== null && configuredBytes <= budgetBytes) return fn();
    if (this.budgetHolders++ === 0) {
      this.heldBudget = budget;
      // A transaction that runs out of the budget is rolled back under the workspace's limit (the rest of the
      // holders' work then runs under it too, as when the budget cannot be held).
      this.unregisterLift = makeRoomForRollbacks(async () => {
        if (this.heldBudget === null || this.closed) return;
        this.heldBudget = null;
        await this.setMemoryLimit(configured);
      });
      this.budgetSet = this.setMemoryLimit(budget).catch(async (err: unknown) => {
        if (!isOutOfMemory(err)) throw err;
        // A checkpoint that cannot run now (another write transaction is open) leaves the first error standing.
        await this.withConnection((conn) => conn.run('CHECKPOINT')).catch(() => {
          throw err;
        });
        await this.setMemoryLimit(budget);
      });
    }
    try {
      // A holder that joins while the first one lowers the limit waits for it too.
      await this.budgetSet.catch((err: unknown) => {
        this.heldBudget = null;
        onUnheld?.(
          `Ran under the workspace's memory limit (${configured}) instead of its ${budget} budget: DuckDB could not lower its limit (${errorMessage(err).split('\n')[0].replace(/\.$/, '')}).`,
        );
      });
      return await fn();
    } finally {
      if (--this.budgetHolders === 0) {
        this.unregisterLift();
        this.heldBudget = null;
        if (!this.closed) await this.setMemoryLimit(configured).catch(() => undefined);
      }
    }
  }

  /** withMemoryBudget at JOB_MEMORY_BUDGET: the budget of the long data jobs. */
  withJobMemory<T>(fn: () => Promise<T>, onUnheld?: (message: string) => void): Promise<T> {
    return this.withMemoryBudget(JOB_MEMORY_BUDGET, fn, onUnheld);
  }

  /**
   * withJobMemory for a job that leaves nothing behind when it fails (an export): when DuckDB runs out of the
   * budget, `fn` runs once more under the workspace's limit. DuckDB spills most plans, not all: in 1.5 a sort fed
   * straight by a UNION ALL (any ORDER BY over a unified view) holds its rows in memory, so such an export would
   * otherwise fail at a few million rows.
   */
  async withJobMemoryOrMore<T>(
    fn: () => Promise<T>,
    onRetry?: (message: string) => void,
    onUnheld?: (message: string) => void,
  ): Promise<T> {
    try {
      return await this.withJobMemory(fn, onUnheld);
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      onRetry?.('Out of the job memory budget: writing again under the workspace limit');
      return fn();
    }
  }

  /** The memory budget held now (see withMemoryBudget), or null: DuckDB runs at the workspace's limit. */
  get memoryBudget(): string | null {
    return this.heldBudget;
  }

  /** Changes of the limit apply in the order they were asked for (a restore never overtakes the next budget). */
  private setMemoryLimit(limit: string): Promise<void> {
    const next = this.limitChanges.then(() =>
      this.withConnection(async (conn) => {
        await conn.run(`SET GLOBAL memory_limit = ${quoteLiteral(limit)}`);
      }),
    );
    this.limitChanges = next.catch(() => undefined);
    return next;
  }

  get keptResults(): number {
    return this.results.size;
  }

  async run(request: {
    sql: string;
    target: QueryTarget;
    runId: string;
    sessionId?: string;
    allowWrites?: boolean;
    params?: ParamValues;
    paramTypes?: ParamDecl[];
  }): Promise<QueryRunResult> {
    this.assertOpen();
    if (this.runs.has(request.runId)) {
      throw new WorkbenchError('CONFLICT', `A query with run id ${request.runId} is still running. Cancel it or use a new run id.`);
    }
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    let stored: StoredResult | null = null;
    let statements = 0;
    let failure: WorkbenchError | null = null;
    const run: ActiveRun = { runId: request.runId, cancelled: false, cancel: () => undefined, done: Promise.resolve() };
    this.runs.set(request.runId, run);
    const work =
      request.target === 'hot'
        ? this.runHot(request.sql, run, request.allowWrites ?? false, request.params)
        : this.runWorkspace(request.sql, run, request.sessionId, request);
    run.done = work.catch(() => undefined);
    try {
      ({ stored, statements } = await work);
    } catch (err) {
      failure = run.cancelled ? new WorkbenchError('CANCELLED', 'The query was cancelled.') : sqlError(err);
    } finally {
      this.runs.delete(request.runId);
    }
    const elapsedMs = performance.now() - t0;
    const kept = stored;
    const context = await this.metaQueue.run(() => this.runContext(request.sql, request.target, kept !== null)).catch(() => null);
    const historyId = await this.history
      .record({
        sql: request.sql,
        target: request.target,
        startedAt,
        elapsedMs,
        rowCount: stored ? stored.rowCount : null,
        error: failure ? failure.message : null,
        params: request.params ?? {},
        coldDays: context?.coldDays,
        hotWatermark: context?.hotWatermark,
      })
      .catch(() => null);
    if (failure || !stored) throw failure ?? new WorkbenchError('INTERNAL', 'The query ended without a result.');
    if (historyId !== null && context !== null) this.fingerprintLater(historyId, stored, context.ordered);
    return {
      runId: request.runId,
      resultId: stored.id,
      columns: stored.columns,
      rowCount: stored.rowCount,
      elapsedMs,
      statements,
      sortable: stored.sortable,
    };
  }

  /**
   * What a run's history entry says besides its SQL: the hot watermark now; for a run that gave a result, whether
   * its rows are ordered and, in the workspace, the lake days of the cold views it names.
   */
  private async runContext(sql: string, target: QueryTarget, succeeded: boolean): Promise<RunProvenance & { ordered: boolean }> {
    const hotWatermark = await hotWatermarks(this.meta);
    if (!succeeded) return { ordered: true, coldDays: {}, hotWatermark };
    const shape = await queryShape(this.meta, sql);
    const coldDays = target === 'workspace' ? await coldDaysOf(this.meta, shape.tables) : {};
    return { ordered: shape.ordered, coldDays, hotWatermark };
  }

  /**
   * Fingerprints a kept result after it went to the user (see fingerprint.ts), then stores it in the run's history
   * entry. Best effort: a result dropped meanwhile leaves the entry without one. Closing the result waits for it.
   */
  private fingerprintLater(historyId: number, stored: StoredResult, ordered: boolean): void {
    const task = this.withConnection((conn) => resultFingerprint(conn, this.results.fingerprintSource(stored), ordered))
      .then((hash) => this.history.setResultHash(historyId, hash))
      .catch(() => undefined)
      .finally(() => this.fingerprints.delete(stored.id));
    this.fingerprints.set(stored.id, task);
  }

  /** Resolves when every result fingerprint under way is stored (or given up). */
  async fingerprintsSettled(): Promise<void> {
    await Promise.all([...this.fingerprints.values()]);
  }

  /** A session's connection (created on first use); one run at a time per session. */
  private async sessionConnection(sessionId: string): Promise<DuckDBConnection> {
    let session = this.sessions.get(sessionId);
    if (session?.busy) {
      throw new WorkbenchError('CONFLICT', 'This editor tab is still running a query. Cancel it (Esc) or wait for it, then run again.');
    }
    if (!session) {
      // Keep the newest sessions; an idle one past the limit is closed (its TEMP objects go with it).
      if (this.sessions.size >= MAX_SESSIONS) {
        const idle = [...this.sessions.entries()].filter(([, s]) => !s.busy).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
        if (idle) this.closeSession(idle[0]);
      }
      const connection = await this.instance.connect();
      await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
      session = { connection, busy: false, lastUsed: Date.now() };
      this.sessions.set(sessionId, session);
    }
    session.busy = true;
    session.lastUsed = Date.now();
    return session.connection;
  }

  /** Ends an editor session (its tab closed): its TEMP objects and open transaction go with it. */
  closeSession(sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    this.sessions.delete(sessionId);
    if (session.busy) session.connection.interrupt();
    session.connection.closeSync();
    return true;
  }

  private async runWorkspace(
    sql: string,
    run: ActiveRun,
    sessionId: string | undefined,
    bound: { params?: ParamValues; paramTypes?: ParamDecl[] },
  ): Promise<{ stored: StoredResult; statements: number }> {
    const connection = sessionId ? await this.sessionConnection(sessionId) : await this.instance.connect();
    run.cancel = () => connection.interrupt();
    let catalogChanged = false;
    let last = { percentage: -2, rows: -1 };
    const timer = setInterval(() => {
      const p = connection.progress;
      const rows = Number(p.rows_processed);
      if (p.percentage === last.percentage && rows === last.rows) return;
      last = { percentage: p.percentage, rows };
      this.options.events.emit('query.progress', {
        runId: run.runId,
        percentage: p.percentage,
        rowsProcessed: rows,
        totalRows: Number(p.total_rows_to_process),
      });
    }, this.options.progressIntervalMs ?? 250);
    try {
      // Progress is tracked only with the progress bar on (printing stays off).
      await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
      const extracted = await connection.extractStatements(sql).catch((err: unknown) => {
        // The bindings report "no statements" without DuckDB's text.
        if (errorMessage(err) === 'Error in native callback') throw noStatementError();
        throw err;
      });
      const count = extracted.count;
      if (count === 0) throw noStatementError();
      // Values are checked against their types (a choice list in this session) and bound, never put into the SQL.
      assertParamsGiven(sql, bound.params ?? {});
      const params: CheckedParams = await checkParams(connection, bound.params ?? {}, bound.paramTypes ?? []);
      for (let i = 0; i < count; i++) {
        if (run.cancelled) throw new WorkbenchError('CANCELLED', 'The query was cancelled.');
        const prepared = await extracted.prepare(i);
        try {
          bindParams(prepared, params);
          const type = prepared.statementType;
          if (CATALOG_CHANGING.has(type)) catalogChanged = true;
          if (i < count - 1) {
            await prepared.run();
            continue;
          }
          const result = await prepared.stream();
          const stored = await this.results.ingest(result, { sortable: type !== StatementType.EXPLAIN });
          return { stored, statements: count };
        } finally {
          prepared.destroySync();
        }
      }
      throw new WorkbenchError('INTERNAL', 'No statement produced a result.');
    } finally {
      clearInterval(timer);
      const session = sessionId ? this.sessions.get(sessionId) : undefined;
      if (session && session.connection === connection) session.busy = false;
      else connection.closeSync();
      if (catalogChanged) this.options.events.emit('catalog.changed', { reason: 'query' });
    }
  }

  private async runHot(
    sql: string,
    run: ActiveRun,
    allowWrites: boolean,
    params: ParamValues | undefined,
  ): Promise<{ stored: StoredResult; statements: number }> {
    if (params && Object.keys(params).length > 0) {
      throw new WorkbenchError(
        'BAD_INPUT',
        'Parameters are bound in workspace queries only; a query on the PostgreSQL hot store takes none. Run it on the workspace (its hot.* mirror) instead.',
      );
    }
    const runner = this.hotRunner;
    if (!runner) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        'The PostgreSQL hot store is not connected in this workspace, so the query was not run. Start the hot store or run it against the DuckDB workspace.',
      );
    }
    const controller = new AbortController();
    run.cancel = () => controller.abort();
    const hot = await runner.run(sql, { runId: run.runId, signal: controller.signal, allowWrites });
    const stored = await this.results.ingestRows(hot.columns, hot.batches, controller.signal);
    return { stored, statements: hot.statements };
  }

  async cancel(runId: string): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run) return false;
    run.cancelled = true;
    run.cancel();
    return true;
  }

  window(request: { resultId: string; offset: number; limit: number; sort: SortKey[] }): Promise<QueryWindowResult> {
    this.assertOpen();
    return this.results.window(request.resultId, request.offset, request.limit, request.sort);
  }

  /**
   * A pivot of a kept result by DuckDB PIVOT, kept as a new result that the grid reads, sorts and exports like
   * any other. Refused before it runs when it would make more than MAX_PIVOT_COLUMNS columns. Cancel by run id.
   */
  async pivot(request: { resultId: string; runId: string; spec: PivotSpec }): Promise<QueryRunResult> {
    this.assertOpen();
    const stored = this.results.get(request.resultId);
    const source = keptResultSelect(stored, []);
    const sql = pivotSql(
      source,
      request.spec,
      stored.wire.map((w) => w.name),
    );
    const t0 = performance.now();
    return this.withRunConnection(request.runId, 'pivot', async (connection) => {
      const width = await connection.runAndReadAll(pivotWidthSql(source, request.spec));
      const columns = Number(width.getRows()[0]?.[0] ?? 0) + request.spec.rows.length;
      if (columns > MAX_PIVOT_COLUMNS) {
        throw new WorkbenchError(
          'BAD_INPUT',
          `The pivot would make ${columns.toLocaleString('en-US')} columns, more than the ${MAX_PIVOT_COLUMNS.toLocaleString('en-US')} it allows. ` +
            'Spread a column with fewer distinct values, or filter the query first.',
        );
      }
      const pivoted = await this.results.ingest(await connection.stream(sql), { sortable: true });
      return {
        runId: request.runId,
        resultId: pivoted.id,
        columns: pivoted.columns,
        rowCount: pivoted.rowCount,
        elapsedMs: performance.now() - t0,
        statements: 1,
        sortable: true,
      };
    });
  }

  /**
   * The plan of one workspace statement as a tree (EXPLAIN; with `analyze`, EXPLAIN ANALYZE runs it and times
   * each operator), with its raw scans (the caller says which tier each reads).
   */
  async explain(request: {
    sql: string;
    runId: string;
    analyze: boolean;
  }): Promise<{ root: PlanNode; totalMs: number | null; scans: RawScan[] }> {
    this.assertOpen();
    return this.withRunConnection(request.runId, 'explain', (connection) => explainPlan(connection, request.sql, request.analyze));
  }

  /** A connection of its own for a run that can be cancelled by its run id (a pivot, an explain); closed after. */
  private async withRunConnection<T>(runId: string, what: string, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.runs.has(runId)) {
      throw new WorkbenchError('CONFLICT', `A query with run id ${runId} is still running. Cancel it or use a new run id.`);
    }
    const connection = await this.instance.connect();
    const run: ActiveRun = { runId, cancelled: false, cancel: () => connection.interrupt(), done: Promise.resolve() };
    this.runs.set(runId, run);
    try {
      return await fn(connection);
    } catch (err) {
      if (run.cancelled) throw new WorkbenchError('CANCELLED', `The ${what} was cancelled.`);
      throw sqlError(err);
    } finally {
      this.runs.delete(runId);
      connection.closeSync();
    }
  }

  /** A kept result's table and columns (export.result writes it whole); NOT_FOUND when it is gone. */
  keptResult(resultId: string): StoredResult {
    this.assertOpen();
    return this.results.get(resultId);
  }

  async closeResult(resultId: string): Promise<boolean> {
    await this.fingerprints.get(resultId);
    return this.results.close(resultId);
  }

  historyEntries(search: string, limit: number): Promise<HistoryEntry[]> {
    this.assertOpen();
    return this.history.search(search, limit);
  }

  catalogTree(): Promise<CatalogTree> {
    this.assertOpen();
    return this.metaQueue.run(() => readCatalogTree(this.meta));
  }

  /** Cancels running queries, releases DuckDB and the workspace lock. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.runs.values()];
    for (const run of pending) {
      run.cancelled = true;
      run.cancel();
    }
    await Promise.race([Promise.all(pending.map((r) => r.done)), new Promise((r) => setTimeout(r, 5000))]);
    await this.fingerprintsSettled();
    for (const id of [...this.sessions.keys()]) this.closeSession(id);
    await this.metaQueue.run(async () => undefined);
    try {
      this.meta.closeSync();
      this.instance.closeSync();
    } finally {
      openInThisProcess.delete(this.options.paths.duckdb);
      await removeOwnLockInfo(this.options.paths.lock).catch(() => undefined);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WorkbenchError('NOT_FOUND', 'The workspace has been closed. Open it again.');
  }
}
