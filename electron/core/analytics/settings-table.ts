import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

/** The workspace's analytics settings: one JSON value per key in an internal table (sign convention, outlier thresholds). */
const TABLE_NAME = 'analytics_settings';
const TABLE = qualifiedName(INTERNAL_SCHEMA, TABLE_NAME);

/**
 * The stored JSON value of `key` (parsed), or undefined when there is none or it does not parse.
 * A read never creates the table (analyses run on several connections at once; concurrent creates conflict).
 */
export async function readAnalyticsSetting(conn: DuckDBConnection, key: string): Promise<unknown> {
  const present = await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
    INTERNAL_SCHEMA,
    TABLE_NAME,
  ]);
  const rows = present.length === 0 ? [] : await queryRows(conn, `SELECT value FROM ${TABLE} WHERE key = $1`, [key]);
  if (rows.length === 0) return undefined;
  try {
    return JSON.parse(String(rows[0].value)) as unknown;
  } catch {
    return undefined;
  }
}

/** Store `value` (validated by the caller) as JSON under `key`, or delete it with null (back to the default). */
export async function writeAnalyticsSetting(conn: DuckDBConnection, key: string, value: unknown): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  if (value === null) {
    await conn.run(`DELETE FROM ${TABLE} WHERE key = $1`, [key]);
    return;
  }
  await conn.run(`INSERT OR REPLACE INTO ${TABLE} VALUES ($1, $2)`, [key, JSON.stringify(value)]);
}
