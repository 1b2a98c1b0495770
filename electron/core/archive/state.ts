import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArchivableDataset, ArchiveReport, BatchState } from '../../../shared/api/archive';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';
import { SerialQueue } from '../engine/serial-queue';
import type { Statement, TierState } from '../mirror/meta';

const BATCH = qualifiedName(INTERNAL_SCHEMA, 'archive_batch');
const RUN = qualifiedName(INTERNAL_SCHEMA, 'archive_run');

/** One batch: one UTC day of one dataset, as recorded before each step. */
export interface BatchRecord {
  batchId: string;
  runId: string;
  dataset: ArchivableDataset;
  day: string;
  /** Time series: the highest ingest_id the batch covers (rows inserted later stay hot); else null. */
  highIngestId: number | null;
  state: BatchState;
  /** Staged Parquet (temp name) while exporting/verifying. */
  stagedPath: string | null;
  /** Lake key of the published file. */
  fileKey: string;
  rows: number;
  checksum: string | null;
  minUs: string | null;
  maxUs: string | null;
  parquetBytes: number;
  sha256: string | null;
  timings: Record<string, number>;
  error: string | null;
  /** Set by the delete step (not journaled). */
  deletedBy?: 'partition' | 'rows';
  /**
   * The dataset's tier state just before this batch's switch (publish), to undo it if the batch is withdrawn;
   * null: no split then; undefined: not recorded (a journal from before it was).
   */
  prevTier?: TierState | null;
}

/** Adds the time since `t0` to the batch's timing `name` (the report's per-batch timings); returns now. */
export function lap(b: BatchRecord, name: string, t0: number): number {
  const now = performance.now();
  b.timings[name] = (b.timings[name] ?? 0) + (now - t0);
  return now;
}

/**
 * The archiver's journal in the workspace database: a batch's state is written (and committed) before
 * each step, so a run killed at any moment is resumed or cleanly redone by the next one. One per workspace,
 * on a connection of its own, shared by the archive job, archive.history and the lake check: its statements
 * run one at a time.
 */
export class ArchiveJournal {
  private readonly queue = new SerialQueue();

  constructor(private readonly conn: DuckDBConnection) {}

  ensure(): Promise<void> {
    return this.queue.run(() => this.createTables());
  }

