import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakePullReport } from '../../../shared/api/storage';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { DataStatus, DataSyncResult, DatasetStatus } from '../../../shared/api/data';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import type { HotConfig } from '../hot/hot-config';
import { ensureUpcomingPartitions } from '../hot/hot-schema';
import { HotStore } from '../hot/hot-store';
import { PgHotRunner } from '../hot/pg-hot-runner';
import type { JobContext, JobRunner } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { LakeIntents } from '../lake/intents';
import { LakeCatalog, type CatalogSync } from '../lake/lake-catalog';
import { openLake, type LakeLocation } from '../lake/open-lake';
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
import { trace, traced } from '../system/startup-trace';
import { BackgroundSync } from './background-sync';
import { MirrorSync, type SyncReport } from './mirror-sync';
import { readParquetListSql, refreshViews } from './views';

export interface DataPlatformConfig {
  /** The hot store; default embedded. 'none' = no PostgreSQL at all (the mirror serves what it has). */
  hot?: HotConfig | 'none';
  /**
   * eager: start PostgreSQL while the workspace opens (in the background) and sync the mirror (app, web host).
   * lazy: start it on first use (CLI: `query --on hot`, `demo`).
   */
  start?: 'eager' | 'lazy';
  /** On an empty workspace (empty hot store, empty lake), seed the small demo as a job (the `seedIfEmpty` of start()). */
  autoSeed?: boolean;
  /** Sync the mirror in the background every `intervalSeconds` (0 = off); without it, no background sync (CLI, tests). */
  backgroundSync?: { intervalSeconds: number };
  /** The lake (a folder or an S3 bucket, see workspace/stores.ts); default: the folder `paths.lake`. */
  lake?: LakeLocation;
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
 * and the mirror serve, and status() says why the hot store is unreachable. Jobs that work on it live in
 * their domain folders: the demo in demo/demo-job.ts, the archival in archive/archive-job.ts.
 */
export class DataPlatform {
  readonly lake: Lake;
  /** Keeps the mirror fresh while the workspace is open (started with `backgroundSync`, see background-sync.ts). */
  readonly background: BackgroundSync;
  private hotPromise: Promise<HotStore> | null = null;
  private hot: HotStore | null = null;
  private hotError: string | null = null;
  private mirror: MirrorSync | null = null;
  /** Why the mirror must not sync now (work that replaces the tables under it, see holdSync); null: it may. */
  private syncHold: string | null = null;
  private closed = false;
  /** The sync a write from the SQL editor started (see syncAfterWrite); close waits for it. */
  private writeSync: Promise<void> = Promise.resolve();
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
    lake: Lake,
  ) {
    this.lake = lake;
    this.background = new BackgroundSync({
      jobs: deps.jobs,
      events: deps.events,
      intervalSeconds: config.backgroundSync?.intervalSeconds ?? 0,
      sync: (signal) => this.syncNow(undefined, undefined, { background: true, signal }),
      busy: () => (this.mirror?.busy ?? false) || this.syncHold !== null,
    });
  }

  static async open(deps: DataPlatformDeps, config: DataPlatformConfig = {}): Promise<DataPlatform> {
    const lake = await openLake(config.lake ?? { kind: 'local', path: deps.paths.lake });
    const duck = await deps.engine.connect();
    const viewsConn = await deps.engine.connect();
    const platform = new DataPlatform(deps, config, duck, viewsConn, lake);
    try {
      await platform.lake.ensure();
      trace('lake ensured');
      await ensureMetaSchema(viewsConn);
      await new LakeIntents(viewsConn).ensure();
      await LakeCatalog.ensure(viewsConn);
      await platform.catalog.sync();
      trace('catalog synced');
      await platform.ensureSplits();
      trace('splits ensured');
      await refreshViews(viewsConn, platform.lake);
      trace('views refreshed');
    } catch (err) {
      duck.closeSync();
      viewsConn.closeSync();
      throw err;
    }
    if (config.hot !== 'none') {
      deps.engine.setHotRunner(
        new PgHotRunner(
          () => platform.hotStore(),
          () => platform.syncAfterWrite(),
        ),
      );
      if (config.backgroundSync) platform.background.start();
    }
    return platform;
  }

  /**
   * With `start: 'eager'` (a no-op otherwise): PostgreSQL up in the background, then, with `autoSeed`, `seedIfEmpty`
   * (true when it started a job that fills the workspace), else a mirror sync job. Failures land in status().
   */
  start(seedIfEmpty?: (hot: HotStore) => Promise<boolean>): void {
    if (this.config.start !== 'eager') return;
    // An S3 lake's new objects come into the cache in the background, as the hot store's rows come into the mirror.
    if (this.lake.kind === 's3') this.startLakeMirror();
    if (this.config.hot !== 'none') void this.startup(seedIfEmpty);
  }

