// About 400 lines on purpose: one class with the steps of a batch (export, verify, publish, delete, cleanup, withdraw),
// each the counterpart of one journal state in archiver.ts; they share the fetcher and the staged file of the batch.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { INGEST_COLUMN, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction } from '../engine/duck-query';
import { dayPartitionOf } from '../hot/hot-partitions';
import { nextUtcDay, SKIP_CHANGE_LOG_SQL } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { copyColumns, copyFormatFor, copyOut, readCopySql } from '../hot/pg-copy';
import type { Lake } from '../lake/lake';
import { partitionKey } from '../lake/lake';
import { sha256File, writeManifest } from '../lake/manifest';
import {
  getTierState,
  hideFilesSql,
  HOT_MIRROR_SCHEMA,
  restoreTierSql,
  tierSwitchSql,
  unhideFilesSql,
  type Statement,
} from '../mirror/meta';
import { digestFromRow, digestQuery, sameDigest, type BatchDigest } from './checksum';
import { hotUnavailable, type BatchFetcher, type Fetched, type HeldDay } from './fetch';
import { logDeleted, sameRowsDeleted, wasDeleted } from './pg-journal';
import { batchPredicate, dayPredicate, dayStart, hotTable, timeColumnOf } from './plan';
import { lap, type ArchiveJournal, type BatchRecord } from './state';

export interface StepDeps {
  /** The archiver's own workspace connection. */
  duck: DuckDBConnection;
  hot: HotStore;
  lake: Lake;
  tmpDir: string;
  journal: ArchiveJournal;
  fetcher: BatchFetcher;
  /**
   * Runs `statements` and re-creates the unified views in ONE DuckDB transaction, so a batch becomes
   * visible in the lake and invisible in the hot tier at the same instant. Only `dataset`'s views change.
   */
  commitVisibility(statements: readonly Statement[], dataset: DatasetName): Promise<void>;
  /** The kill switch and the fault tests' hook, at each named step. */
  at(step: string, b: BatchRecord): Promise<void>;
}

/** `<dataset>/date=<day>/part-archive-<digest>.parquet`: the file key of exactly these rows of that day. */
export function contentKey(dataset: string, day: string, digest: BatchDigest): string {
  const id = createHash('sha256')
    .update(JSON.stringify([dataset, day, digest.rows, digest.checksum, digest.minTime, digest.maxTime]))
    .digest('hex')
    .slice(0, 24);
  return partitionKey(dataset, day, `archive-r${id}`);
}

function isContentKey(key: string): boolean {
  return /\/part-archive-r[0-9a-f]{24}\.parquet$/.test(key);
}

function isDiskFull(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOSPC' || /No space left on device|ENOSPC|disk is full/i.test(errorMessage(err));
}

export function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function usToIso(us: string | null): string | null {
  return us === null ? null : new Date(Number(BigInt(us) / 1000n)).toISOString();
}

function run(conn: DuckDBConnection, s: Statement): Promise<unknown> {
  return s.values ? conn.run(s.sql, s.values) : conn.run(s.sql);
}

/** How the delete step ended: the verified rows left PostgreSQL, or PostgreSQL no longer holds them as verified. */
export type DeleteOutcome = { kind: 'deleted' } | { kind: 'changed'; reason: string };

/**
 * The steps of one batch, each driven by the archiver's state machine (archiver.ts): export (fetched rows →
 * staged Parquet), verify (re-read: count, min/max time and checksum equal to the rows PostgreSQL sent), publish
 * (no-clobber, manifest, tier switch in one DuckDB transaction), delete (exactly the verified rows, under a lock
 * that proves it), cleanup (mirror pruned), and withdraw when PostgreSQL changed after the export.
 */
export class BatchSteps {
  /** The batch after the one in progress: fetched while DuckDB works on the current one. */
  upNext: BatchRecord | null = null;

  constructor(private readonly d: StepDeps) {}

  /** The journal the steps record the batch in. */
  get journal(): ArchiveJournal {
    return this.d.journal;
  }

