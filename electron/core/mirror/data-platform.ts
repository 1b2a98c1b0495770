import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { DataStatus, DataSyncResult, DatasetStatus, DemoJobReport } from '../../../shared/api/data';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { DEMO_MARKER_KEY, generateDemo, type DemoOptions, type DemoReport } from '../demo/seed-demo';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import type { HotConfig } from '../hot/hot-config';
import { ensureUpcomingPartitions, hotStoreIsEmpty } from '../hot/hot-schema';
import { HotStore } from '../hot/hot-store';
import { PgHotRunner } from '../hot/pg-hot-runner';
import type { JobContext, JobRunner, StartedJob } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { LakeIntents } from '../lake/intents';
import { openLake } from '../lake/open-lake';
import type { WorkspacePaths } from '../workspace/paths';
import {
  COLD_SCHEMA,
  HOT_MIRROR_SCHEMA,
  ensureMetaSchema,
  getMirrorStates,
  getSplits,
  resetMirror,
  setSplitSql,
  type Statement,
} from './meta';
import { BackgroundSync } from './background-sync';
import { MirrorSync, type SyncReport } from './mirror-sync';
import { readParquetListSql, refreshViews } from './views';
import type { ArchiveReport, ArchiveRequest } from '../../../shared/api/archive';
import { Archiver, type ArchiverDeps } from '../archive/archiver';
import { ArchiveJournal } from '../archive/state';

export interface DataPlatformConfig {
  /** The hot store; default embedded. 'none' = no PostgreSQL at all (the mirror serves what it has). */
  hot?: HotConfig | 'none';
  /**
   * eager: start PostgreSQL while the workspace opens (in the background) and sync the mirror (app, web host).
   * lazy: start it on first use (CLI: `query --on hot`, `demo`).
   */
  start?: 'eager' | 'lazy';
  /** On an empty workspace (empty hot store, empty lake), seed the small demo as a job. */
  autoSeed?: boolean;
  /** Sync the mirror in the background every `intervalSeconds` (0 = off); without it, no background sync (CLI, tests). */
  backgroundSync?: { intervalSeconds: number };
  log?: (line: string) => void;
}

export interface DataPlatformDeps {
  paths: WorkspacePaths;
  engine: Engine;
  jobs: JobRunner;
  events: EventBus;
}

/**
 * The battery data platform of one workspace: the PostgreSQL hot store, the Parquet lake, the local
 * mirror and the DuckDB views over both. Opening never fails because PostgreSQL is down: the views
 * and the mirror serve, and status() says why the hot store is unreachable.
 */
export class DataPlatform {
  readonly lake: Lake;
  /** Keeps the mirror fresh while the workspace is open (started with `backgroundSync`, see background-sync.ts). */
  readonly background: BackgroundSync;
  private hotPromise: Promise<HotStore> | null = null;
  private hot: HotStore | null = null;
  private hotError: string | null = null;
  private mirror: MirrorSync | null = null;
  private demoRunning = false;
  private closed = false;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly refreshListeners: (() => void)[] = [];

  private constructor(
    private readonly deps: DataPlatformDeps,
    private readonly config: DataPlatformConfig,
    /** The mirror's connection: its loads run their own transactions on it, one sync at a time. */
    private readonly duck: DuckDBConnection,
    /**
     * A second connection for view refreshes and tier switches, serialised by `refreshing`. Two flows must
     * never share a connection: their BEGIN/COMMITs would interleave (a refresh's ROLLBACK undoing half a
     * mirror load, for one).
     */
    private readonly viewsConn: DuckDBConnection,
  ) {
    this.lake = openLake({ kind: 'local', path: deps.paths.lake });
    this.background = new BackgroundSync({
      jobs: deps.jobs,
      events: deps.events,
      intervalSeconds: config.backgroundSync?.intervalSeconds ?? 0,
      sync: (signal) => this.syncNow(undefined, undefined, { background: true, signal }),
      busy: () => (this.mirror?.busy ?? false) || this.demoRunning,
    });
  }

