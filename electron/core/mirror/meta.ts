import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { queryRows } from '../demo/duck-helpers';
import { INTERNAL_SCHEMA } from '../engine/history';

/** The workspace's own bookkeeping schema, shared with the engine (the schema browser hides it). */
export const META_SCHEMA = INTERNAL_SCHEMA;
export const HOT_MIRROR_SCHEMA = 'hot';
export const COLD_SCHEMA = 'cold';
/** Published lake files the views do not show yet (see the archiver's publish step). */
export const LAKE_HIDDEN = qualifiedName(META_SCHEMA, 'lake_hidden');

/**
 * - tier_split: per dataset, the watermark between the lake and the hot store. Cold rows are before it,
 *   hot rows at or after it. Moved only after rows below it are safely in the lake (demo, archival).
 * - mirror_state: per dataset, how far the local mirror of the hot store has been synced.
 */
export async function ensureMetaSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(META_SCHEMA)}`);
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(HOT_MIRROR_SCHEMA)}`);
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(COLD_SCHEMA)}`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(META_SCHEMA, 'tier_split')} (dataset VARCHAR PRIMARY KEY, split_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)`,
  );
  // archived_ingest: every row below the split with ingest_id <= it is in the lake (archival); rows
  // that arrive later for old days have higher ids and stay visible from the hot tier.
  await conn.run(`ALTER TABLE ${qualifiedName(META_SCHEMA, 'tier_split')} ADD COLUMN IF NOT EXISTS archived_ingest BIGINT DEFAULT 0`);
  // Lake files on disk that the views must not show yet (published, waiting for their tier switch).
  await conn.run(`CREATE TABLE IF NOT EXISTS ${LAKE_HIDDEN} (path VARCHAR PRIMARY KEY, since TIMESTAMPTZ NOT NULL DEFAULT now())`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(META_SCHEMA, 'mirror_state')} (` +
      'dataset VARCHAR PRIMARY KEY, watermark BIGINT NOT NULL DEFAULT 0, rows BIGINT NOT NULL DEFAULT 0, ' +
      'synced_at TIMESTAMPTZ, attempted_at TIMESTAMPTZ, last_error VARCHAR)',
  );
  for (const name of DATASET_NAMES) await conn.run(mirrorTableDdl(name));
}

/** The mirror table of a dataset in schema `hot`: the dataset's columns + ingest_id (how the mirror syncs it, see mirror-sync.ts). */
export function mirrorTableDdl(name: DatasetName): string {
  const spec = DATASETS[name];
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${c.duck}`);
  cols.push(`${quoteIdent(INGEST_COLUMN)} BIGINT${spec.kind === 'timeseries' ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_MIRROR_SCHEMA, name)} (${cols.join(', ')})`;
}

export async function getSplits(conn: DuckDBConnection): Promise<Map<string, string>> {
  const rows = await queryRows(
    conn,
    `SELECT dataset, strftime(split_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS s FROM ${qualifiedName(META_SCHEMA, 'tier_split')}`,
  );
  return new Map(rows.map((r) => [String(r.dataset), String(r.s)]));
}

/** SQL that sets a split (run it inside the caller's transaction, with the view refresh). Resets archived_ingest. */
export function setSplitSql(dataset: DatasetName, splitIso: string): string {
  return (
    `INSERT OR REPLACE INTO ${qualifiedName(META_SCHEMA, 'tier_split')} (dataset, split_at, updated_at, archived_ingest) VALUES ` +
    `(${quoteLiteral(dataset)}, CAST(${quoteLiteral(splitIso)} AS TIMESTAMPTZ), now(), 0)`
  );
}

export interface TierState {
  /** ISO time: cold rows are before it, hot rows at or after it. */
  split: string;
  /** Time series: rows below the split with a higher ingest_id are not archived yet and show from the hot tier. */
  archivedIngest: number;
}

export async function getTierState(conn: DuckDBConnection): Promise<Map<string, TierState>> {
  const rows = await queryRows(
    conn,
    `SELECT dataset, strftime(split_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS s, coalesce(archived_ingest, 0) AS h FROM ${qualifiedName(META_SCHEMA, 'tier_split')}`,
  );
  return new Map(rows.map((r) => [String(r.dataset), { split: String(r.s), archivedIngest: Number(r.h) }]));
}

export interface MirrorStateRow {
  dataset: string;
  watermark: number;
  rows: number;
  syncedAt: string | null;
  attemptedAt: string | null;
  lastError: string | null;
}

export async function getMirrorStates(conn: DuckDBConnection): Promise<Map<string, MirrorStateRow>> {
  const rows = await queryRows(
    conn,
    `SELECT dataset, watermark, rows, strftime(synced_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS synced_at, ` +
      `strftime(attempted_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS attempted_at, last_error FROM ${qualifiedName(META_SCHEMA, 'mirror_state')}`,
  );
  const out = new Map<string, MirrorStateRow>();
  for (const r of rows) {
    out.set(String(r.dataset), {
      dataset: String(r.dataset),
      watermark: Number(r.watermark),
      rows: Number(r.rows),
      syncedAt: r.synced_at === null ? null : String(r.synced_at),
      attemptedAt: r.attempted_at === null ? null : String(r.attempted_at),
      lastError: r.last_error === null ? null : String(r.last_error),
    });
  }
  return out;
}

/** Forget everything the mirror holds (after the hot store was replaced, e.g. by the demo). */
export async function resetMirror(conn: DuckDBConnection): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const name of DATASET_NAMES) await conn.run(`DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, name)}`);
    await conn.run(`DELETE FROM ${qualifiedName(META_SCHEMA, 'mirror_state')}`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
