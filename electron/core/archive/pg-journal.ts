import type pg from 'pg';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { CHANGE_SCHEMA } from '../hot/hot-schema';

/**
 * The PostgreSQL side of the archive journal (in the workbench's own schema, beside the change logs): one row per batch whose rows PostgreSQL let go of, inserted
 * in the very transaction that deletes them. A batch resumed after a crash that finds its rows gone can then
 * tell "an earlier run of mine committed this delete" (a row here) from "someone deleted them" (none).
 */
export const ARCHIVE_LOG_NAME = 'archive_log';
export const ARCHIVE_LOG = qualifiedName(CHANGE_SCHEMA, ARCHIVE_LOG_NAME);

/** Creates the log when missing. A role that may not create it (the embedded store's archiver) finds it made at setup. */
export async function ensureArchiveLog(c: pg.Client): Promise<void> {
  const found = await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [ARCHIVE_LOG]);
  if (found.rows[0]?.t) return;
  await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(CHANGE_SCHEMA)}`);
  await c.query(
    `CREATE TABLE IF NOT EXISTS ${ARCHIVE_LOG} (batch_id text PRIMARY KEY, dataset text NOT NULL, day date NOT NULL, rows bigint NOT NULL, checksum text, deleted_at timestamptz NOT NULL DEFAULT now())`,
  );
}

/** Inside the delete transaction. */
export async function logDeleted(
  c: pg.Client,
  b: { batchId: string; dataset: string; day: string; rows: number; checksum: string | null },
): Promise<void> {
  await c.query(
    `INSERT INTO ${ARCHIVE_LOG} (batch_id, dataset, day, rows, checksum) VALUES ($1, $2, $3::date, $4, $5) ON CONFLICT (batch_id) DO NOTHING`,
    [b.batchId, b.dataset, b.day, b.rows, b.checksum],
  );
}

/**
 * Whether some batch deleted exactly these rows (same dataset, day, count and content checksum): on a shared lake,
 * another workbench's archiver published them under the same content key and let them go.
 */
export async function sameRowsDeleted(
  c: pg.Client,
  b: { dataset: string; day: string; rows: number; checksum: string | null },
): Promise<boolean> {
  if (b.checksum === null) return false;
  const r = await c.query(`SELECT 1 FROM ${ARCHIVE_LOG} WHERE dataset = $1 AND day = $2::date AND rows = $3 AND checksum = $4 LIMIT 1`, [
    b.dataset,
    b.day,
    b.rows,
    b.checksum,
  ]);
  return (r.rowCount ?? 0) > 0;
}

export async function wasDeleted(c: pg.Client, batchId: string): Promise<boolean> {
  return ((await c.query(`SELECT 1 FROM ${ARCHIVE_LOG} WHERE batch_id = $1`, [batchId])).rowCount ?? 0) > 0;
}