  static async open(deps: DataPlatformDeps, config: DataPlatformConfig = {}): Promise<DataPlatform> {
    const duck = await deps.engine.connect();
    const viewsConn = await deps.engine.connect();
    const platform = new DataPlatform(deps, config, duck, viewsConn);
    try {
      await platform.lake.ensure();
      await ensureMetaSchema(viewsConn);
      await new LakeIntents(viewsConn).ensure();
      await platform.ensureSplits();
      await refreshViews(viewsConn, platform.lake);
    } catch (err) {
      duck.closeSync();
      viewsConn.closeSync();
      throw err;
    }
    if (config.hot !== 'none') {
      deps.engine.setHotRunner(new PgHotRunner(() => platform.hotStore()));
      if (config.start === 'eager') void platform.startup();
      if (config.backgroundSync) platform.background.start();
    }
    return platform;
  }

  /** Eager start: PostgreSQL up, then the demo on an empty workspace or a mirror sync. Failures land in status(). */
  private async startup(): Promise<void> {
    let hot: HotStore;
    try {
      hot = await this.hotStore();
    } catch {
      return;
    }
    if (this.closed) return;
    try {
      if (this.config.autoSeed && (await this.workspaceIsEmpty(hot))) {
        this.startDemo({ scale: 'small' });
      } else {
        // Day partitions ahead of the incoming rows (a no-op on unpartitioned tables).
        await hot.withClient((c) => ensureUpcomingPartitions(c)).catch(() => undefined);
        this.deps.jobs.start('sync', (ctx) => this.syncJob(ctx), { exclusive: true, phase: 'sync' });
      }
    } catch (err) {
      this.hotError = errorMessage(err);
    }
  }

  /** Empty = no fleet in the hot store and no data in the lake (an interrupted demo's lake does not count). */
  async workspaceIsEmpty(hot: HotStore): Promise<boolean> {
    if (!(await hot.withClient((c) => hotStoreIsEmpty(c)))) return false;
    if (await this.lake.exists(DEMO_MARKER_KEY)) return true;
    for (const name of DATASET_NAMES) {
      if (DATASETS[name].partitionColumn && (await this.lake.list(name)).length > 0) return false;
    }
    return true;
  }

  /** The hot store, started on first use. A failed start is reported and retried on the next call. */
  hotStore(): Promise<HotStore> {
    if (this.config.hot === 'none') {
      return Promise.reject(new WorkbenchError('HOT_UNAVAILABLE', 'This workspace was opened without a PostgreSQL hot store.'));
    }
    if (this.closed) return Promise.reject(new WorkbenchError('HOT_UNAVAILABLE', 'The workspace is closing.'));
    this.hotPromise ??= HotStore.open({
      config: this.config.hot ?? { kind: 'embedded' },
      workspaceRoot: this.deps.paths.root,
      workspacePgDir: this.deps.paths.pgData,
      ...(this.config.log ? { log: this.config.log } : {}),
    }).then(
      (store) => {
        this.hot = store;
        this.hotError = null;
        this.mirror = new MirrorSync({ duck: this.duck, hot: store, tmpDir: this.deps.paths.tmp });
        return store;
      },
      (err: unknown) => {
        this.hotPromise = null;
        this.hotError = errorMessage(err);
        throw err;
      },
    );
    return this.hotPromise;
  }

  /** Cold views for new lake files, splits for lakes that have none, unified views. */
  async refresh(): Promise<void> {
    const next = this.refreshing.then(async () => {
      await this.ensureSplits();
      await refreshViews(this.viewsConn, this.lake);
    });
    this.refreshing = next.catch(() => undefined);
    await next;
    this.deps.events.emit('catalog.changed', { reason: 'data' });
    for (const listener of this.refreshListeners) listener();
  }

  /**
   * Runs `statements` and re-creates the views of `datasets` (default all) in one transaction, in turn with
   * every other refresh: how a job switches lake files or tiers atomically for every reader of the workspace.
   */
  async commitViews(statements: readonly Statement[], datasets?: readonly string[]): Promise<void> {
    const next = this.refreshing.then(() => refreshViews(this.viewsConn, this.lake, datasets, statements));
    this.refreshing = next.catch(() => undefined);
    await next;
  }

