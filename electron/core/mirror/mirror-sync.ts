// Over 400 lines on purpose: one sync algorithm (high marks, id ranges loaded while the next one streams, the
// fallback for tables without change tracking), whose invariants the MirrorSync comment states in one place. The count
// check lives in mirror-reconcile.ts, the mirror_state rows in meta.ts.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import {
  DATASET_NAMES,
  DATASETS,
  INGEST_COLUMN,
  type ColumnSpec,
  type DatasetName,
  type DatasetSpec,
} from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, isOutOfMemory, queryRows } from '../engine/duck-query';
import { highMark, pruneChangeLog, prunedThrough, trackingStates, waitForWriters, type TrackingState } from '../hot/change-log';
import { CHANGE_SCHEMA, changeLogTable, createHotTable, ensureChangeTracking, HOT_SCHEMA, indexSql } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { copyColumns, copyFormatFor, copyOut, readCopySql } from '../hot/pg-copy';
import {
  emptyHotTable,
  HOT_MIRROR_SCHEMA,
  META_SCHEMA,
  getMirrorWatermark,
  getTierState,
  recordMirrorError,
  saveMirrorState,
  saveMirrorWatermark,
  saveUnorderedRows,
  type TierState,
} from './meta';
import { clusterOrderSql, keepClustered } from './mirror-layout';
import { reconcileDays } from './mirror-reconcile';
import { hotVisibleSql } from './views';

export interface SyncProgress {
  dataset: string;
  /** Datasets finished / all datasets of this sync. */
  fraction: number;
  rows: number;
  bytes: number;
  message: string;
}

export interface DatasetSyncReport {
  dataset: DatasetName;
  /**
   * incremental: the ids handed out since the last sync (new and changed rows, keys of changed and deleted ones);
   * full: the whole table (first sync, a replaced hot store, a change log pruned past the mirror, no change tracking).
   */
  mode: 'incremental' | 'full';
  /** Rows copied from PostgreSQL. */
  rows: number;
  /** Keys of updated or deleted rows applied from the change log. */
  changes: number;
  /** Mirror rows dropped otherwise: a mirror starting over, rows archived to the lake (below the split). */
  removed: number;
  bytes: number;
  watermark: number;
  /** Days re-copied because the hot store and the mirror disagreed on a count (the safety net; 'all' for master data). */
  repairedDays: string[];
  /** A time series' mirror table was rewritten in (key, time) order (see mirror-layout.ts). */
  clustered: boolean;
  /** 'triggers': changes are tracked in PostgreSQL; 'none': they could not be (see note), so every sync copies the table. */
  tracking: 'triggers' | 'none';
  /** Why this dataset was not simply synced incrementally, or null. */
  note: string | null;
  elapsedMs: number;
}

export interface SyncReport {
  datasets: DatasetSyncReport[];
  rows: number;
  bytes: number;
  /** Something reached the mirror (rows, deleted keys, repairs): views and rollups need a refresh. */
  changed: boolean;
  elapsedMs: number;
}

export interface MirrorSyncOptions {
  duck: DuckDBConnection;
  hot: HotStore;
  /** Scratch folder for the CSV hand-off. */
  tmpDir: string;
  /** ingest_id range per committed batch (default 1,000,000). */
  batchIds?: number;
  /** How long a sync waits for transactions still writing to the hot tables (default 2 s; see waitForWriters). */
  settleMs?: number;
  /**
   * Runs work whose memory would grow with the table (a copy in full, more than SMALL_SYNC_IDS ids, a clustering)
   * under the workspace's job memory budget (Engine.withJobMemory). A small incremental sync leaves the limit alone.
   */
  memoryBudget?: <T>(fn: () => Promise<T>, onUnheld?: (message: string) => void) => Promise<T>;
}

