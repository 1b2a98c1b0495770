import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { errorMessage } from '../../../shared/api/errors';
import { quoteIdent } from '../../../shared/sql';

/** Rows of a query as plain JSON-safe objects (BIGINT/DECIMAL as strings, timestamps as text). */
export async function queryRows(conn: DuckDBConnection, sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
  const reader = values ? await conn.runAndReadAll(sql, values) : await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

export async function queryNumber(conn: DuckDBConnection, sql: string, values?: DuckDBValue[]): Promise<number> {
  const rows = await queryRows(conn, sql, values);
  const first = rows[0];
  if (!first) return 0;
  const v = Object.values(first)[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/** Insert plain objects into a table in batches of multi-row VALUES with parameters. */
export async function insertObjects(
  conn: DuckDBConnection,
  table: string,
  columns: readonly string[],
  rows: readonly object[],
): Promise<void> {
  const batch = 400;
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch);
    const values: DuckDBValue[] = [];
    const tuples = slice.map((row) => {
      const r = row as Record<string, unknown>;
      const ps = columns.map((c) => {
        const v = r[c];
        values.push(
          v === undefined || v === null ? null : typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : String(v),
        );
        return `$${values.length}`;
      });
      return `(${ps.join(', ')})`;
    });
    await conn.run(`INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/**
 * What lifts a lowered memory limit (Engine.withMemoryBudget registers one while it holds a budget). A rollback pins
 * the blocks it undoes: after a transaction ran out of memory at the limit, DuckDB cannot, and a failed rollback
 * invalidates the whole database until it is reopened ("FATAL Error: Failed to rollback transaction"). A statement
 * outside a transaction that runs out of memory is undone by DuckDB itself, and survives.
 */
const rollbackRoom = new Set<() => Promise<void>>();

/** Registers `lift` to run before a rollback that follows an out-of-memory error; returns its unregistration. */
export function makeRoomForRollbacks(lift: () => Promise<void>): () => void {
  rollbackRoom.add(lift);
  return () => rollbackRoom.delete(lift);
}

/**
 * Runs `fn` in one transaction on `conn`: committed when it returns, rolled back when it throws (after an
 * out-of-memory error, once a lowered memory limit is lifted: see makeRoomForRollbacks).
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const result = await fn();
    await conn.run('COMMIT');
    return result;
  } catch (err) {
    if (isOutOfMemory(err)) for (const lift of [...rollbackRoom]) await lift().catch(() => undefined);
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * The statements that empty `table` by making it again with `createDdl` (its CREATE TABLE), for the caller's
 * transaction: outside one, a query between the two would find no table. What empties a whole table goes this way,
 * not by a DELETE of every row: DuckDB 1.5.5 holds about 8 bytes a deleted row in memory it cannot spill, and a
 * transaction whose DELETE ran out of memory cannot be undone cleanly (at the limit its rollback fails and invalidates
 * the database; given room, see makeRoomForRollbacks, it leaves the rows marked, and every later delete of them fails
 * with "Conflict on tuple deletion" until the database is reopened). A memory budget is the whole database's limit
 * while a job holds it, so this holds for anything running beside a job too. A dropped table holds nothing per row,
 * and the views over it bind it by name when they are queried.
 */
export function recreateTableSql(table: string, createDdl: string): string[] {
  return [`DROP TABLE ${table}`, createDdl];
}

/** DuckDB's out-of-memory error (as thrown, or wrapped in a WorkbenchError's message). */
export function isOutOfMemory(err: unknown): boolean {
  return /Out of Memory Error/i.test(errorMessage(err));
}