  private startLakeMirror(): void {
    try {
      this.deps.jobs.start('lake-pull', (ctx) => this.pullLake({ auto: true }, ctx), { exclusive: true, phase: 'pull' });
    } catch {
      // A pull is running already.
    }
  }

  /**
   * `lake pull`: new objects of the lake into the local cache (S3; a local lake has nothing to pull), then the cold
   * views over what is cached now. `auto`: the whole lake when it fits the cache cap, else the pinned working sets.
   */
  async pullLake(scope: { dataset?: string; from?: string; to?: string; auto?: boolean } = {}, ctx?: JobContext): Promise<LakePullReport> {
    const report = await this.lake.pull(
      scope,
      (p) =>
        ctx?.progress({
          phase: 'pull',
          fraction: p.totalBytes > 0 ? p.bytes / p.totalBytes : p.totalFiles > 0 ? p.files / p.totalFiles : 1,
          bytes: p.bytes,
          message: `${p.files} of ${p.totalFiles} files`,
        }),
      ctx?.signal,
    );
    if (report.fetched > 0 || report.evicted > 0 || report.refetched > 0) await this.refresh();
    return report;
  }

  private async startup(seedIfEmpty?: (hot: HotStore) => Promise<boolean>): Promise<void> {
    let hot: HotStore;
    try {
      hot = await this.hotStore();
    } catch {
      return;
    }
    if (this.closed) return;
    try {
      if (this.config.autoSeed && seedIfEmpty && (await seedIfEmpty(hot))) return;
      // Day partitions ahead of the incoming rows (a no-op on unpartitioned tables).
      await hot.withClient((c) => ensureUpcomingPartitions(c)).catch(() => undefined);
      this.deps.jobs.start('sync', (ctx) => this.syncNow(undefined, ctx), { exclusive: true, phase: 'sync' });
    } catch (err) {
      this.hotError = errorMessage(err);
    }
  }