export interface SyncRequest {
  datasets?: readonly DatasetName[];
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** What the user should know about how the sync ran (a sync job's notes): that it ran without its memory budget. */
  onNote?: (message: string) => void;
  /**
   * The per-day count check, the safety net for changes no trigger saw (a TRUNCATE by hand). It counts the
   * table, so it is not free: 'always' (default: Sync now, the start-up sync), or 'periodic' (background
   * syncs: a dataset that changed since its last check, at most every RECONCILE_EVERY_MS).
   */
  reconcile?: 'always' | 'periodic';
}

/** A dataset sync of at most this many ids since the last one runs without the memory budget (see MirrorSyncOptions). */
export const SMALL_SYNC_IDS = 100_000;

/** How often a background sync compares a changed dataset's counts with PostgreSQL. */
const RECONCILE_EVERY_MS = 15 * 60_000;

/** Retry creating change tracking that failed (e.g. missing rights) after this long. */
const TRACKING_RETRY_MS = 10 * 60_000;
/** Prune change logs at most this often. */
const PRUNE_EVERY_MS = 60 * 60_000;

interface Marks {
  /** The highest id the table has handed out when the sync began. */
  high: number;
  /** Change-log entries up to this id may be gone. */
  prunedThrough: number;
  /** Transactions still writing when the sync gave up waiting: ids up to `high` may not be final. */
  openWriters: number;
}

/**
 * Mirrors the hot store into the workspace's `hot` schema through plain `pg`:
 * COPY (SELECT ...) TO STDOUT into a scratch file, then DuckDB's read_csv into the mirror table.
 *
 * Every dataset syncs by PostgreSQL's `ingest_id`: each hot table hands out ids from one sequence to new
 * rows, to the new versions of updated rows and to the change-log entries (the old keys) of updated and
 * deleted rows (see change tracking in hot-schema.ts). A sync reads the table's highest id, waits for the
 * transactions writing to it (so every id below is final), then applies the ids since the last sync in
 * ranges (lo, hi]: in ONE DuckDB transaction per range the logged keys are deleted, the range's rows are
 * inserted and the watermark advances. A dropped connection loses at most the range in flight; while
 * DuckDB loads range k, PostgreSQL already streams range k+1. The cost follows the changes, not the table.
 * Rows below the tier split that were archived are skipped (they live in the lake) and pruned.
 * After the ranges, when something changed (or always, unless asked otherwise), row counts are compared
 * per day (ids up to the sync's high mark on both sides); disagreeing days are re-copied whole.
 * A table whose change tracking cannot be created (an external PostgreSQL whose tables the user does not
 * own) is copied in full at every sync, and the report says why.
 */
export class MirrorSync {
  private running: Promise<SyncReport> | null = null;
  /** The run that starts when `running` ends, shared by every caller that arrived meanwhile (see sync). */
  private next: FollowUp | null = null;
  private mirrorReady = false;
  private lastPrune = 0;
  private readonly untracked = new Map<string, { reason: string; at: number }>();
  /** Per dataset: when its counts were last compared, and whether it changed since. */
  private readonly checked = new Map<string, { at: number; dirty: boolean }>();

  constructor(private readonly options: MirrorSyncOptions) {}

  /**
   * One sync at a time. A caller that finds one running gets the next run, not the running one: that one read its
   * high marks before the call, so it may miss what the caller just wrote (a "Sync now" after an UPDATE). Every
   * caller that arrives while the next run waits shares it; it syncs what any of them asked for.
   */
  sync(request: SyncRequest = {}): Promise<SyncReport> {
    if (this.running === null) return this.start(request);
    this.next ??= new FollowUp();
    return this.next.join(request);
  }