  /** Fetched rows → staged Parquet, sorted by the key, with the digest of the rows PostgreSQL sent recorded for verify. */
  async export(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<void> {
    if (b.stagedPath) await rm(b.stagedPath, { force: true });
    const pending = this.d.fetcher.take(b);
    let fetched: Fetched | null = null;
    try {
      const staged = await this.d.lake.stage(b.fileKey);
      b.stagedPath = staged.path;
      await this.d.journal.save(b);
      let t = performance.now();
      fetched = await pending;
      t = lap(b, 'export.wait', t);
      // PostgreSQL is free now: it fetches the next batch while DuckDB writes, verifies and publishes this one.
      if (this.upNext && this.upNext !== b) this.d.fetcher.prefetch(this.upNext);
      const cols = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
      const order = spec.primaryKey.map(quoteIdent).join(', ');
      // The rows PostgreSQL sent, decoded once into DuckDB as they streamed: their digest (the formula PostgreSQL
      // computes too), then the file, on the fetch's own connection.
      const { duck, table } = fetched;
      const sent = digestFromRow(
        (
          await duck.runAndReadAll(digestQuery(spec, timeColumnOf(spec), 'duck', quoteIdent(table), '', dayStart(b.day)))
        ).getRowObjectsJS()[0],
      );
      if (sent.rows !== fetched.rows)
        throw new WorkbenchError('INTERNAL', `${spec.name} ${b.day}: ${fetched.rows} rows were decoded but ${sent.rows} landed in DuckDB`);
      b.rows = sent.rows;
      b.checksum = sent.checksum;
      b.minUs = sent.minTime;
      b.maxUs = sent.maxTime;
      t = lap(b, 'export.digest', t);
      await duck.run(
        `COPY (SELECT ${cols} FROM ${quoteIdent(table)} ORDER BY ${order}) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA {batch_id: ${quoteLiteral(b.batchId)}, source: 'battery-workbench archive'})`,
      );
      lap(b, 'export.parquet', t);
    } catch (err) {
      if (b.stagedPath) await rm(b.stagedPath, { force: true });
      if (isDiskFull(err)) {
        throw new WorkbenchError(
          'LAKE_ERROR',
          `The disk holding the lake is full: ${spec.name} ${b.day} could not be written. Nothing was deleted from PostgreSQL and no partial file was left. Free some space and run the archive again.`,
          errorMessage(err),
        );
      }
      throw err;
    } finally {
      fetched ??= await pending.catch(() => null);
      if (fetched) await this.d.fetcher.done(fetched);
    }
  }

  /**
   * The batch's key is taken already: by this batch before a kill, or by another archiver of the very same rows
   * (a shared lake; the key is their digest). Either way those rows are in the lake: this batch withdraws its own
   * copy and records the object that is there. An object whose size and checksum the store cannot vouch for is
   * never adopted.
   */
  private async adopt(b: BatchRecord, there: { bytes: number; sha256: string | null }): Promise<void> {
    if (there.sha256 === b.sha256 && there.bytes === b.parquetBytes) return;
    if (!isContentKey(b.fileKey) || there.sha256 === null) {
      throw new WorkbenchError(
        'LAKE_ERROR',
        `The lake already holds ${b.fileKey} with other contents than this batch wrote; nothing was replaced or deleted. Run lake check.`,
      );
    }
    b.parquetBytes = there.bytes;
    b.sha256 = there.sha256;
  }

  /** Re-reads the staged file and compares count, min/max time and checksum with what PostgreSQL sent. */
  async verify(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<boolean> {
    if (!b.stagedPath || !(await stat(b.stagedPath).catch(() => null))) {
      b.error = 'the staged file is missing';
      return false;
    }
    let got: BatchDigest;
    let t = performance.now();
    // The file's SHA-256 is read while DuckDB reads its rows back (two reads of the file at once, on different
    // threads); it is kept only if the rows match, and every way out waits for it, so the file is closed before the
    // caller may remove it.
    const hashing = sha256File(b.stagedPath).then(
      (sha256) => ({ sha256 }),
      (err: unknown) => ({ err }),
    );
    try {
      got = digestFromRow(
        (
          await this.d.duck.runAndReadAll(
            digestQuery(spec, timeColumnOf(spec), 'duck', `read_parquet(${quoteLiteral(b.stagedPath)})`, '', dayStart(b.day)),
          )
        ).getRowObjectsJS()[0],
      );
    } catch (err) {
      await hashing;
      b.error = `the staged file cannot be read: ${errorMessage(err)}`;
      return false;
    }
    t = lap(b, 'verify.digest', t);
    const want = this.verified(b);
    const hashed = await hashing;
    if (!sameDigest(got, want)) {
      b.error = `file has ${got.rows} rows, checksum ${got.checksum}; PostgreSQL sent ${want.rows} rows, checksum ${want.checksum}`;
      return false;
    }
    if ('err' in hashed) {
      b.error = `the staged file cannot be read: ${errorMessage(hashed.err)}`;
      return false;
    }
    b.parquetBytes = (await stat(b.stagedPath)).size;
    b.sha256 = hashed.sha256;
    lap(b, 'verify.sha256', t);
    // The key is the rows' own digest: a second archiver of the same rows (a shared lake) meets this key and no other.
    b.fileKey = contentKey(spec.name, b.day, want);
    return true;
  }

  private verified(b: BatchRecord): BatchDigest {
    return { rows: b.rows, checksum: b.checksum ?? '', minTime: b.minUs, maxTime: b.maxUs };
  }

  /**
   * No-clobber publish (hidden from the views until the switch), manifest, then the views switch the day from
   * hot to cold in one DuckDB transaction, which also records the tier state it replaced (to undo a withdrawal).
   * Returns false when the staged file was lost before it was published (the batch is exported again).
   */
  async publish(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<boolean> {
    let t = performance.now();
    for (const s of hideFilesSql([b.fileKey])) await run(this.d.duck, s);
    t = lap(b, 'publish.hide', t);
    // Published no-clobber; a key taken already (this batch before a kill, or another archiver) is adopted.
    const staged = b.stagedPath && (await stat(b.stagedPath).catch(() => null)) ? b.stagedPath : null;
    const published = staged
      ? await this.d.lake.publish({ key: b.fileKey, path: staged, ...(b.sha256 ? { sha256: b.sha256 } : {}) }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkbenchError && err.code === 'CONFLICT') return false;
            throw err;
          },
        )
      : false;
    if (!published) {
      const there = await this.d.lake.describe(b.fileKey);
      if (there === null) return false;
      await this.adopt(b, there);
      if (b.stagedPath) await rm(b.stagedPath, { force: true });
    }
    t = lap(b, 'publish.file', t);
    await this.d.at('publish:linked', b);
    b.stagedPath = null;
    await writeManifest(this.d.lake, {
      batchId: b.batchId,
      dataset: spec.name,
      source: 'archive',
      writtenAt: new Date().toISOString(),
      rows: b.rows,
      files: [
        {
          key: b.fileKey,
          rows: b.rows,
          bytes: b.parquetBytes,
          sha256: b.sha256 ?? '',
          minTime: usToIso(b.minUs),
          maxTime: usToIso(b.maxUs),
        },
      ],
      checksum: b.checksum,
      cutoffDay: b.day,
      host: hostname(),
      user: safeUser(),
      highIngestId: b.highIngestId,
      runId: b.runId,
    });
    // The views read a local copy: an S3 lake's object this batch adopted (or uploaded before a kill) is fetched now.
    await this.d.lake.fetch([b.fileKey]);
    t = lap(b, 'publish.manifest', t);
    b.prevTier = (await getTierState(this.d.duck)).get(spec.name) ?? null;
    b.state = 'published';
    await this.d.commitVisibility(
      [
        ...unhideFilesSql([b.fileKey]),
        ...tierSwitchSql(spec.name, dayStart(nextUtcDay(b.day)), b.highIngestId),
        this.d.journal.saveStateSql(b),
      ],
      spec.name,
    );
    lap(b, 'publish.views', t);
    return true;
  }

  /**
   * Deletes exactly the verified rows in one PostgreSQL transaction, and only the rows whose digest is the verified
   * checksum, under lock; the batch is recorded in PostgreSQL's archive log in the same transaction, so a rerun knows
   * its delete committed.
   * - A held day (see fetch.ts): its transaction has locked the day since before the COPY, so the rows about to go
   *   are the very rows the COPY wrote, whose digest the file matched; the partition is emptied with TRUNCATE (or
   *   the rows deleted by key range when it holds others too), and committed.
   * - Any other day (resumed after a crash, or without a partition): the digest is taken again now. The day's own
   *   partition, locked, whose whole content has the verified digest, is emptied with TRUNCATE; else the rows go by
   *   key range, their digest taken from the DELETE itself. Any other digest (a row updated, deleted or added since
   *   the export) rolls back: the batch is withdrawn.
   */
  async delete(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<DeleteOutcome> {
    const held = this.d.fetcher.heldFor(b.batchId);
    if (held) return this.deleteHeld(spec, b, held);
    const want = this.verified(b);
    return this.d.fetcher
      .onDeleteClient(async (c) => {
        await c.query('BEGIN');
        try {
          await c.query("SET LOCAL lock_timeout = '60s'");
          // The archiver prunes the mirror itself: its deletes are not change-logged (see hot-schema.ts).
          await c.query(SKIP_CHANGE_LOG_SQL);
          let outcome: DeleteOutcome;
          const truncated = await this.truncateDayPartition(c, spec, b, want);
          if (truncated) {
            b.deletedBy = 'partition';
            outcome = { kind: 'deleted' };
          } else {
            b.deletedBy = 'rows';
            const cols = spec.columns.map((col) => quoteIdent(col.name)).join(', ');
            const gone = `WITH gone AS (DELETE FROM ${hotTable(spec)} WHERE ${batchPredicate(spec, b.day, b.highIngestId)} RETURNING ${cols}) `;
            const got = digestFromRow(
              (await c.query(gone + digestQuery(spec, timeColumnOf(spec), 'pg', 'gone', '', dayStart(b.day)))).rows[0] as Record<
                string,
                unknown
              >,
            );
            if (got.rows === 0 && b.rows > 0 && ((await wasDeleted(c, b.batchId)) || (await sameRowsDeleted(c, b)))) {
              // An earlier run committed this delete and was killed before recording it; or another archiver of the
              // same rows (a shared lake) published them under this very key and deleted them.
              await c.query('ROLLBACK');
              return { kind: 'deleted' } as const;
            }
            outcome = sameDigest(got, want)
              ? { kind: 'deleted' }
              : {
                  kind: 'changed',
                  reason: `PostgreSQL now holds ${got.rows} rows for ${b.day} (checksum ${got.checksum}) where ${want.rows} were verified (checksum ${want.checksum}): they changed after the export`,
                };
          }
          if (outcome.kind === 'changed') {
            await c.query('ROLLBACK');
            return outcome;
          }
          await logDeleted(c, b);
          await this.d.at('delete:before-commit', b);
          await c.query('COMMIT');
          return outcome;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      })
      .catch((err: unknown) => {
        throw hotUnavailable(err, `deleting archived rows of ${spec.name} ${b.day}`);
      });
  }

  private async deleteHeld(spec: DatasetSpec<DatasetName>, b: BatchRecord, held: HeldDay): Promise<DeleteOutcome> {
    const c = held.client;
    try {
      if (held.rows !== b.rows) {
        // Cannot happen under the lock (the file was verified against the COPY's own rows); never delete on it.
        throw new WorkbenchError(
          'INTERNAL',
          `${spec.name} ${b.day}: PostgreSQL copied ${held.rows} rows but ${b.rows} were verified; nothing was deleted.`,
        );
      }
      await c.query(SKIP_CHANGE_LOG_SQL);
      if (held.exact) {
        await c.query(`TRUNCATE ${held.partition}`);
        b.deletedBy = 'partition';
      } else {
        const n = (await c.query(`DELETE FROM ${hotTable(spec)} WHERE ${batchPredicate(spec, b.day, b.highIngestId)}`)).rowCount ?? 0;
        if (n !== b.rows)
          throw new WorkbenchError(
            'INTERNAL',
            `${spec.name} ${b.day}: ${n} rows matched the delete under lock but ${b.rows} were verified; nothing was deleted.`,
          );
        b.deletedBy = 'rows';
      }
      await logDeleted(c, b);
      await this.d.at('delete:before-commit', b);
      await c.query('COMMIT');
      await this.d.fetcher.release(b.batchId, 'done');
      return { kind: 'deleted' };
    } catch (err) {
      await this.d.fetcher.release(b.batchId, 'rollback');
      throw hotUnavailable(err, `deleting archived rows of ${spec.name} ${b.day}`);
    }
  }

  /**
   * The fast path of the delete, in the caller's transaction: the day's own partition (see hot-schema.ts),
   * locked so no row can arrive or change, whose whole content has the verified digest (so it holds exactly the
   * batch's rows, unchanged), is emptied with TRUNCATE. False (delete row by row) otherwise.
   */
  private async truncateDayPartition(c: pg.Client, spec: DatasetSpec<DatasetName>, b: BatchRecord, want: BatchDigest): Promise<boolean> {
    if (b.rows === 0) return false;
    const part = await dayPartitionOf(c, spec, b.day);
    if (!part) return false;
    await c.query(`LOCK TABLE ${part} IN ACCESS EXCLUSIVE MODE`);
    const got = digestFromRow(
      (await c.query(digestQuery(spec, timeColumnOf(spec), 'pg', part, '', dayStart(b.day)))).rows[0] as Record<string, unknown>,
    );
    if (!sameDigest(got, want)) return false;
    await c.query(`TRUNCATE ${part}`);
    return true;
  }

  /**
   * The rows left PostgreSQL: the mirror's copy of them goes too (the lake serves them now), in one DuckDB
   * transaction with the batch's `done`.
   */
  async cleanup(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<void> {
    b.state = 'done';
    await inTransaction(this.d.duck, async () => {
      await this.d.duck.run(
        `DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)} WHERE ${batchPredicate(spec, b.day, b.highIngestId)}`,
      );
      await run(this.d.duck, this.d.journal.saveStateSql(b));
    });
  }

  /**
   * PostgreSQL no longer holds what was verified (a row corrected, cleared or deleted after the export): the
   * published file is withdrawn. In ONE DuckDB transaction the file is hidden, the tier switch undone and the
   * mirror given PostgreSQL's current rows of the day, so the day shows from the hot tier exactly as PostgreSQL
   * holds it, never from both tiers and never missing. Then `finishWithdraw` removes the file.
   */
  async withdraw(spec: DatasetSpec<DatasetName>, b: BatchRecord, reason: string): Promise<void> {
    const mirror = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
    const withIngest = await mirrorHasIngest(this.d.duck, spec.name);
    const columns = copyColumns(spec, withIngest);
    const format = copyFormatFor(spec);
    await mkdir(this.d.tmpDir, { recursive: true });
    const file = join(this.d.tmpDir, `archive-withdraw-${b.batchId}.${format}`);
    try {
      // The delete connection: the fetch connection may be busy fetching the next day ahead.
      await this.d.fetcher
        .onDeleteClient((c) =>
          copyOut(
            c,
            `SELECT ${columns.map((col) => quoteIdent(col.name)).join(', ')} FROM ${hotTable(spec)} WHERE ${dayPredicate(spec, b.day)}`,
            file,
            format,
          ),
        )
        .catch((err: unknown) => {
          throw hotUnavailable(err, `reading ${spec.name} ${b.day} back`);
        });
      b.state = 'withdrawing';
      b.error = reason;
      await this.d.commitVisibility(
        [
          ...hideFilesSql([b.fileKey]),
          ...restoreTierSql(spec.name, b.prevTier, dayStart(b.day)),
          { sql: `DELETE FROM ${mirror} WHERE ${dayPredicate(spec, b.day)}` },
          {
            sql: `INSERT INTO ${mirror} (${columns.map((col) => quoteIdent(col.name)).join(', ')}) SELECT * FROM ${readCopySql(file, columns, format)}`,
          },
          this.d.journal.saveStateSql(b),
        ],
        spec.name,
      );
    } finally {
      await rm(file, { force: true });
    }
    await this.d.at('withdraw', b);
  }

  /** A withdrawn batch's file leaves the lake (a `withdraw` manifest says why), then its hidden mark. */
  async finishWithdraw(spec: DatasetSpec<DatasetName>, b: BatchRecord): Promise<void> {
    if (await this.d.lake.exists(b.fileKey))
      await this.d.lake.withdraw(spec.name, [b.fileKey], b.error ?? 'PostgreSQL changed after the export');
    b.state = 'withdrawn';
    await this.d.commitVisibility([...unhideFilesSql([b.fileKey]), this.d.journal.saveStateSql(b)], spec.name);
  }
}

async function mirrorHasIngest(duck: DuckDBConnection, table: string): Promise<boolean> {
  const r = await duck.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE schema_name = $1 AND table_name = $2 AND column_name = $3`,
    [HOT_MIRROR_SCHEMA, table, INGEST_COLUMN],
  );
  return Number(r.getRowObjectsJS()[0]?.n ?? 0) > 0;
}
