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

/** A run to record; `params` defaults to `{}`, the provenance to none, and the fingerprint comes later (setResultHash). */
export type NewHistoryEntry = Omit<HistoryEntry, 'id' | 'params' | 'coldDays' | 'hotWatermark' | 'resultHash'> &
  Partial<Pick<HistoryEntry, 'params' | 'coldDays' | 'hotWatermark'>>;

/**
 * Columns added after the table's first version, each with the value an older row takes: a workspace made before
 * them gains them in place when it opens, its runs kept.
 */
const ADDED_COLUMNS: readonly [name: string, definition: string][] = [
  ['params', `JSON DEFAULT '{}'`],
  ['cold_days', `JSON DEFAULT '{}'`],
  ['hot_watermark', `JSON DEFAULT '{}'`],
  ['result_hash', 'VARCHAR'],
];

function jsonObject(text: unknown): Record<string, never> {
  if (typeof text !== 'string') return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, never>) : {};
  } catch {
    return {};
  }
}

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
      for (const [name, definition] of ADDED_COLUMNS) {
        await connection.run(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS ${quoteIdent(name)} ${definition}`);
      }
    });
    return new QueryHistory(connection, queue);
  }

  /** Records a run; resolves to its id (for setResultHash). */
  async record(entry: NewHistoryEntry): Promise<number> {
    return this.queue.run(async () => {
      const reader = await this.connection.runAndReadAll(
        `INSERT INTO ${TABLE} (sql, target, started_at, elapsed_ms, row_count, error, params, cold_days, hot_watermark)
         VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), $4, CAST($5 AS BIGINT), $6, CAST($7 AS JSON), CAST($8 AS JSON), CAST($9 AS JSON))
         RETURNING id`,
        [
          entry.sql,
          entry.target,
          entry.startedAt,
          entry.elapsedMs,
          entry.rowCount,
          entry.error,
          JSON.stringify(entry.params ?? {}),
          JSON.stringify(entry.coldDays ?? {}),
          JSON.stringify(entry.hotWatermark ?? {}),
        ],
      );
      if (++this.inserts % 100 === 0) {
        await this.connection.run(`DELETE FROM ${TABLE} WHERE id <= (SELECT max(id) FROM ${TABLE}) - ${KEEP}`);
      }
      return Number(reader.getRows()[0][0]);
    });
  }

  /** A run's result fingerprint, once computed (after the result went to the user). */
  async setResultHash(id: number, hash: string): Promise<void> {
    await this.queue.run(() => this.connection.run(`UPDATE ${TABLE} SET result_hash = $1 WHERE id = $2`, [hash, id]));
  }

  /** Newest first; `search` matches anywhere in the SQL, case-insensitively, taken literally (no wildcards). */
  async search(search: string, limit: number): Promise<HistoryEntry[]> {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.queue.run(async () => {
      const reader = await this.connection.runAndReadAll(
        `SELECT id, sql, target, epoch_ms(started_at) AS started_ms, elapsed_ms, row_count, error,
                CAST(params AS VARCHAR), CAST(cold_days AS VARCHAR), CAST(hot_watermark AS VARCHAR), result_hash
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
        params: jsonObject(row[7]),
        coldDays: jsonObject(row[8]),
        hotWatermark: jsonObject(row[9]),
        resultHash: row[10] === null ? null : String(row[10]),
      }));
    });
  }
}
