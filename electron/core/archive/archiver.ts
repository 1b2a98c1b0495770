import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { ArchivableDataset, ArchiveReport, ArchiveRequest, BatchReport, DryRunDataset } from '../../../shared/api/archive';
import { WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, INGEST_COLUMN, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { exists, sweepStaleTemps } from '../files/atomic';
import { HOT_SCHEMA, type HotStore } from '../hot/hot-store';
import type { LocalLake } from '../lake/local-lake';
import { writeManifest } from '../lake/manifest';
import { dayPartitionName, ensureUpcomingPartitions, leafRelationsSql, nextUtcDay, partitionHasDayBounds, totalBytesSql } from '../hot/hot-schema';
import { copyColumns, copyFormatFor, copyOut, copyToFile, readCopySql, type CopyFormat } from '../hot/pg-copy';
import { digestFromRow, digestQuery, sameDigest, type BatchDigest } from './checksum';
import type { ArchiveJournal, BatchRecord } from './state';

/** The tables whose snapshot goes to `<lake>/master/<table>/snapshot=<date>/` so cold data stays interpretable. */
export const MASTER_TABLES = ['location', 'battery_model', 'battery_system', 'battery_string', 'battery'] as const;

/** Hidden lake files: published on disk but not yet part of the unified views (see views.ts). */
export const LAKE_HIDDEN_TABLE = qualifiedName('_workbench', 'lake_hidden');

const ADVISORY_KEY = "hashtext('battery-workbench:archive')";
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Parquet bytes per row when the lake has nothing to learn from (zstd telemetry measures ~2-4). */
const DEFAULT_PARQUET_BYTES_PER_ROW = 6;

export interface ArchiveProgress {
  phase: string;
  fraction: number | null;
  rows: number;
  bytes: number;
  message: string;
}

export interface ArchiverDeps {
  /** The archiver's own workspace connection. */
  duck: DuckDBConnection;
  hot: HotStore;
  lake: LocalLake;
  tmpDir: string;
  journal: ArchiveJournal;
  /**
   * Runs `statements` and re-creates the unified views in ONE DuckDB transaction, so a batch becomes
   * visible in the lake and invisible in the hot tier at the same instant. Only `dataset`'s views change.
   */
  commitVisibility(statements: { sql: string; values?: (string | number | null)[] }[], dataset: DatasetName): Promise<void>;
  signal?: AbortSignal;
  onProgress?: (p: ArchiveProgress) => void;
  now?: () => Date;
  /** Fault tests: called at each named step (as the kill switch), with the batch's staged file if any. */
  atStep?: (step: string, stagedPath: string | null) => Promise<void>;
}

function timeColumnOf(spec: DatasetSpec): string {
  if (!spec.splitColumn) throw new WorkbenchError('INVALID_REQUEST', `${spec.name} has no time column to archive by.`);
  return spec.splitColumn;
}

/** The start (UTC) of the day `days` days before `now`. */
export function cutoffFor(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}

/**
 * Fault-test switch: `BW_ARCHIVE_KILL_AT=<step>` SIGKILLs the process when a batch reaches that step
 * (export, export:after, verify, publish, publish:linked, delete, delete:before-commit, delete:after, cleanup).
 */
function killSwitch(step: string): void {
  if (process.env.BW_ARCHIVE_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}

/** The row predicate of one batch, in PostgreSQL or DuckDB (same text works in both). */
function batchPredicate(spec: DatasetSpec, day: string, highIngestId: number | null): string {
  if (!DAY_RE.test(day)) throw new Error(`Bad batch day ${day}`);
  const col = quoteIdent(timeColumnOf(spec));
  let p = `${col} >= CAST(${quoteLiteral(dayStart(day))} AS TIMESTAMPTZ) AND ${col} < CAST(${quoteLiteral(dayStart(nextUtcDay(day)))} AS TIMESTAMPTZ)`;
  if (highIngestId !== null) p += ` AND ${quoteIdent(INGEST_COLUMN)} <= ${Math.floor(highIngestId)}`;
  return p;
}

/** The first instant of a batch's day (the digest sums timestamps as offsets from it). */
function dayStart(day: string): string {
  return `${day} 00:00:00+00`;
}

type ClientRole = 'fetch' | 'delete';

interface Fetched {
  file: string;
  format: CopyFormat;
  digest: BatchDigest;
}

function hotTable(spec: DatasetSpec): string {
  return qualifiedName(HOT_SCHEMA, spec.name);
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isDiskFull(err: unknown): boolean {
  const m = describe(err);
  return (err as NodeJS.ErrnoException).code === 'ENOSPC' || /No space left on device|ENOSPC|disk is full/i.test(m);
}

function hotUnavailable(err: unknown, what: string): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  return new WorkbenchError(
    'HOT_UNAVAILABLE',
    `PostgreSQL failed while ${what}: ${describe(err)}. Nothing was lost: rows are deleted only after they are verified in the lake, in one transaction. Start PostgreSQL and run the archive again to finish.`,
    describe(err),
  );
}

/**
 * Verified archival from PostgreSQL to the Parquet lake, one UTC day of one dataset per batch:
 * plan → export (COPY to a staged Parquet file) → verify (re-read: count, min/max time and a row checksum
 * equal to PostgreSQL's) → publish (no-clobber rename, manifest, then the views switch in one transaction)
 * → delete (exactly the verified rows, in one PostgreSQL transaction, count checked) → done (mirror pruned).
 * The journal records each batch's state before each step; any rerun resumes or redoes from there.
 */
export class Archiver {
  private readonly prefetched = new Map<string, Promise<Fetched>>();
  private readonly clients = new Map<ClientRole, Promise<pg.Client>>();
  /** The batch after the one in progress, fetched ahead (see exportBatch). */
  private upNext: BatchRecord | null = null;

  constructor(private readonly deps: ArchiverDeps) {}

  async run(req: ArchiveRequest): Promise<ArchiveReport> {
    const now = this.deps.now?.() ?? new Date();
    const cutoff = cutoffFor(now, req.olderThanDays);
    const report: ArchiveReport = {
      runId: `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().slice(0, 8)}`,
      dryRun: req.dryRun,
      cutoff: cutoff.toISOString(),
      host: hostname(),
      user: safeUser(),
      startedAt: now.toISOString(),
      endedAt: null,
      rowsArchived: 0,
      batches: [],
      plan: [],
      vacuum: [],
      reclaimedBytes: { reusable: 0, returnedToOs: 0 },
      masterSnapshot: [],
      error: null,
    };
    await this.deps.duck.run(`CREATE TABLE IF NOT EXISTS ${LAKE_HIDDEN_TABLE} (path VARCHAR PRIMARY KEY, since TIMESTAMPTZ NOT NULL DEFAULT now())`);

    let lockClient: pg.Client;
    try {
      lockClient = await this.deps.hot.connect();
    } catch (err) {
      throw new WorkbenchError('HOT_UNAVAILABLE', `PostgreSQL is not reachable, so nothing was archived: ${describe(err)}. Start it (or check the connection settings) and run the archive again.`, describe(err));
    }
    try {
      const got = await lockClient.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${ADVISORY_KEY}) AS ok`);
      if (!got.rows[0]?.ok) {
        const holder = await lockClient
          .query<{ pid: number; app: string; since: string }>(
            `SELECT a.pid, a.application_name AS app, a.backend_start::text AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (${ADVISORY_KEY})::oid LIMIT 1`,
          )
          .catch(() => ({ rows: [] as { pid: number; app: string; since: string }[] }));
        const h = holder.rows[0];
        throw new WorkbenchError(
          'CONFLICT',
          `Another archive run holds the archive lock on this PostgreSQL${h ? ` (backend pid ${h.pid}, ${h.app || 'unknown app'}, since ${h.since})` : ''}. Only one runs at a time; nothing was done. Wait for it to finish and run again.`,
        );
      }
      await this.deps.journal.saveRun(report);
      if (!req.dryRun) {
        await sweepStaleTemps(this.deps.lake.root);
        await removeScratchFiles(this.deps.tmpDir);
        const outbox = await this.deps.hot.serverOutbox().catch(() => null);
        if (outbox) await removeScratchFiles(outbox);
      }
      try {
        await this.runLocked(req, cutoff, report);
      } catch (err) {
        report.error = describe(err);
        throw err;
      } finally {
        report.endedAt = (this.deps.now?.() ?? new Date()).toISOString();
        await this.deps.journal.saveRun(report).catch(() => undefined);
      }
      return report;
    } finally {
      await lockClient.query(`SELECT pg_advisory_unlock(${ADVISORY_KEY})`).catch(() => undefined);
      await lockClient.end().catch(() => undefined);
    }
  }

  private async runLocked(req: ArchiveRequest, cutoff: Date, report: ArchiveReport): Promise<void> {
    const { journal } = this.deps;
    let done = 0;
    let total = 0;
    const processed: BatchRecord[] = [];
    const step = async (b: BatchRecord): Promise<void> => {
      const finished = await this.processBatch(b, (phase) =>
        this.deps.onProgress?.({ phase, fraction: total > 0 ? done / total : null, rows: report.rowsArchived, bytes: 0, message: `${b.dataset} ${b.day}: ${phase}` }),
      );
      done++;
      processed.push(finished);
      report.batches.push(toReport(finished));
      if (finished.state === 'done') report.rowsArchived += finished.rows;
      this.deps.onProgress?.({ phase: 'batch done', fraction: total > 0 ? done / total : null, rows: report.rowsArchived, bytes: 0, message: `${b.dataset} ${b.day}: done` });
    };
    const sizesBefore = new Map<string, number>();
    const measure = async (tables: Iterable<string>): Promise<void> => {
      for (const t of tables) if (!sizesBefore.has(t)) sizesBefore.set(t, await this.tableBytes(t));
    };

    // 1. What an earlier run left between steps is finished first (whatever its cut-off was), before
    //    planning, so a day half-archived by a killed run is never planned twice.
    if (!req.dryRun) {
    const leftovers = await journal.unfinished();
      total = leftovers.length;
      await measure(new Set(leftovers.map((b) => b.dataset)));
      for (const b of leftovers) await step(b);
    }
    // 2. Plan: one batch per UTC day before the cut-off, per dataset.
    const planned: { spec: DatasetSpec; day: string; rows: number; high: number | null }[] = [];
    for (const name of req.datasets) {
      const spec = DATASETS[name];
      const plan = await this.planDataset(spec, cutoff);
      report.plan.push(plan.summary);
      for (const d of plan.days) planned.push({ spec, day: d.day, rows: d.rows, high: plan.high });
    }
    if (req.dryRun) return;
    await measure(new Set(planned.map((p) => p.spec.name)));
    // Rows arriving from now on land in a partition of their own day (a no-op on unpartitioned tables). Not
    // needed for correctness: a user without the right to create tables archives those days row by row.
    await this.deps.hot.withClient((c) => ensureUpcomingPartitions(c, this.deps.now?.() ?? new Date())).catch(() => undefined);
    total += planned.length;
    const records = planned.map((p): BatchRecord => {
      const batchId = `${p.spec.name}-${p.day}-${randomUUID().slice(0, 8)}`;
      return {
        batchId,
        runId: report.runId,
        dataset: p.spec.name as ArchivableDataset,
        day: p.day,
        highIngestId: p.high,
        state: 'planned',
        stagedPath: null,
        fileKey: `${p.spec.name}/date=${p.day}/part-archive-${batchId}.parquet`,
        rows: 0,
        checksum: null,
        minUs: null,
        maxUs: null,
        parquetBytes: 0,
        sha256: null,
        timings: {},
        error: null,
      };
    });
    try {
      for (let i = 0; i < records.length; i++) {
        if (this.deps.signal?.aborted) throw new WorkbenchError('CANCELLED', `The archive run was cancelled after ${done} of ${total} batches; every finished batch is complete. Run again to go on.`);
        const record = records[i];
        // A batch is journaled only when its turn comes; the next one's rows are fetched meanwhile.
        await journal.save(record);
        this.upNext = records[i + 1] ?? null;
        await step(record);
      }
    } finally {
      this.upNext = null;
      await this.dropPrefetched();
      this.dropClient('fetch');
      this.dropClient('delete');
    }
    await this.dropEmptiedPartitions(processed);
    const touched = sizesBefore.keys();

    // 3. Give the space back to PostgreSQL and say how much.
    for (const t of touched) {
      const before = sizesBefore.get(t) ?? 0;
      const t0 = performance.now();
      await this.deps.hot.withClient((c) => c.query(`VACUUM (ANALYZE) ${qualifiedName(HOT_SCHEMA, t)}`)).catch((err: unknown) => {
        throw hotUnavailable(err, `vacuuming ${t}`);
      });
      const after = await this.tableBytes(t);
      report.vacuum.push({ table: t, bytesBefore: before, bytesAfter: after, elapsedMs: performance.now() - t0 });
      report.reclaimedBytes.returnedToOs += Math.max(0, before - after);
    }
    for (const plan of report.plan) {
      const archived = report.batches.filter((b) => b.dataset === plan.dataset && b.state === 'done').reduce((a, b) => a + b.rows, 0);
      report.reclaimedBytes.reusable += plan.rows > 0 ? Math.round((plan.postgresBytes * archived) / plan.rows) : 0;
    }
    // 4. Master data next to the cold data.
    report.masterSnapshot = await this.snapshotMaster(cutoff);
  }

  private async tableBytes(table: string): Promise<number> {
    return this.deps.hot
      .withClient(async (c) => Number((await c.query<{ b: string }>(`SELECT ${totalBytesSql(quoteLiteral(qualifiedName(HOT_SCHEMA, table)))}::text AS b`)).rows[0].b))
      .catch((err: unknown) => {
        throw hotUnavailable(err, `measuring ${table}`);
      });
  }

  private async planDataset(spec: DatasetSpec, cutoff: Date): Promise<{ summary: DryRunDataset; days: { day: string; rows: number }[]; high: number | null }> {
    const col = quoteIdent(timeColumnOf(spec));
    const table = hotTable(spec);
    return this.deps.hot
      .withClient(async (c) => {
        const high =
          spec.kind === 'timeseries'
            ? Number((await c.query<{ h: string | null }>(`SELECT max(${quoteIdent(INGEST_COLUMN)})::text AS h FROM ${table}`)).rows[0].h ?? 0)
            : null;
        const filter = `${col} < $1::timestamptz${high !== null ? ` AND ${quoteIdent(INGEST_COLUMN)} <= ${high}` : ''}`;
        const days = (
          await c.query<{ day: string; rows: string }>(
            // date_bin on the absolute time (no time-zone conversion per row); only the days are formatted.
            `SELECT to_char(d AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, n::text AS rows FROM (
               SELECT date_bin('1 day', ${col}, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d, count(*) AS n FROM ${table} WHERE ${filter} GROUP BY 1) g ORDER BY 1`,
            [cutoff.toISOString()],
          )
        ).rows.map((r) => ({ day: r.day, rows: Number(r.rows) }));
        const sizes = (
          await c.query<{ bytes: string; total: string }>(
            // The share of the table's bytes the plan frees: PostgreSQL's row estimate is enough for it
            // (counting a large table would cost as much as the plan itself); exact when never analysed.
            `SELECT ${totalBytesSql(quoteLiteral(table))}::text AS bytes, coalesce(nullif((SELECT sum(greatest(c.reltuples, 0)) FROM ${leafRelationsSql(`${quoteLiteral(table)}::regclass`)} l(relid) JOIN pg_class c ON c.oid = l.relid), 0), (SELECT count(*) FROM ${table}))::bigint::text AS total`,
          )
        ).rows[0];
        const rows = days.reduce((a, d) => a + d.rows, 0);
        const totalRows = Number(sizes.total);
        const perRow = await this.parquetBytesPerRow(spec.name);
        return {
          high,
          days,
          summary: {
            dataset: spec.name as ArchivableDataset,
            rows,
            partitions: days.map((d) => d.day),
            postgresBytes: totalRows > 0 ? Math.round((Number(sizes.bytes) * rows) / totalRows) : 0,
            estimatedParquetBytes: Math.round(rows * perRow),
          },
        };
      })
      .catch((err: unknown) => {
        throw hotUnavailable(err, `planning ${spec.name}`);
      });
  }

  private async parquetBytesPerRow(dataset: string): Promise<number> {
    const files = (await this.deps.lake.list(dataset)).slice(-30);
    if (files.length === 0) return DEFAULT_PARQUET_BYTES_PER_ROW;
    const list = `[${files.map((f) => quoteLiteral(join(this.deps.lake.root, f.key))).join(', ')}]`;
    const r = (await this.deps.duck.runAndReadAll(`SELECT sum(file_size_bytes)::DOUBLE AS b, sum(num_rows)::DOUBLE AS n FROM parquet_file_metadata(${list})`)).getRowObjectsJS()[0];
    const n = Number(r.n);
    return n > 0 ? Number(r.b) / n : DEFAULT_PARQUET_BYTES_PER_ROW;
  }

  private async at(step: string, b: BatchRecord): Promise<void> {
    killSwitch(step);
    await this.deps.atStep?.(step, b.stagedPath);
  }

  /** Drives one batch from whatever state it is in to done (or failed). */
  private async processBatch(b: BatchRecord, progress: (phase: string) => void): Promise<BatchRecord> {
    const spec = DATASETS[b.dataset];
    const timed = async (name: string, fn: () => Promise<void>): Promise<void> => {
      progress(name);
      const t0 = performance.now();
      await fn();
      b.timings[name] = (b.timings[name] ?? 0) + (performance.now() - t0);
    };
    let verifyAttempts = 0;
    for (;;) {
      switch (b.state) {
        case 'planned':
          await this.at('export', b);
          await timed('export', () => this.exportBatch(spec, b));
          b.state = 'exported';
          await this.at('export:after', b);
          await this.deps.journal.save(b);
          break;
        case 'exported': {
          await this.at('verify', b);
          let ok = false;
          await timed('verify', async () => {
            ok = await this.verifyBatch(spec, b);
          });
          if (!ok) {
            verifyAttempts++;
            if (b.stagedPath) await rm(b.stagedPath, { force: true });
            b.stagedPath = null;
            if (verifyAttempts >= 2) {
              b.state = 'failed';
              await this.deps.journal.save(b);
              throw new WorkbenchError('LAKE_ERROR', `${b.dataset} ${b.day}: the Parquet file did not match PostgreSQL twice in a row (${b.error}). Nothing was deleted. Check the disk and run again.`);
            }
            // Re-export once: a file damaged between write and verify is simply written again.
            b.state = 'planned';
            await this.deps.journal.save(b);
            break;
          }
          b.state = 'verified';
          b.error = null;
          await this.deps.journal.save(b);
          break;
        }
        case 'verified':
          await this.at('publish', b);
          await timed('publish', () => this.publishBatch(spec, b));
          break;
        case 'published':
          await this.at('delete', b);
          await timed('delete', () => this.deleteBatch(spec, b));
          b.state = 'deleted';
          await this.at('delete:after', b);
          await this.deps.journal.save(b);
          break;
        case 'deleted':
          await this.at('cleanup', b);
          await timed('cleanup', async () => {
            await this.deps.duck.run(`DELETE FROM ${qualifiedName('hot', spec.name)} WHERE ${batchPredicate(spec, b.day, b.highIngestId)}`);
          });
          b.state = 'done';
          await this.deps.journal.save(b);
          return b;
        case 'done':
        case 'failed':
          return b;
      }
    }
  }

  /**
   * PostgreSQL → scratch file, then PostgreSQL's digest of exactly the same rows, in one REPEATABLE READ
   * transaction. The rows leave unsorted (a sort there would spill; DuckDB sorts them). With the embedded
   * store the server writes the file itself (no client protocol to pay for). Started for the next batch as
   * soon as the current one's rows are in, so PostgreSQL fetches while DuckDB writes, verifies and
   * publishes (and PostgreSQL deletes) the current one.
   */
  private fetchBatch(spec: DatasetSpec, b: BatchRecord): Promise<Fetched> {
    const format = copyFormatFor(spec);
    const cols = spec.columns.map((c) => quoteIdent(c.name));
    const pred = batchPredicate(spec, b.day, b.highIngestId);
    return (async () => {
      let file: string | null = null;
      try {
        const outbox = await this.deps.hot.serverOutbox();
        await mkdir(this.deps.tmpDir, { recursive: true });
        const out = join(outbox ?? this.deps.tmpDir, `archive-${b.batchId}.${format}`);
        file = out;
        const digest = await this.onClient('fetch', async (c) => {
          // One REPEATABLE READ transaction: the digest sees exactly the snapshot the COPY wrote.
          await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          await copyToFile(c, `SELECT ${cols.join(', ')} FROM ${hotTable(spec)} WHERE ${pred}`, out, format, outbox !== null);
          const d = digestFromRow((await c.query(digestQuery(spec, timeColumnOf(spec), 'pg', hotTable(spec), pred, dayStart(b.day)))).rows[0] as Record<string, unknown>);
          await c.query('COMMIT');
          return d;
        });
        return { file: out, format, digest };
      } catch (err) {
        if (file) await rm(file, { force: true });
        throw hotUnavailable(err, `exporting ${spec.name} ${b.day}`);
      }
    })();
  }

  /** Starts fetching `b` ahead of its turn; its result waits in memory, its file in the scratch folder. */
  private prefetch(spec: DatasetSpec, b: BatchRecord): void {
    if (this.prefetched.has(b.batchId)) return;
    const p = this.fetchBatch(spec, b);
    p.catch(() => undefined); // reported when (and if) the batch takes it
    this.prefetched.set(b.batchId, p);
  }

  /** Drops fetches nobody took (a cancelled or failed run): their scratch files go too. */
  private async dropPrefetched(): Promise<void> {
    for (const [id, p] of this.prefetched) {
      this.prefetched.delete(id);
      const got = await p.catch(() => null);
      if (got) await rm(got.file, { force: true });
    }
  }

  /** Fetched rows → staged Parquet, sorted by the key, with PostgreSQL's digest recorded for verify. */
  private async exportBatch(spec: DatasetSpec, b: BatchRecord): Promise<void> {
    if (b.stagedPath) await rm(b.stagedPath, { force: true });
    const pending = this.prefetched.get(b.batchId) ?? this.fetchBatch(spec, b);
    this.prefetched.delete(b.batchId);
    let fetched: Fetched | null = null;
    try {
      const staged = await this.deps.lake.stage(b.fileKey);
      b.stagedPath = staged.path;
      await this.deps.journal.save(b);
      fetched = await pending;
      // PostgreSQL is free now: it fetches the next batch while DuckDB writes, verifies and publishes this one.
      if (this.upNext && this.upNext !== b) this.prefetch(DATASETS[this.upNext.dataset], this.upNext);
      b.rows = fetched.digest.rows;
      b.checksum = fetched.digest.checksum;
      b.minUs = fetched.digest.minTime;
      b.maxUs = fetched.digest.maxTime;
      const cols = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
      const order = spec.primaryKey.map(quoteIdent).join(', ');
      const source = readCopySql(fetched.file, copyColumns(spec, false), fetched.format);
      await this.deps.duck.run(
        `COPY (SELECT ${cols} FROM ${source} ORDER BY ${order}) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA {batch_id: ${quoteLiteral(b.batchId)}, source: 'battery-workbench archive'})`,
      );
    } catch (err) {
      if (b.stagedPath) await rm(b.stagedPath, { force: true });
      if (isDiskFull(err)) {
        throw new WorkbenchError(
          'LAKE_ERROR',
          `The disk holding the lake is full: ${spec.name} ${b.day} could not be written. Nothing was deleted from PostgreSQL and no partial file was left. Free some space and run the archive again.`,
          describe(err),
        );
      }
      throw err;
    } finally {
      fetched ??= await pending.catch(() => null);
      if (fetched) await rm(fetched.file, { force: true });
    }
  }

  /**
   * Runs `fn` on the run's connection for `role` (batches are fetched on one, deleted on the other, at the
   * same time): a connection per batch costs more than a small batch's rows. Any error drops the connection.
   */
  private async onClient<T>(role: ClientRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    let pending = this.clients.get(role);
    if (!pending) {
      pending = this.deps.hot.connect();
      this.clients.set(role, pending);
    }
    try {
      return await fn(await pending);
    } catch (err) {
      this.dropClient(role);
      throw err;
    }
  }

  private dropClient(role: ClientRole): void {
    const pending = this.clients.get(role);
    this.clients.delete(role);
    void pending?.then((c) => c.end()).catch(() => undefined);
  }

  /** Re-reads the staged file and compares count, min/max time and checksum with what PostgreSQL sent. */
  private async verifyBatch(spec: DatasetSpec, b: BatchRecord): Promise<boolean> {
    if (!b.stagedPath || !(await exists(b.stagedPath))) {
      b.error = 'the staged file is missing';
      return false;
    }
    let got: BatchDigest;
    try {
      got = digestFromRow(
        (await this.deps.duck.runAndReadAll(digestQuery(spec, timeColumnOf(spec), 'duck', `read_parquet(${quoteLiteral(b.stagedPath)})`, '', dayStart(b.day)))).getRowObjectsJS()[0],
      );
    } catch (err) {
      b.error = `the staged file cannot be read: ${describe(err)}`;
      return false;
    }
    const want: BatchDigest = { rows: b.rows, checksum: b.checksum ?? '', minTime: b.minUs, maxTime: b.maxUs };
    if (!sameDigest(got, want)) {
      b.error = `file has ${got.rows} rows, checksum ${got.checksum}; PostgreSQL sent ${want.rows} rows, checksum ${want.checksum}`;
      return false;
    }
    b.parquetBytes = (await stat(b.stagedPath)).size;
    b.sha256 = await sha256File(b.stagedPath);
    return true;
  }

  /** No-clobber publish, manifest, then the views switch tiers in one DuckDB transaction. */
  private async publishBatch(spec: DatasetSpec, b: BatchRecord): Promise<void> {
    const finalPath = join(this.deps.lake.root, b.fileKey);
    await this.deps.duck.run(`INSERT OR IGNORE INTO ${LAKE_HIDDEN_TABLE} (path) VALUES ($1)`, [finalPath]);
    if (!(await exists(finalPath))) {
      if (!b.stagedPath || !(await exists(b.stagedPath))) {
        // Killed between verify and publish with the staged file gone: export again.
        b.state = 'planned';
        await this.deps.journal.save(b);
        return;
      }
      await this.deps.lake.publish({ key: b.fileKey, path: b.stagedPath });
    } else if (b.stagedPath) {
      await rm(b.stagedPath, { force: true });
    }
    await this.at('publish:linked', b);
    b.stagedPath = null;
    await writeManifest(this.deps.lake, {
      batchId: b.batchId,
      dataset: spec.name,
      source: 'archive',
      writtenAt: new Date().toISOString(),
      rows: b.rows,
      files: [{ key: b.fileKey, rows: b.rows, bytes: b.parquetBytes, sha256: b.sha256 ?? '', minTime: usToIso(b.minUs), maxTime: usToIso(b.maxUs) }],
      ...{ checksum: b.checksum, cutoffDay: b.day, host: hostname(), user: safeUser(), highIngestId: b.highIngestId, runId: b.runId },
    });
    b.state = 'published';
    const save = this.deps.journal.saveStateSql(b);
    await this.deps.commitVisibility(
      [
        { sql: `DELETE FROM ${LAKE_HIDDEN_TABLE} WHERE path = $1`, values: [finalPath] },
        ...tierStatements(spec, b),
        save,
      ],
      spec.name,
    );
  }

  /** Deletes exactly the verified rows in one PostgreSQL transaction; any other count rolls back. */
  private async deleteBatch(spec: DatasetSpec, b: BatchRecord): Promise<void> {
    const pred = batchPredicate(spec, b.day, b.highIngestId);
    await this.onClient('delete', async (c) => {
        await c.query('BEGIN');
        try {
          await c.query("SET LOCAL lock_timeout = '60s'");
          const truncated = await this.truncateDayPartition(c, spec, b, pred);
          const deleted = truncated ?? (await c.query(`DELETE FROM ${hotTable(spec)} WHERE ${pred}`)).rowCount ?? 0;
          b.deletedBy = truncated === null ? 'rows' : 'partition';
          await this.at('delete:before-commit', b);
          if (deleted !== b.rows && deleted !== 0) {
            await c.query('ROLLBACK');
            b.state = 'failed';
            b.error = `PostgreSQL holds ${deleted} rows for ${b.day} but ${b.rows} were archived: they changed after the export. Nothing was deleted; the lake copy is kept.`;
            await this.deps.journal.save(b);
            throw new WorkbenchError('CONFLICT', `${spec.name} ${b.day}: ${b.error} Look at the rows, then run the archive again.`);
          }
          // 0 rows: an earlier run committed this delete and was killed before recording it.
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      })
      .catch((err: unknown) => {
        throw hotUnavailable(err, `deleting archived rows of ${spec.name} ${b.day}`);
      });
  }

  /**
   * The fast path of the delete: when the batch's day has a partition of its own (see hot-schema.ts) that
   * holds exactly the verified rows and nothing else, it is emptied with TRUNCATE, in the caller's
   * transaction. The partition is locked first, so no row can arrive between the count and the TRUNCATE.
   * Returns null (delete row by row) when there is no such partition or it holds any other row.
   */
  private async truncateDayPartition(c: pg.Client, spec: DatasetSpec, b: BatchRecord, pred: string): Promise<number | null> {
    if (b.rows === 0) return null;
    const part = await dayPartitionOf(c, spec, b.day);
    if (!part) return null;
    await c.query(`LOCK TABLE ${part} IN ACCESS EXCLUSIVE MODE`);
    // Exactly the batch: every row of the partition is one of the batch's, and there are as many as were
    // verified. When the partition's bounds are the day's (PostgreSQL enforces them) only the ingest mark
    // is left to check on the rows.
    const dayBounds = await partitionHasDayBounds(c, part, b.day);
    const rowsOfBatch = dayBounds && b.highIngestId !== null ? `${quoteIdent(INGEST_COLUMN)} <= ${Math.floor(b.highIngestId)}` : pred;
    const n = (await c.query<{ total: string; batch: string }>(`SELECT count(*)::text AS total, count(*) FILTER (WHERE ${rowsOfBatch})::text AS batch FROM ${part}`)).rows[0];
    if (Number(n.total) !== b.rows || Number(n.batch) !== b.rows) return null;
    await c.query(`TRUNCATE ${part}`);
    return b.rows;
  }

  /**
   * Day partitions this run emptied are dropped once no row is left in them (a row arriving later for such
   * a day lands in the default partition and is archived row by row). A partition that is busy is left for
   * the next run.
   */
  private async dropEmptiedPartitions(batches: readonly BatchRecord[]): Promise<void> {
    for (const b of batches) {
      const spec = DATASETS[b.dataset];
      if (b.state !== 'done' || spec.kind !== 'timeseries') continue;
      await this.deps.hot
        .withClient(async (c) => {
          await c.query('BEGIN');
          try {
            await c.query("SET LOCAL lock_timeout = '5s'");
            const part = await dayPartitionOf(c, spec, b.day);
            if (part) {
              await c.query(`LOCK TABLE ${part} IN ACCESS EXCLUSIVE MODE`);
              const empty = (await c.query(`SELECT 1 FROM ${part} LIMIT 1`)).rowCount === 0;
              if (empty) await c.query(`DROP TABLE ${part}`);
            }
            await c.query('COMMIT');
          } catch {
            await c.query('ROLLBACK').catch(() => undefined);
          }
        })
        .catch(() => undefined);
    }
  }

  /** `<lake>/master/<table>/snapshot=<date>/part-0.parquet`, once per day. */
  private async snapshotMaster(cutoff: Date): Promise<string[]> {
    const day = (this.deps.now?.() ?? new Date()).toISOString().slice(0, 10);
    const out: string[] = [];
    for (const name of MASTER_TABLES) {
      const spec = DATASETS[name];
      const key = `master/${name}/snapshot=${day}/part-0.parquet`;
      if (await this.deps.lake.exists(key)) {
        out.push(key);
        continue;
      }
      const format = copyFormatFor(spec);
      const csv = join(this.deps.tmpDir, `master-${name}-${process.pid}.${format}`);
      const staged = await this.deps.lake.stage(key);
      try {
        await this.deps.hot.withClient((c) => copyOut(c, `SELECT ${spec.columns.map((c2) => quoteIdent(c2.name)).join(', ')} FROM ${hotTable(spec)} ORDER BY ${spec.primaryKey.map(quoteIdent).join(', ')}`, csv, format));
        await this.deps.duck.run(
          `COPY (SELECT * FROM ${readCopySql(csv, copyColumns(spec, false), format)}) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {archive_cutoff: ${quoteLiteral(cutoff.toISOString())}})`,
        );
        await this.deps.lake.publish(staged);
        out.push(key);
      } catch (err) {
        await this.deps.lake.discard(staged);
        throw err instanceof WorkbenchError ? err : hotUnavailable(err, `snapshotting ${name}`);
      } finally {
        await rm(csv, { force: true });
      }
    }
    return out;
  }
}

/**
 * Moving a batch to the cold tier: the split moves past its day (never backwards), and for time series
 * the highest archived ingest_id rises, so rows that arrive later for old days stay visible from the hot tier.
 */
function tierStatements(spec: DatasetSpec, b: BatchRecord): { sql: string; values?: (string | number | null)[] }[] {
  const splitTable = qualifiedName('_workbench', 'tier_split');
  const end = `${nextUtcDay(b.day)} 00:00:00+00`;
  const out = [
    {
      sql: `INSERT INTO ${splitTable} (dataset, split_at, updated_at) VALUES ($1, CAST($2 AS TIMESTAMPTZ), now())
            ON CONFLICT (dataset) DO UPDATE SET split_at = greatest(split_at, excluded.split_at), updated_at = now()`,
      values: [spec.name, end],
    },
  ];
  if (b.highIngestId !== null) {
    out.push({
      sql: `UPDATE ${splitTable} SET archived_ingest = greatest(coalesce(archived_ingest, 0), CAST($1 AS BIGINT)) WHERE dataset = $2`,
      values: [String(b.highIngestId), spec.name],
    });
  }
  return out;
}

/** The day's own partition of a time series' hot table (qualified name), or null when it has none. */
async function dayPartitionOf(c: pg.Client, spec: DatasetSpec, day: string): Promise<string | null> {
  if (spec.kind !== 'timeseries') return null;
  const name = dayPartitionName(spec.name, day);
  const found = await c.query(
    `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = to_regclass($1) AND n.nspname = $2 AND c.relname = $3`,
    [hotTable(spec), HOT_SCHEMA, name],
  );
  return found.rowCount ? qualifiedName(HOT_SCHEMA, name) : null;
}

/** Scratch COPY files of an earlier run that was killed (one archiver per workspace, so none is in use). */
async function removeScratchFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (/^archive-.*\.(csv|text)$/.test(n)) await rm(join(dir, n), { force: true });
}

function usToIso(us: string | null): string | null {
  return us === null ? null : new Date(Number(BigInt(us) / 1000n)).toISOString();
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function toReport(b: BatchRecord): BatchReport {
  return {
    batchId: b.batchId,
    dataset: b.dataset,
    day: b.day,
    state: b.state,
    rows: b.rows,
    parquetBytes: b.parquetBytes,
    checksum: b.checksum,
    sha256: b.sha256,
    file: b.fileKey,
    timingsMs: b.timings,
    error: b.error,
    deletedBy: b.deletedBy ?? null,
  };
}