  /** Called after every refresh (sync, demo, conversion, archival): e.g. the gold rollups catch up. */
  onRefreshed(listener: () => void): void {
    this.refreshListeners.push(listener);
  }

  /** A lake with files but no recorded split (e.g. a lake pointed at from elsewhere): split just after its newest row. */
  private async ensureSplits(): Promise<void> {
    const splits = await getSplits(this.viewsConn);
    for (const name of DATASET_NAMES) {
      const spec = DATASETS[name];
      if (!spec.splitColumn || splits.has(name)) continue;
      const files = await this.lake.list(name);
      if (files.length === 0) continue;
      const col = quoteIdent(spec.splitColumn);
      const rows = await queryRows(
        this.viewsConn,
        `SELECT strftime((max(${col}) + INTERVAL 1 MICROSECOND) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS s FROM ${readParquetListSql(files.map((f) => this.lake.localPath(f.key)))}`,
      );
      const s = rows[0]?.s;
      if (typeof s === 'string') await this.viewsConn.run(setSplitSql(name, s));
    }
  }

  /** `background`: the count check now and then (see MirrorSync), and views refreshed only when rows moved. */
  async syncNow(
    datasets?: readonly DatasetName[],
    ctx?: JobContext,
    options: { background?: boolean; signal?: AbortSignal } = {},
  ): Promise<SyncReport> {
    if (this.demoRunning) throw new WorkbenchError('CONFLICT', 'The demo is being generated; the mirror syncs when it ends.');
    await this.hotStore();
    const mirror = this.mirror;
    if (!mirror) throw new WorkbenchError('HOT_UNAVAILABLE', 'The hot store is not connected.');
    const signal = ctx?.signal ?? options.signal;
    const report = await mirror.sync({
      ...(datasets ? { datasets } : {}),
      ...(signal ? { signal } : {}),
      reconcile: options.background ? 'periodic' : 'always',
      onProgress: (p) => ctx?.progress({ phase: 'sync', fraction: p.fraction, rows: p.rows, bytes: p.bytes, message: p.message }),
    });
    if (!options.background || report.changed) await this.refresh();
    return report;
  }

  private async syncJob(ctx: JobContext): Promise<SyncReport> {
    return this.syncNow(undefined, ctx);
  }

  /** Start the demo as a job; returns its id (progress on 'job.progress'). */
  startDemo(options: DemoOptions): StartedJob<DemoJobReport> {
    if (this.demoRunning) throw new WorkbenchError('CONFLICT', 'A demo is already being generated. Wait for it or cancel it.');
    return this.deps.jobs.start('demo', (ctx) => this.runDemo(options, ctx), { exclusive: true, phase: 'prepare' });
  }

  private async runDemo(options: DemoOptions, ctx: JobContext): Promise<DemoJobReport> {
    this.demoRunning = true;
    try {
      const hot = await this.hotStore();
      // Let a running sync finish: the demo replaces the tables under it.
      await this.mirror?.sync({ datasets: [] }).catch(() => undefined);
      const report: DemoReport = await this.deps.engine.withConnection((conn) =>
        generateDemo(options, {
          duck: conn,
          hot,
          lake: this.lake,
          tmpDir: this.deps.paths.tmp,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress({ phase: p.phase, fraction: p.fraction * 0.9, rows: p.rows, bytes: p.bytes, message: p.message }),
        }),
      );
      ctx.progress({ phase: 'sync', fraction: 0.9, message: 'Syncing the local mirror' });
      await resetMirror(this.duck);
      const split = report.window.split;
      await this.commitViews(DATASET_NAMES.filter((name) => DATASETS[name].splitColumn).map((name) => ({ sql: setSplitSql(name, split) })));
      this.demoRunning = false;
      const sync = await this.syncNow(undefined, {
        ...ctx,
        progress: (u) => ctx.progress({ ...u, phase: 'sync', fraction: 0.9 + 0.1 * (u.fraction ?? 0) }),
      });
      return { ...report, sync: toSyncResult(sync) };
    } finally {
      this.demoRunning = false;
    }
  }

