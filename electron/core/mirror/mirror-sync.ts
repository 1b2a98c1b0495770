import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { WorkbenchError } from '../../../shared/api/errors';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { queryNumber } from '../demo/duck-helpers';
import { HOT_SCHEMA, type HotStore } from '../hot/hot-store';
import { copyColumns, copyFormatFor, copyOut, readCopySql } from '../hot/pg-copy';
import { HOT_MIRROR_SCHEMA, META_SCHEMA, getTierState, type TierState } from './meta';
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
  mode: 'incremental' | 'full';
  rows: number;
  bytes: number;
  watermark: number;
  /** Days re-copied because the hot store and the mirror disagreed (late rows, deletes). */
  repairedDays: string[];
  elapsedMs: number;
}

export interface SyncReport {
  datasets: DatasetSyncReport[];
  rows: number;
  bytes: number;
  elapsedMs: number;
}

export interface MirrorSyncOptions {
  duck: DuckDBConnection;
  hot: HotStore;
  /** Scratch folder for the CSV hand-off. */
  tmpDir: string;
  /** ingest_id range per committed batch (default 1,000,000). */
  batchIds?: number;
}

/**
 * Mirrors the hot store into the workspace's `hot` schema through plain `pg`:
 * COPY (SELECT ...) TO STDOUT as CSV into a scratch file, then DuckDB's read_csv into the mirror table.
 *
 * Time series sync incrementally by PostgreSQL's `ingest_id`: one batch = one ingest_id range, committed
 * in one DuckDB transaction together with its watermark, so a dropped connection loses at most the batch in
 * flight and the next sync resumes after the last committed one. While DuckDB loads batch k, PostgreSQL
 * already streams batch k+1. Rows below the tier split are skipped (they live in the lake) and pruned.
 * After the increments, row counts are compared per day (same PostgreSQL snapshot bound, ingest_id <= the
 * sync's high mark); disagreeing days (late commits, deletes) are re-copied whole.
 * Master and event tables are small and change in place: full refresh, in one transaction.
 */
export class MirrorSync {
  private running: Promise<SyncReport> | null = null;

  constructor(private readonly options: MirrorSyncOptions) {}