  private async createTables(): Promise<void> {
    await this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${BATCH} (
         batch_id VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, day DATE NOT NULL,
         high_ingest_id BIGINT, state VARCHAR NOT NULL, staged_path VARCHAR, file_key VARCHAR NOT NULL,
         rows BIGINT NOT NULL DEFAULT 0, checksum VARCHAR, min_us VARCHAR, max_us VARCHAR,
         parquet_bytes BIGINT NOT NULL DEFAULT 0, sha256 VARCHAR, timings JSON, error VARCHAR,
         updated_at TIMESTAMPTZ NOT NULL)`,
    );
    await this.conn.run(`ALTER TABLE ${BATCH} ADD COLUMN IF NOT EXISTS prev_tier JSON`);
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${RUN} (
         run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ,
         host VARCHAR, "user" VARCHAR, cutoff TIMESTAMPTZ, dry_run BOOLEAN, report JSON)`,
    );
  }

  async save(b: BatchRecord): Promise<void> {
    await this.queue.run(() =>
      this.conn.run(
        `INSERT OR REPLACE INTO ${BATCH} (batch_id, run_id, dataset, day, high_ingest_id, state, staged_path, file_key, rows, checksum, min_us, max_us,
         parquet_bytes, sha256, timings, error, updated_at, prev_tier)
       VALUES ($1, $2, $3, CAST($4 AS DATE), CAST($5 AS BIGINT), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now(), $17)`,
        [
          b.batchId,
          b.runId,
          b.dataset,
          b.day,
          b.highIngestId === null ? null : String(b.highIngestId),
          b.state,
          b.stagedPath,
          b.fileKey,
          b.rows,
          b.checksum,
          b.minUs,
          b.maxUs,
          b.parquetBytes,
          b.sha256,
          JSON.stringify(b.timings),
          b.error,
          b.prevTier === undefined ? null : JSON.stringify(b.prevTier),
        ],
      ),
    );
  }

  /** SQL that records the batch's state; for callers that must commit it with other statements. */
  saveStateSql(b: BatchRecord): Statement {
    return {
      sql: `UPDATE ${BATCH} SET state = $1, staged_path = $2, timings = $3, error = $4, prev_tier = $5, updated_at = now() WHERE batch_id = $6`,
      values: [
        b.state,
        b.stagedPath,
        JSON.stringify(b.timings),
        b.error,
        b.prevTier === undefined ? null : JSON.stringify(b.prevTier),
        b.batchId,
      ],
    };
  }

  /** Batches some earlier run left between steps (not done, not failed), oldest day first. */
  async unfinished(): Promise<BatchRecord[]> {
    return this.select(`WHERE state NOT IN ('done', 'failed', 'withdrawn') ORDER BY dataset, day`);
  }

  async ofRun(runId: string): Promise<BatchRecord[]> {
    return this.select(`WHERE run_id = $1 ORDER BY dataset, day`, [runId]);
  }

  private async select(where: string, values: string[] = []): Promise<BatchRecord[]> {
    const reader = await this.queue.run(() =>
      this.conn.runAndReadAll(
        `SELECT batch_id, run_id, dataset, strftime(day, '%Y-%m-%d') AS day, high_ingest_id, state, staged_path, file_key, rows, checksum,
              min_us, max_us, parquet_bytes, sha256, timings::VARCHAR AS timings, error, prev_tier::VARCHAR AS prev_tier FROM ${BATCH} ${where}`,
        values,
      ),
    );
    return reader.getRowObjectsJS().map((r) => ({
      batchId: String(r.batch_id),
      runId: String(r.run_id),
      dataset: String(r.dataset) as ArchivableDataset,
      day: String(r.day),
      highIngestId: r.high_ingest_id === null ? null : Number(r.high_ingest_id),
      state: String(r.state) as BatchState,
      stagedPath: r.staged_path === null ? null : String(r.staged_path),
      fileKey: String(r.file_key),
      rows: Number(r.rows),
      checksum: r.checksum === null ? null : String(r.checksum),
      minUs: r.min_us === null ? null : String(r.min_us),
      maxUs: r.max_us === null ? null : String(r.max_us),
      parquetBytes: Number(r.parquet_bytes),
      sha256: r.sha256 === null ? null : String(r.sha256),
      timings: r.timings ? (JSON.parse(String(r.timings)) as Record<string, number>) : {},
      error: r.error === null ? null : String(r.error),
      ...(r.prev_tier === null || r.prev_tier === undefined ? {} : { prevTier: JSON.parse(String(r.prev_tier)) as TierState | null }),
    }));
  }

  async saveRun(report: ArchiveReport): Promise<void> {
    await this.queue.run(() =>
      this.conn.run(
        `INSERT OR REPLACE INTO ${RUN} VALUES ($1, CAST($2 AS TIMESTAMPTZ), CAST($3 AS TIMESTAMPTZ), $4, $5, CAST($6 AS TIMESTAMPTZ), $7, $8)`,
        [report.runId, report.startedAt, report.endedAt, report.host, report.user, report.cutoff, report.dryRun, JSON.stringify(report)],
      ),
    );
  }

  async runs(limit: number): Promise<ArchiveReport[]> {
    const reader = await this.queue.run(() =>
      this.conn.runAndReadAll(`SELECT report::VARCHAR AS report FROM ${RUN} ORDER BY started_at DESC LIMIT ${Math.floor(limit)}`),
    );
    return reader.getRowObjectsJS().map((r) => JSON.parse(String(r.report)) as ArchiveReport);
  }
}