  /**
   * The body of an archive job (see archive/archiver.ts): verified, crash-safe archival of old hot
   * rows into the lake. Tier switches commit together with the view refresh, serialised with it.
   */
  async archive(req: ArchiveRequest, ctx: JobContext, atStep?: ArchiverDeps['atStep']): Promise<ArchiveReport> {
    let hot: HotStore;
    try {
      hot = await this.hotStore();
    } catch (err) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        `PostgreSQL is not reachable, so nothing was archived: ${errorMessage(err)}. Start it (or check the connection settings) and run the archive again.`,
      );
    }
    // A sync in flight finishes first: the archiver moves tiers under the mirror.
    await this.mirror?.sync({ datasets: [] }).catch(() => undefined);
    return this.deps.engine.withConnection(async (conn) => {
      const journal = new ArchiveJournal(conn);
      await journal.ensure();
      const archiver = new Archiver({
        duck: conn,
        hot,
        lake: this.lake,
        tmpDir: this.deps.paths.tmp,
        journal,
        commitVisibility: (statements, dataset) => this.commitViews(statements, [dataset]),
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
        ...(atStep ? { atStep } : {}),
      });
      const report = await archiver.run(req);
      // Views, catalog listeners and the gold rollups follow the moved rows.
      if (!req.dryRun) await this.refresh();
      return report;
    });
  }

  async status(): Promise<DataStatus> {
    let reachable = false;
    let error = this.hotError;
    if (this.hot) {
      try {
        await this.hot.ping();
        reachable = true;
      } catch (err) {
        error = errorMessage(err);
      }
    }
    return this.deps.engine.withConnection(async (conn) => {
      const states = await getMirrorStates(conn);
      const splits = await getSplits(conn);
      const datasets: DatasetStatus[] = [];
      for (const name of DATASET_NAMES) {
        const spec = DATASETS[name];
        const st = states.get(name);
        let cold: DatasetStatus['cold'] = null;
        if (spec.partitionColumn) {
          const files = await this.lake.list(name);
          const newest = files.reduce<Date | null>((a, f) => (a === null || f.modifiedAt > a ? f.modifiedAt : a), null);
          cold = {
            object: qualifiedName(COLD_SCHEMA, name),
            files: files.length,
            bytes: files.reduce((a, f) => a + f.size, 0),
            newestFileAt: newest ? newest.toISOString() : null,
          };
        }
        datasets.push({
          name,
          kind: spec.kind,
          unified: qualifiedName('main', name),
          hot: {
            object: qualifiedName(HOT_MIRROR_SCHEMA, name),
            rows: st?.rows ?? 0,
            syncedAt: st?.syncedAt ?? null,
            lastError: st?.lastError ?? null,
          },
          cold,
          split: splits.get(name) ?? null,
        });
      }
      const synced = datasets.map((d) => d.hot.syncedAt);
      const syncedAt = synced.some((s) => s === null) ? null : ((synced as string[]).sort()[0] ?? null);
      const kind = this.config.hot === 'none' ? 'none' : (this.config.hot?.kind ?? 'embedded');
      return {
        hot: { kind, target: this.hot?.info.target ?? null, reachable, error: reachable ? null : error },
        lake: { kind: this.lake.kind, location: this.lake.location },
        syncing: this.mirror?.busy ?? false,
        syncedAt,
        background: this.background.status(),
        datasets,
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.background.stop();
    this.deps.engine.setHotRunner(null);
    const store = await this.hotPromise?.catch(() => null);
    await this.mirror?.sync({ datasets: [] }).catch(() => undefined);
    await this.refreshing;
    for (const conn of [this.duck, this.viewsConn]) {
      try {
        conn.closeSync();
      } catch {
        // already closed with the engine
      }
    }
    await store?.close();
  }
}

export function toSyncResult(report: SyncReport): DataSyncResult {
  return {
    rows: report.rows,
    bytes: report.bytes,
    elapsedMs: report.elapsedMs,
    datasets: report.datasets.map((d) => ({
      dataset: d.dataset,
      mode: d.mode,
      rows: d.rows,
      changes: d.changes,
      repairedDays: d.repairedDays,
      note: d.note,
    })),
  };
}