  /** The hot store, started on first use. A failed start is reported and retried on the next call. */
  hotStore(): Promise<HotStore> {
    if (this.config.hot === 'none') {
      return Promise.reject(new WorkbenchError('HOT_UNAVAILABLE', 'This workspace was opened without a PostgreSQL hot store.'));
    }
    if (this.closed) return Promise.reject(new WorkbenchError('HOT_UNAVAILABLE', 'The workspace is closing.'));
    const config = this.config.hot ?? { kind: 'embedded' };
    this.hotPromise ??= traced('hot store open', () =>
      HotStore.open({
        config,
        workspaceRoot: this.deps.paths.root,
        workspacePgDir: this.deps.paths.pgData,
        ...(this.config.log ? { log: this.config.log } : {}),
      }),
    ).then(
      (store) => {
        this.hot = store;
        this.hotError = null;
        this.mirror = new MirrorSync({
          duck: this.duck,
          hot: store,
          tmpDir: this.deps.paths.tmp,
          memoryBudget: (fn, onUnheld) => this.deps.engine.withJobMemory(fn, onUnheld),
        });
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

  /** The lake catalog on the views' connection (used in turn with the refreshes, see `refreshing`). */
  private get catalog(): LakeCatalog {
    return new LakeCatalog(this.viewsConn, this.lake);
  }

  /**
   * `lake check --repair`: the lake catalog made again from the whole lake (every manifest read, the listing of
   * datasets without manifests), then every view.
   */
  async rebuildCatalog(): Promise<CatalogSync> {
    const next = this.refreshing.then(async () => {
      const done = await this.catalog.rebuild();
      await refreshViews(this.viewsConn, this.lake);
      return done;
    });
    this.refreshing = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** New manifests into the lake catalog, cold views for new lake files, splits for lakes that have none, unified views. */
  async refresh(): Promise<void> {
    const next = this.refreshing.then(async () => {
      await this.catalog.sync();
      await this.ensureSplits();
      await refreshViews(this.viewsConn, this.lake);
    });
    this.refreshing = next.catch(() => undefined);
    await next;
    this.deps.events.emit('catalog.changed', { reason: 'data' });
    for (const listener of this.refreshListeners) listener();
  }

  /**
   * Takes the new manifests of `datasets` (default all) into the lake catalog, then runs `statements` and re-creates
   * their views in one transaction, in turn with every other refresh: how a job that writes the lake switches lake
   * files or tiers atomically for every reader of the workspace, and keeps the catalog current.
   */
  async commitViews(statements: readonly Statement[], datasets?: readonly string[]): Promise<void> {
    const next = this.refreshing.then(async () => {
      await this.catalog.sync(datasets);
      await refreshViews(this.viewsConn, this.lake, datasets, statements);
    });
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
      const files = (await this.catalog.files(name)).filter((f) => f.sig !== null);
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

  /**
   * `background`: the count check now and then (see MirrorSync), views refreshed only when rows moved, and on an S3
   * lake new lake files pulled (unless `pull` is false).
   */
  async syncNow(
    datasets?: readonly DatasetName[],
    ctx?: JobContext,
    options: { background?: boolean; signal?: AbortSignal; pull?: boolean } = {},
  ): Promise<SyncReport> {
    if (this.syncHold !== null) throw new WorkbenchError('CONFLICT', this.syncHold);
    await this.hotStore();
    const mirror = this.mirror;
    if (!mirror) throw new WorkbenchError('HOT_UNAVAILABLE', 'The hot store is not connected.');
    const signal = ctx?.signal ?? options.signal;
    const report = await mirror.sync({
      ...(datasets ? { datasets } : {}),
      ...(signal ? { signal } : {}),
      reconcile: options.background ? 'periodic' : 'always',
      onProgress: (p) => ctx?.progress({ phase: 'sync', fraction: p.fraction, rows: p.rows, bytes: p.bytes, message: p.message }),
      ...(ctx ? { onNote: ctx.note } : {}),
    });
    if (!options.background || report.changed) await this.refresh();
    if (options.background && options.pull !== false && this.lake.kind === 's3') await this.pullLake({ auto: true }).catch(() => undefined);
    return report;
  }

  /**
   * A write from the SQL editor reached PostgreSQL: in the desktop app and the web host (the hosts with a background
   * sync, even one turned off), an incremental sync now, so the views and dashboards show it without waiting for the
   * next scheduled sync or a Sync now. The CLI syncs only when asked (`query --sync`). Skipped while a job holds the
   * mirror (it syncs when it ends); a failure is left to the next sync, which reports it.
   */
  syncAfterWrite(): void {
    if (!this.config.backgroundSync || this.closed || this.syncHold !== null || this.deps.jobs.runningExclusive().length > 0) return;
    this.writeSync = this.syncNow(undefined, undefined, { background: true, pull: false }).then(
      () => undefined,
      () => undefined,
    );
  }

  /** True while work that replaces the tables under the mirror holds its sync off (see holdSync). */
  get syncHeld(): boolean {
    return this.syncHold !== null;
  }

  /** Why the sync is held off, or null. */
  get syncHoldReason(): string | null {
    return this.syncHold;
  }

  /**
   * Runs `fn` with the mirror's sync held off: syncNow refuses with CONFLICT and `reason`, the background sync
   * skips its turn. For work that replaces the tables under the mirror (the demo); CONFLICT if held already.
   */
  async holdSync<T>(reason: string, fn: () => Promise<T>): Promise<T> {
    if (this.syncHold !== null) throw new WorkbenchError('CONFLICT', this.syncHold);
    this.syncHold = reason;
    try {
      return await fn();
    } finally {
      this.syncHold = null;
    }
  }

  /** Waits for a sync in flight to finish (its failure is its own job's): before work that moves rows under the mirror. */
  async settleSync(): Promise<void> {
    await this.mirror?.idle();
  }

  /** Forgets what the mirror holds, so the next sync copies every dataset again (after the hot tables were replaced). */
  async resetMirror(): Promise<void> {
    await resetMirror(this.duck);
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
      const lake = await new LakeCatalog(conn, this.lake).summary();
      const datasets: DatasetStatus[] = [];
      for (const name of DATASET_NAMES) {
        const spec = DATASETS[name];
        const st = states.get(name);
        let cold: DatasetStatus['cold'] = null;
        if (spec.partitionColumn) {
          const files = lake.get(name);
          cold = {
            object: qualifiedName(COLD_SCHEMA, name),
            files: files?.files ?? 0,
            bytes: files?.bytes ?? 0,
            newestFileAt: files ? files.newest.toISOString() : null,
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
        lake: {
          kind: this.lake.kind,
          location: this.lake.location,
          ...[...lake.values()].reduce((t, d) => ({ files: t.files + d.files, bytes: t.bytes + d.bytes }), { files: 0, bytes: 0 }),
        },
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
    await this.writeSync;
    const store = await this.hotPromise?.catch(() => null);
    await this.settleSync();
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
