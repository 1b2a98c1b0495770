import type { DuckDBConnection } from '@duckdb/node-api';
import type { ConvertReport, StoredConversion } from '../../../shared/api/convert';
import { ERROR_CODES, type ApiError, type ErrorCode } from '../../../shared/api/errors';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';

const TABLE = qualifiedName(INTERNAL_SCHEMA, 'conversion_history');

export type { StoredConversion };

function codeOf(stored: unknown, message: string): ErrorCode {
  if (typeof stored === 'string' && stored in ERROR_CODES) return stored as ErrorCode;
  return /cancel/i.test(message) ? 'CANCELLED' : 'INTERNAL';
}

/** Conversion reports kept in the workspace: the Convert view's history and the source sizes behind compression ratios. */
export class ConversionHistory {
  constructor(private readonly conn: DuckDBConnection) {}

  async ensure(): Promise<void> {
    await this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
    await this.conn.run(`CREATE SEQUENCE IF NOT EXISTS ${qualifiedName(INTERNAL_SCHEMA, 'conversion_history_id')}`);
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (
         id BIGINT PRIMARY KEY DEFAULT nextval('${INTERNAL_SCHEMA}.conversion_history_id'),
         started_at TIMESTAMPTZ NOT NULL,
         report JSON NOT NULL,
         error VARCHAR,
         error_code VARCHAR
       )`,
    );
    // A workspace from before error codes were kept gains the column once. DuckDB cannot replay an ALTER of this table
    // (its id default calls nextval) from the WAL, so the change is checkpointed at once and never left in the WAL.
    const reader = await this.conn.runAndReadAll(
      `SELECT count(*) AS n FROM duckdb_columns() WHERE schema_name = $1 AND table_name = 'conversion_history' AND column_name = 'error_code'`,
      [INTERNAL_SCHEMA],
    );
    if (Number(reader.getRowObjectsJS()[0].n) === 0) {
      await this.conn.run(`ALTER TABLE ${TABLE} ADD COLUMN error_code VARCHAR`);
      await this.conn.run('CHECKPOINT');
    }
  }

  async record(startedAt: Date, report: ConvertReport, error: Pick<ApiError, 'code' | 'message'> | null): Promise<void> {
    await this.conn.run(`INSERT INTO ${TABLE} (started_at, report, error, error_code) VALUES (CAST($1 AS TIMESTAMPTZ), $2, $3, $4)`, [
      startedAt.toISOString(),
      JSON.stringify(report),
      error?.message ?? null,
      error?.code ?? null,
    ]);
  }

  async list(limit: number): Promise<StoredConversion[]> {
    const reader = await this.conn.runAndReadAll(
      `SELECT id, strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS started_at, report::VARCHAR AS report, error, error_code FROM ${TABLE} ORDER BY id DESC LIMIT ${Math.floor(limit)}`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      ...(JSON.parse(String(r.report)) as ConvertReport),
      id: Number(r.id),
      startedAt: String(r.started_at),
      error: r.error === null ? null : String(r.error),
      // Rows from before codes were kept: a cancellation said so in its message; anything else is INTERNAL.
      errorCode: r.error === null ? null : codeOf(r.error_code, String(r.error)),
    }));
  }

  /** CSV bytes behind each Parquet file the workbench wrote (by absolute path). */
  async sourceBytesByOutput(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of await this.list(10_000)) {
      for (const f of r.files) {
        const total = f.outputs.length;
        // A partitioned conversion spreads one CSV over many files: share its bytes by output size.
        for (const o of f.outputs) out.set(o, total === 1 ? f.inputBytes : f.inputBytes / total);
      }
    }
    return out;
  }
}