  /** Resolves when no sync runs or waits to run (their failures are their callers'). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running.catch(() => undefined);
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private start(request: SyncRequest): Promise<SyncReport> {
    const running = this.run(request).finally(() => {
      // The next run starts in the same turn, so no caller in between can start a second one beside it.
      const next = this.next;
      this.next = null;
      this.running = next ? next.begin((r) => this.start(r)) : null;
    });
    this.running = running;
    return running;
  }

  private async run(request: SyncRequest): Promise<SyncReport> {
    const started = Date.now();
    const names = request.datasets ?? DATASET_NAMES;
    const reports: DatasetSyncReport[] = [];
    if (names.length === 0) return { datasets: reports, rows: 0, bytes: 0, changed: false, elapsedMs: 0 };
    const scratch = join(this.options.tmpDir, `mirror-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(scratch, { recursive: true });
    let rows = 0;
    let bytes = 0;
    const pgClient = await this.options.hot.connect('mirror');
    try {
      await this.ensureMirrorTables();
      const tiers = await getTierState(this.options.duck);
      let states: Map<string, TrackingState>;
      const marks = new Map<string, Marks>();
      try {
        states = await this.prepareTracking(pgClient, names);
        const tracked = names.filter((n) => states.get(n)?.tracked && states.get(n)?.readable);
        await this.pruneChangeLogs(pgClient, tracked);
        const pruned = tracked.length > 0 ? await prunedThrough(pgClient) : new Map<string, number>();
        for (const name of tracked) {
          // Pruned ids were handed out too (a role that cannot read the sequence sees only the ids still stored).
          const prunedMark = pruned.get(name) ?? 0;
          marks.set(name, { high: Math.max(await highMark(pgClient, name), prunedMark), prunedThrough: prunedMark, openWriters: 0 });
        }
        const open = await waitForWriters(pgClient, tracked, this.options.settleMs ?? 2000);
        for (const m of marks.values()) m.openWriters = open;
      } catch (err) {
        throw toHotError(err, 'the hot store');
      }
      for (let i = 0; i < names.length; i++) {
        if (request.signal?.aborted)
          throw new WorkbenchError('CANCELLED', 'The mirror sync was cancelled; batches already committed are kept.');
        const spec = DATASETS[names[i]];
        const progress = (r: number, b: number, message: string): void =>
          request.onProgress?.({ dataset: spec.name, fraction: i / names.length, rows: rows + r, bytes: bytes + b, message });
        let report: DatasetSyncReport;
        try {
          const mark = marks.get(spec.name);
          const tier = tiers.get(spec.name) ?? null;
          const work = (): Promise<DatasetSyncReport> =>
            mark
              ? this.syncTracked(pgClient, spec, tier, mark, scratch, request, progress)
              : this.syncFull(
                  pgClient,
                  spec,
                  tier,
                  states.get(spec.name)?.ingest ?? false,
                  this.untracked.get(spec.name)?.reason ?? null,
                  scratch,
                );
          report = (await this.isLarge(spec.name, mark)) ? await this.bounded(work, request.onNote) : await work();
        } catch (err) {
          await recordMirrorError(this.options.duck, spec.name, errorMessage(err));
          throw toHotError(err, spec.name);
        }
        reports.push(report);
        rows += report.rows;
        bytes += report.bytes;
        request.onProgress?.({
          dataset: spec.name,
          fraction: (i + 1) / names.length,
          rows,
          bytes,
          message: `${spec.name}: ${report.rows} rows`,
        });
      }
    } finally {
      await pgClient.end().catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
    const changed = reports.some((d) => d.rows > 0 || d.changes > 0 || d.removed > 0 || d.repairedDays.length > 0);
    return { datasets: reports, rows, bytes, changed, elapsedMs: Date.now() - started };
  }

  /**
   * `fn` under the memory budget, when there is one. A mirror far above the usual size can still run out of it (what
   * a DuckDB transaction deletes is held in memory it cannot spill, about 8 bytes a row; a copy in full and a
   * clustering empty the table by making it again, see emptyHotTable, but a range deletes its rows): `fn` (a range,
   * a copy in full, a clustering: each one transaction, rolled back on failure, after the budget is lifted, and
   * resumed from the watermark) then runs again under the workspace's limit rather than fail the sync.
   */
  private async bounded<T>(fn: () => Promise<T>, onUnheld?: (message: string) => void): Promise<T> {
    if (!this.options.memoryBudget) return fn();
    try {
      return await this.options.memoryBudget(fn, onUnheld);
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      return fn();
    }
  }

  /** A dataset sync that copies the table in full, or more than SMALL_SYNC_IDS ids (see syncTracked for the cases). */
  private async isLarge(name: string, mark: Marks | undefined): Promise<boolean> {
    if (!mark) return true;
    const watermark = await getMirrorWatermark(this.options.duck, name);
    return watermark === 0 || watermark > mark.high || mark.prunedThrough > watermark || mark.high - watermark > SMALL_SYNC_IDS;
  }