  /** One sync at a time: a second caller joins the running one. */
  sync(request: { datasets?: readonly DatasetName[]; signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncReport> {
    this.running ??= this.run(request).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private async run(request: { datasets?: readonly DatasetName[]; signal?: AbortSignal; onProgress?: (p: SyncProgress) => void }): Promise<SyncReport> {
    const started = Date.now();
    const names = request.datasets ?? DATASET_NAMES;
    const scratch = join(this.options.tmpDir, `mirror-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(scratch, { recursive: true });
    const reports: DatasetSyncReport[] = [];
    let rows = 0;
    let bytes = 0;
    const pgClient = await this.options.hot.connect();
    try {
      const tiers = await getTierState(this.options.duck);
      for (let i = 0; i < names.length; i++) {
        if (request.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The mirror sync was cancelled; batches already committed are kept.');
        const spec = DATASETS[names[i]];
        const progress = (r: number, b: number, message: string): void =>
          request.onProgress?.({ dataset: spec.name, fraction: i / names.length, rows: rows + r, bytes: bytes + b, message });
        let report: DatasetSyncReport;
        try {
          report =
            spec.kind === 'timeseries'
              ? await this.syncIncremental(pgClient, spec, tiers.get(spec.name) ?? null, scratch, request.signal, progress)
              : await this.syncFull(pgClient, spec, scratch);
        } catch (err) {
          await this.recordError(spec.name, err);
          throw toHotError(err, spec.name);
        }
        reports.push(report);
        rows += report.rows;
        bytes += report.bytes;
        request.onProgress?.({ dataset: spec.name, fraction: (i + 1) / names.length, rows, bytes, message: `${spec.name}: ${report.rows} rows` });
      }
    } finally {
      await pgClient.end().catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
    return { datasets: reports, rows, bytes, elapsedMs: Date.now() - started };
  }

  private async recordError(dataset: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    await this.options.duck
      .run(
        `INSERT INTO ${qualifiedName(META_SCHEMA, 'mirror_state')} (dataset, attempted_at, last_error) VALUES ($1, now(), $2) ` +
          'ON CONFLICT (dataset) DO UPDATE SET attempted_at = excluded.attempted_at, last_error = excluded.last_error',
        [dataset, message.slice(0, 2000)],
      )
      .catch(() => undefined);
  }

  private async syncFull(client: pg.Client, spec: DatasetSpec, scratch: string): Promise<DatasetSyncReport> {
    const started = Date.now();
    const cols = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
    const file = join(scratch, `${spec.name}.csv`);
    const out = await copyOut(client, `SELECT ${cols} FROM ${qualifiedName(HOT_SCHEMA, spec.name)}`, file, copyFormatFor(spec));
    const duck = this.options.duck;
    await transaction(duck, async () => {
      await duck.run(`DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)}`);
      await duck.run(`INSERT INTO ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, false), copyFormatFor(spec))}`);
      await this.saveState(spec.name, 0);
    });
    await rm(file, { force: true });
    const rows = await queryNumber(duck, `SELECT count(*) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)}`);
    return { dataset: spec.name, mode: 'full', rows, bytes: out.bytes, watermark: 0, repairedDays: [], elapsedMs: Date.now() - started };
  }

  private async saveState(dataset: string, watermark: number): Promise<void> {
    await this.options.duck.run(
      `INSERT INTO ${qualifiedName(META_SCHEMA, 'mirror_state')} (dataset, watermark, rows, synced_at, attempted_at, last_error) ` +
        `VALUES ($1, $2, (SELECT count(*) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, dataset)}), now(), now(), NULL) ` +
        'ON CONFLICT (dataset) DO UPDATE SET watermark = excluded.watermark, rows = excluded.rows, synced_at = excluded.synced_at, ' +
        'attempted_at = excluded.attempted_at, last_error = NULL',
      [dataset, watermark],
    );
  }

  private async syncIncremental(
    client: pg.Client,
    spec: DatasetSpec,
    tier: TierState | null,
    scratch: string,
    signal: AbortSignal | undefined,
    progress: (rows: number, bytes: number, message: string) => void,
  ): Promise<DatasetSyncReport> {
    const started = Date.now();
    const duck = this.options.duck;
    const name = spec.name;
    const pgTable = qualifiedName(HOT_SCHEMA, name);
    const mirror = qualifiedName(HOT_MIRROR_SCHEMA, name);
    const ingest = quoteIdent(INGEST_COLUMN);
    const splitCol = quoteIdent(spec.splitColumn ?? 'ts');
    const cols = [...spec.columns.map((c) => quoteIdent(c.name)), ingest].join(', ');
    // The hot tier's rows: at or after the split, or below it but not archived (late rows). See views.ts.
    const visiblePg = tier === null ? null : hotVisibleSql(spec, tier, 'postgres');
    const visibleDuck = hotVisibleSql(spec, tier, 'duckdb');

    const state = await duck.runAndReadAll(`SELECT watermark FROM ${qualifiedName(META_SCHEMA, 'mirror_state')} WHERE dataset = $1`, [name]);
    const stateRows = state.getRowObjectsJson();
    let watermark = stateRows.length > 0 ? Number(stateRows[0].watermark) : 0;
    const hiRes = await client.query<{ hi: string | null }>(`SELECT max(${ingest})::text AS hi FROM ${pgTable}`);
    const high = Number(hiRes.rows[0]?.hi ?? 0);
    // The mirror is ahead of the hot store: it was reset or replaced. Start over.
    if (watermark > high) {
      await transaction(duck, async () => {
        await duck.run(`DELETE FROM ${mirror}`);
        await this.saveState(name, 0);
      });
      watermark = 0;
    }

    const batchIds = this.options.batchIds ?? 1_000_000;
    let rows = 0;
    let bytes = 0;
    let loading: Promise<void> = Promise.resolve();
    let loadError: unknown = null;
    try {
      while (watermark < high) {
        if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The mirror sync was cancelled; batches already committed are kept.');
        const lo = watermark;
        const hi = Math.min(high, lo + batchIds);
        const file = join(scratch, `${name}-${lo}-${hi}.csv`);
        const where = `${ingest} > ${lo} AND ${ingest} <= ${hi}` + (visiblePg === null ? '' : ` AND ${visiblePg}`);
        const out = await copyOut(client, `SELECT ${cols} FROM ${pgTable} WHERE ${where}`, file, copyFormatFor(spec));
        await loading;
        if (loadError) throw loadError;
        bytes += out.bytes;
        loading = (async () => {
          await transaction(duck, async () => {
            await duck.run(`DELETE FROM ${mirror} WHERE ${ingest} > ${lo} AND ${ingest} <= ${hi}`);
            await duck.run(`INSERT INTO ${mirror} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, true), copyFormatFor(spec))}`);
            await this.saveStateFast(name, hi);
          });
          await rm(file, { force: true });
        })().catch((err: unknown) => {
          loadError = err;
        });
        watermark = hi;
        rows += out.rows;
        progress(rows, bytes, `${name}: ${rows.toLocaleString('en-US')} rows`);
      }
      await loading;
      if (loadError) throw loadError;
    } finally {
      await loading.catch(() => undefined);
    }

    // Rows below the split that were archived live in the lake now: drop them from the mirror.
    await duck.run(`DELETE FROM ${mirror} WHERE NOT ${visibleDuck}`);

    // Reconcile: same bound on both sides (ingest_id <= high, at or after the split).
    const repairedDays: string[] = [];
    const pgWhere = `${ingest} <= ${high}` + (visiblePg === null ? '' : ` AND ${visiblePg}`);
    const pgCount = Number(
      (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pgTable} WHERE ${pgWhere}`)).rows[0]?.n ?? 0,
    );
    const mirrorCount = await queryNumber(duck, `SELECT count(*) FROM ${mirror} WHERE ${ingest} <= ${high}`);
    if (pgCount !== mirrorCount) {
      const pgDays = await client.query<{ day: string; n: string }>(
        `SELECT to_char(${splitCol} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::text AS n FROM ${pgTable} WHERE ${pgWhere} GROUP BY 1`,
      );
      const duckDays = (
        await duck.runAndReadAll(
          `SELECT strftime(${splitCol} AT TIME ZONE 'UTC', '%Y-%m-%d') AS day, count(*) AS n FROM ${mirror} WHERE ${ingest} <= ${high} GROUP BY 1`,
        )
      ).getRowObjectsJson();
      const want = new Map(pgDays.rows.map((r) => [r.day, Number(r.n)]));
      const have = new Map(duckDays.map((r) => [String(r.day), Number(r.n)]));
      for (const day of new Set([...want.keys(), ...have.keys()])) {
        if ((want.get(day) ?? 0) !== (have.get(day) ?? 0)) repairedDays.push(day);
      }
      repairedDays.sort();
      for (const day of repairedDays) {
        const from = `${day}T00:00:00Z`;
        const file = join(scratch, `${name}-repair-${day}.csv`);
        const dayWhere = `${pgWhere} AND ${splitCol} >= ${quoteLiteral(from)}::timestamptz AND ${splitCol} < ${quoteLiteral(from)}::timestamptz + interval '1 day'`;
        const out = await copyOut(client, `SELECT ${cols} FROM ${pgTable} WHERE ${dayWhere}`, file, copyFormatFor(spec));
        await transaction(duck, async () => {
          await duck.run(
            `DELETE FROM ${mirror} WHERE ${ingest} <= ${high} AND ${splitCol} >= CAST(${quoteLiteral(from)} AS TIMESTAMPTZ) ` +
              `AND ${splitCol} < CAST(${quoteLiteral(from)} AS TIMESTAMPTZ) + INTERVAL 1 DAY`,
          );
          await duck.run(`INSERT INTO ${mirror} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, true), copyFormatFor(spec))}`);
        });
        await rm(file, { force: true });
        rows += out.rows;
        bytes += out.bytes;
      }
    }
    await this.saveState(name, watermark);
    return { dataset: name, mode: 'incremental', rows, bytes, watermark, repairedDays, elapsedMs: Date.now() - started };
  }

  /** Watermark only (the row count is refreshed at the end of the dataset's sync). */
  private async saveStateFast(dataset: string, watermark: number): Promise<void> {
    await this.options.duck.run(
      `INSERT INTO ${qualifiedName(META_SCHEMA, 'mirror_state')} (dataset, watermark, attempted_at) VALUES ($1, $2, now()) ` +
        'ON CONFLICT (dataset) DO UPDATE SET watermark = excluded.watermark, attempted_at = excluded.attempted_at',
      [dataset, watermark],
    );
  }
}

async function transaction(duck: DuckDBConnection, fn: () => Promise<void>): Promise<void> {
  await duck.run('BEGIN TRANSACTION');
  try {
    await fn();
    await duck.run('COMMIT');
  } catch (err) {
    await duck.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function toHotError(err: unknown, dataset: string): unknown {
  if (err instanceof WorkbenchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WorkbenchError(
    'HOT_UNAVAILABLE',
    `Syncing ${dataset} from PostgreSQL failed: ${message}. Batches already committed are kept; sync again to resume.`,
    message,
  );
}
