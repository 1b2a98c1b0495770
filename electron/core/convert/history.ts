import type { DuckDBConnection } from '@duckdb/node-api';
import type { ConvertReport } from '../../../shared/api/convert';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';

const TABLE = qualifiedName(INTERNAL_SCHEMA, 'conversion_history');

export type StoredConversion = ConvertReport & { id: number; startedAt: string; error: string | null };

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
         error VARCHAR
       )`,
    );
  }

  async record(startedAt: Date, report: ConvertReport, error: string | null): Promise<void> {
    await this.conn.run(`INSERT INTO ${TABLE} (started_at, report, error) VALUES (CAST($1 AS TIMESTAMPTZ), $2, $3)`, [
      startedAt.toISOString(),
      JSON.stringify(report),
      error,
    ]);
  }

  async list(limit: number): Promise<StoredConversion[]> {
    const reader = await this.conn.runAndReadAll(
      `SELECT id, strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS started_at, report::VARCHAR AS report, error FROM ${TABLE} ORDER BY id DESC LIMIT ${Math.floor(limit)}`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      ...(JSON.parse(String(r.report)) as ConvertReport),
      id: Number(r.id),
      startedAt: String(r.started_at),
      error: r.error === null ? null : String(r.error),
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