  /**
   * Mirror tables from before every dataset carried an ingest_id get the column, and the whole mirror is
   * copied again once (rows without ids could not be matched with their changes).
   */
  private async ensureMirrorTables(): Promise<void> {
    if (this.mirrorReady) return;
    const duck = this.options.duck;
    const have = new Set(
      (
        await queryRows(duck, 'SELECT table_name FROM duckdb_columns() WHERE schema_name = $1 AND column_name = $2', [
          HOT_MIRROR_SCHEMA,
          INGEST_COLUMN,
        ])
      ).map((r) => String(r.table_name)),
    );
    const missing = DATASET_NAMES.filter((n) => !have.has(n));
    if (missing.length > 0) {
      await inTransaction(duck, async () => {
        for (const n of missing)
          await duck.run(`ALTER TABLE ${qualifiedName(HOT_MIRROR_SCHEMA, n)} ADD COLUMN ${quoteIdent(INGEST_COLUMN)} BIGINT`);
        for (const n of DATASET_NAMES) await duck.run(`DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, n)}`);
        await duck.run(`UPDATE ${qualifiedName(META_SCHEMA, 'mirror_state')} SET watermark = 0`);
      });
    }
    this.mirrorReady = true;
  }

  /** Change tracking per dataset, created where missing (and allowed); a failure is retried after a while. */
  private async prepareTracking(client: pg.Client, names: readonly DatasetName[]): Promise<Map<string, TrackingState>> {
    const states = await trackingStates(client, names);
    await this.createMissingTables(
      states,
      names.filter((n) => !states.get(n)?.table),
      names.some((n) => states.get(n)?.table),
    );
    for (const name of names) {
      const st = states.get(name);
      if (st?.tracked && !st.readable) {
        this.untracked.set(name, {
          reason: `This PostgreSQL role may not read ${name}'s change log (GRANT USAGE ON SCHEMA ${CHANGE_SCHEMA} and SELECT ON ALL TABLES IN SCHEMA ${CHANGE_SCHEMA} to it)`,
          at: Date.now(),
        });
        continue;
      }
      if (!st?.table || st.tracked) continue;
      const failed = this.untracked.get(name);
      if (failed && Date.now() - failed.at < TRACKING_RETRY_MS) continue;
      // Triggers are the tables' owner's to install (setup work); the mirror's own role only reads.
      const reason = await this.options.hot
        .withClient('owner', async (owner) => {
          const failure = await ensureChangeTracking(owner, DATASETS[name]);
          if (failure === null) await this.options.hot.grantTaskRoles(owner);
          return failure;
        })
        .catch((err: unknown) => errorMessage(err));
      if (reason === null) {
        this.untracked.delete(name);
        states.set(name, { table: true, ingest: true, tracked: true, readable: true });
      } else {
        this.untracked.set(name, { reason: `PostgreSQL refused change tracking on ${name} (${reason})`, at: Date.now() });
        // The identity may have been added before the failure, or exist already.
        states.set(name, { ...st, ingest: (await trackingStates(client, [name])).get(name)?.ingest ?? false });
      }
    }
    return states;
  }

  /**
   * A hot store from before a dataset was added (e.g. environmental_sensor) lacks its table: it is created, empty, with
   * its keys and change tracking, as the tables' owner, so the sync goes on. Only in a store that holds the workbench's
   * other tables (`others`): an empty store is the demo's or a conversion's to fill.
   */
  private async createMissingTables(states: Map<string, TrackingState>, missing: readonly DatasetName[], others: boolean): Promise<void> {
    if (missing.length === 0 || !others) return;
    await this.options.hot
      .withClient('owner', async (owner) => {
        for (const name of missing) {
          await createHotTable(owner, DATASETS[name]);
          for (const sql of indexSql(DATASETS[name])) await owner.query(sql);
          await ensureChangeTracking(owner, DATASETS[name], { throwOnFailure: true });
          states.set(name, { table: true, ingest: true, tracked: true, readable: true });
        }
        await this.options.hot.grantTaskRoles(owner);
      })
      .catch((err: unknown) => {
        throw new WorkbenchError(
          'HOT_UNAVAILABLE',
          `The hot store has no ${missing.join(', ')} table and it could not be created (${errorMessage(err)}).`,
          'Create it as the owner of the other workbench tables (open the workspace once with that role), or generate the demo again.',
        );
      });
  }

