import type { DuckDBConnection } from '@duckdb/node-api';
import type { HistoryEntry, QueryTarget } from '../../../shared/api/query';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import type { SerialQueue } from './serial-queue';

/** The workspace schema for the workbench's own tables; hidden from the catalog tree. */
export const INTERNAL_SCHEMA = '_workbench';
const TABLE = qualifiedName(INTERNAL_SCHEMA, 'query_history');
const SEQUENCE = qualifiedName(INTERNAL_SCHEMA, 'query_history_id');
/** History keeps this many newest runs. */
const KEEP = 10_000;

export type NewHistoryEntry = Omit<HistoryEntry, 'id'>;

/** Every run, kept in the workspace database so it survives restarts and is shared by desktop, web and CLI. */
export class QueryHistory {
  private inserts = 0;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly queue: SerialQueue,
  ) {}

  static async open(connection: DuckDBConnection, queue: SerialQueue): Promise<QueryHistory> {
    await queue.run(async () => {
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
      await connection.run(`CREATE SEQUENCE IF NOT EXISTS ${SEQUENCE}`);
      await connection.run(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (
           id BIGINT PRIMARY KEY DEFAULT nextval('${INTERNAL_SCHEMA}.query_history_id'),
           sql VARCHAR NOT NULL,
           target VARCHAR NOT NULL,
           started_at TIMESTAMPTZ NOT NULL,
           elapsed_ms DOUBLE NOT NULL,
           row_count BIGINT,
           error VARCHAR
         )`,
      );
    });
    return new QueryHistory(connection, queue);
  }

  async record(entry: NewHistoryEntry): Promise<void> {
    await this.queue.run(async () => {
      await this.connection.run(
        `INSERT INTO ${TABLE} (sql, target, started_at, elapsed_ms, row_count, error)
         VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), $4, CAST($5 AS BIGINT), $6)`,
        [entry.sql, entry.target, entry.startedAt, entry.elapsedMs, entry.rowCount, entry.error],
      );
      if (++this.inserts % 100 === 0) {
        await this.connection.run(`DELETE FROM ${TABLE} WHERE id <= (SELECT max(id) FROM ${TABLE}) - ${KEEP}`);
      }
    });
  }

  /** Newest first; `search` matches anywhere in the SQL, case-insensitively, taken literally (no wildcards). */
  async search(search: string, limit: number): Promise<HistoryEntry[]> {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.queue.run(async () => {
      const reader = await this.connection.runAndReadAll(
        `SELECT id, sql, target, epoch_ms(started_at) AS started_ms, elapsed_ms, row_count, error
           FROM ${TABLE}
          WHERE sql ILIKE $1 ESCAPE '\\'
          ORDER BY id DESC
          LIMIT ${Math.max(1, Math.floor(limit))}`,
        [pattern],
      );
      return reader.getRows().map((row) => ({
        id: Number(row[0]),
        sql: String(row[1]),
        target: String(row[2]) as QueryTarget,
        startedAt: new Date(Number(row[3])).toISOString(),
        elapsedMs: Number(row[4]),
        rowCount: row[5] === null ? null : Number(row[5]),
        error: row[6] === null ? null : String(row[6]),
      }));
    });
  }
}