  /** Old change-log entries go, at most once an hour; a role that may not delete them leaves them. */
  private async pruneChangeLogs(client: pg.Client, tracked: readonly string[]): Promise<void> {
    if (tracked.length === 0 || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    for (const name of tracked) await pruneChangeLog(client, name).catch(() => undefined);
  }

  /** The fallback without change tracking: the whole table (a time series: its hot rows), in one transaction. */
  private async syncFull(
    client: pg.Client,
    spec: DatasetSpec<DatasetName>,
    tier: TierState | null,
    hasIngest: boolean,
    reason: string | null,
    scratch: string,
  ): Promise<DatasetSyncReport> {
    const started = Date.now();
    const cols = [...spec.columns.map((c) => quoteIdent(c.name)), quoteIdent(INGEST_COLUMN)].join(', ');
    const select = [...spec.columns.map((c) => quoteIdent(c.name)), hasIngest ? quoteIdent(INGEST_COLUMN) : '0::bigint'].join(', ');
    let where = '';
    if (spec.kind === 'timeseries' && tier !== null) {
      where = ` WHERE ${hasIngest ? hotVisibleSql(spec, tier, 'postgres') : `${quoteIdent(spec.splitColumn ?? 'ts')} >= ${quoteLiteral(tier.split)}::timestamptz`}`;
    }
    const file = join(scratch, `${spec.name}.csv`);
    const out = await copyOut(client, `SELECT ${select} FROM ${qualifiedName(HOT_SCHEMA, spec.name)}${where}`, file, copyFormatFor(spec));
    const duck = this.options.duck;
    let removed = 0;
    await inTransaction(duck, async () => {
      removed = await emptyHotTable(duck, spec);
      await duck.run(
        `INSERT INTO ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, true), copyFormatFor(spec))}${clusterOrderSql(spec)}`,
      );
      await saveMirrorState(duck, spec.name, 0);
      await saveUnorderedRows(duck, spec.name, 0);
    });
    await rm(file, { force: true });
    const note = `${reason ?? `${spec.name} has no change tracking in PostgreSQL`}: every sync copies the whole table. Let the table's owner open the workspace once, or create the tracking as the owner, to sync only the changes.`;
    return {
      dataset: spec.name,
      mode: 'full',
      rows: out.rows,
      changes: 0,
      removed,
      bytes: out.bytes,
      watermark: 0,
      repairedDays: [],
      clustered: spec.kind === 'timeseries',
      tracking: 'none',
      note,
      elapsedMs: Date.now() - started,
    };
  }

  private async syncTracked(
    client: pg.Client,
    spec: DatasetSpec<DatasetName>,
    tier: TierState | null,
    mark: Marks,
    scratch: string,
    { reconcile = 'always', signal, onNote }: SyncRequest,
    progress: (rows: number, bytes: number, message: string) => void,
  ): Promise<DatasetSyncReport> {
    const started = Date.now();
    const duck = this.options.duck;
    const name = spec.name;
    const pgTable = qualifiedName(HOT_SCHEMA, name);
    const pgLog = changeLogTable(name);
    const mirror = qualifiedName(HOT_MIRROR_SCHEMA, name);
    const ingest = quoteIdent(INGEST_COLUMN);
    const cols = [...spec.columns.map((c) => quoteIdent(c.name)), ingest].join(', ');
    const keys = keyColumnsOf(spec);
    const keyList = keys.map((k) => quoteIdent(k.name)).join(', ');
    const keyMatch = keys.map((k) => `m.${quoteIdent(k.name)} = k.${quoteIdent(k.name)}`).join(' AND ');
    const format = copyFormatFor(spec);
    const keyFormat = copyFormatFor({ columns: keys });
    // A time series mirrors its hot tier's rows only: at or after the split, or below it but not archived (late rows). See views.ts.
    const timeseries = spec.kind === 'timeseries';
    const visiblePg = timeseries && tier !== null ? hotVisibleSql(spec, tier, 'postgres') : null;

    let watermark = await getMirrorWatermark(duck, name);
    const high = mark.high;
    let note: string | null = null;
    if (watermark > high) {
      note = 'The hot table was replaced (its ids are below the mirror’s watermark): copied in full.';
      watermark = 0;
    } else if (watermark > 0 && mark.prunedThrough > watermark) {
      note = 'The mirror was last synced before the oldest entry left in the change log: copied in full.';
      watermark = 0;
    }
    // From 0 (first sync, or starting over) the mirror's rows are replaced, in the first range's transaction.
    const fresh = watermark === 0;
    const from = watermark;
    // Transactions still writing may hold ids below the mark: keep the watermark so the next sync reads the range again.
    const settled = mark.openWriters === 0;
    if (!settled)
      note = `${mark.openWriters} PostgreSQL transaction(s) writing to the hot store were still open; the ids since ${from} are read again at the next sync.`;
    const advance = (hi: number): number => (settled ? hi : from);

    const batchIds = this.options.batchIds ?? 1_000_000;
    let rows = 0;
    let changes = 0;
    let removed = 0;
    let bytes = 0;
    let wipe = fresh;
    let loading: Promise<void> = Promise.resolve();
    let loadError: unknown = null;
    try {
      while (watermark < high) {
        if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The mirror sync was cancelled; batches already committed are kept.');
        const lo = watermark;
        const hi = Math.min(high, lo + batchIds);
        const file = join(scratch, `${name}-${lo}-${hi}.rows`);
        const keyFile = join(scratch, `${name}-${lo}-${hi}.keys`);
        const where = `${ingest} > ${lo} AND ${ingest} <= ${hi}` + (visiblePg === null ? '' : ` AND ${visiblePg}`);
        const out = await copyOut(client, `SELECT ${cols} FROM ${pgTable} WHERE ${where}`, file, format);
        const gone = wipe
          ? { rows: 0, bytes: 0 }
          : await copyOut(client, `SELECT ${keyList} FROM ${pgLog} WHERE change_id > ${lo} AND change_id <= ${hi}`, keyFile, keyFormat);
        await loading;
        if (loadError) throw loadError;
        bytes += out.bytes + gone.bytes;
        const clearAll = wipe;
        loading = (async () => {
          await inTransaction(duck, async () => {
            if (clearAll) {
              removed += await emptyHotTable(duck, spec);
            } else {
              // The logged keys first, then the range itself (so a range read again is not doubled).
              if (gone.rows > 0) {
                await duck.run(
                  `DELETE FROM ${mirror} AS m USING (SELECT DISTINCT * FROM ${readCopySql(keyFile, keys, keyFormat)}) AS k WHERE ${keyMatch}`,
                );
              }
              await duck.run(`DELETE FROM ${mirror} WHERE ${ingest} > ${lo} AND ${ingest} <= ${hi}`);
            }
            if (out.rows > 0)
              await duck.run(
                `INSERT INTO ${mirror} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, true), format)}${clusterOrderSql(spec)}`,
              );
            await saveMirrorWatermark(duck, name, advance(hi));
          });
          await rm(file, { force: true });
          await rm(keyFile, { force: true });
        })().catch((err: unknown) => {
          loadError = err;
        });
        wipe = false;
        watermark = hi;
        rows += out.rows;
        changes += gone.rows;
        progress(rows, bytes, `${name}: ${rows.toLocaleString('en-US')} rows`);
      }
      await loading;
      if (loadError) throw loadError;
    } finally {
      await loading.catch(() => undefined);
    }
    // Nothing to copy, but starting over: the mirror is emptied all the same.
    if (wipe) removed += await inTransaction(duck, () => emptyHotTable(duck, spec));

    // Rows below the split that were archived live in the lake now: drop them from the mirror.
    if (timeseries) removed += (await duck.run(`DELETE FROM ${mirror} WHERE NOT ${hotVisibleSql(spec, tier, 'duckdb')}`)).rowsChanged;

    // Reconcile: same bound on both sides (ids up to the high mark; a time series' hot rows).
    let repairedDays: string[] = [];
    const last = this.checked.get(name) ?? { at: 0, dirty: true };
    const dirty = last.dirty || rows + changes > 0;
    const due = settled && !fresh && (reconcile === 'always' || (dirty && Date.now() - last.at >= RECONCILE_EVERY_MS));
    if (due) {
      const repair = await reconcileDays({ client, duck, spec, high, visiblePg, scratch });
      repairedDays = repair.repairedDays;
      rows += repair.rows;
      bytes += repair.bytes;
    }
    // A settled full copy needs no check; an unsettled range is read again anyway.
    this.checked.set(name, due || (settled && fresh) ? { at: Date.now(), dirty: false } : { at: last.at, dirty });
    // One jar's read stays narrow: appended rows are counted, and the table is clustered again past a threshold.
    // The rows are committed already: a clustering that fails (e.g. a write conflict) is tried again at the next sync.
    const clustered = await keepClustered(duck, spec, rows, fresh, (fn) => this.bounded(fn, onNote)).catch(() => false);
    await saveMirrorState(duck, name, advance(high));
    return {
      dataset: name,
      // An empty table stays at watermark 0: nothing was copied in full.
      mode: fresh && (high > 0 || removed > 0) ? 'full' : 'incremental',
      rows,
      changes,
      removed,
      bytes,
      watermark: advance(high),
      repairedDays,
      clustered,
      tracking: 'triggers',
      note,
      elapsedMs: Date.now() - started,
    };
  }
}

/** A dataset's key columns, in key order (what its change log records). */
function keyColumnsOf(spec: DatasetSpec<DatasetName>): ColumnSpec[] {
  return spec.primaryKey.map((k) => {
    const col = spec.columns.find((c) => c.name === k);
    if (!col) throw new Error(`${spec.name}: key column ${k} is not a column`);
    return col;
  });
}

function toHotError(err: unknown, dataset: string): unknown {
  if (err instanceof WorkbenchError) return err;
  const message = errorMessage(err);
  return new WorkbenchError(
    'HOT_UNAVAILABLE',
    `Syncing ${dataset} from PostgreSQL failed: ${message}. Batches already committed are kept; sync again to resume.`,
    message,
  );
}

/** The sync run that waits for the running one: its callers' requests merged, one promise for all of them. */
class FollowUp {
  private readonly done: Promise<SyncReport>;
  private settle: (run: Promise<SyncReport>) => void = () => undefined;
  /** null: every dataset. */
  private datasets: Set<DatasetName> | null = new Set();
  private reconcile: SyncRequest['reconcile'] = 'periodic';
  private readonly requests: SyncRequest[] = [];
  /** Cancelled only when every caller that shares the run has cancelled (a caller without a signal never does). */
  private readonly abort = new AbortController();

  constructor() {
    this.done = new Promise<SyncReport>((resolve, reject) => {
      this.settle = (run) => void run.then(resolve, reject);
    });
  }

  join(request: SyncRequest): Promise<SyncReport> {
    this.requests.push(request);
    if (!request.datasets) this.datasets = null;
    else for (const d of request.datasets) this.datasets?.add(d);
    if (request.reconcile !== 'periodic') this.reconcile = 'always';
    request.signal?.addEventListener('abort', () => this.cancelIfAllCancelled(), { once: true });
    this.cancelIfAllCancelled();
    return this.done;
  }

  /** Starts the run with the merged request; returns it. */
  begin(start: (request: SyncRequest) => Promise<SyncReport>): Promise<SyncReport> {
    const run = start({
      ...(this.datasets ? { datasets: DATASET_NAMES.filter((d) => this.datasets?.has(d)) } : {}),
      reconcile: this.reconcile,
      signal: this.abort.signal,
      onProgress: (p) => {
        for (const r of this.requests) r.onProgress?.(p);
      },
      onNote: (m) => {
        for (const r of this.requests) r.onNote?.(m);
      },
    });
    this.settle(run);
    return run;
  }

  private cancelIfAllCancelled(): void {
    if (this.requests.every((r) => r.signal?.aborted === true)) this.abort.abort();
  }
}
