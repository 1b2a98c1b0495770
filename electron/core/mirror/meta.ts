import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DATASET_NAMES,
  DATASETS,
  DERIVED_DATASET_NAMES,
  DERIVED_DATASETS,
  INGEST_COLUMN,
  type DatasetName,
  type DatasetSpec,
} from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryNumber, queryRows, recreateTableSql } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

/** The workspace's own bookkeeping schema, shared with the engine (the schema browser hides it). */
export const META_SCHEMA = INTERNAL_SCHEMA;
export const HOT_MIRROR_SCHEMA = 'hot';
export const COLD_SCHEMA = 'cold';
/**
 * The only module that names the workspace's lake bookkeeping tables:
 * - lake_hidden: published lake files (by key) the views do not show: an archived day waiting for its tier
 *   switch, the originals of a compaction after its switch, a withdrawn file until it is removed.
 * - tier_split: per dataset, the watermark between the lake and the hot store.
 */
const LAKE_HIDDEN = qualifiedName(META_SCHEMA, 'lake_hidden');
export const TIER_SPLIT = qualifiedName(META_SCHEMA, 'tier_split');
/** view_sql: the SQL each lake view was last made with (views.ts re-makes only those that change). */
export const VIEW_SQL = qualifiedName(META_SCHEMA, 'view_sql');

/** A statement to run in someone else's transaction (a view refresh, a journal save). */
export interface Statement {
  sql: string;
  values?: (string | number | null)[];
}

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
    `CREATE TABLE IF NOT EXISTS ${TIER_SPLIT} (dataset VARCHAR PRIMARY KEY, split_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)`,
  );
  // archived_ingest: every row below the split with ingest_id <= it is in the lake (archival); rows
  // that arrive later for old days have higher ids and stay visible from the hot tier.
  await conn.run(`ALTER TABLE ${TIER_SPLIT} ADD COLUMN IF NOT EXISTS archived_ingest BIGINT DEFAULT 0`);
  // Lake files on disk that the views must not show yet (published, waiting for their tier switch).
  await conn.run(`CREATE TABLE IF NOT EXISTS ${LAKE_HIDDEN} (path VARCHAR PRIMARY KEY, since TIMESTAMPTZ NOT NULL DEFAULT now())`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${VIEW_SQL} (name VARCHAR PRIMARY KEY, sql VARCHAR NOT NULL)`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(META_SCHEMA, 'mirror_state')} (` +
      'dataset VARCHAR PRIMARY KEY, watermark BIGINT NOT NULL DEFAULT 0, rows BIGINT NOT NULL DEFAULT 0, ' +
      'synced_at TIMESTAMPTZ, attempted_at TIMESTAMPTZ, last_error VARCHAR)',
  );
  // Rows appended out of (key, time) order since the mirror table was last clustered (mirror-layout.ts); NULL: not known.
  await conn.run(`ALTER TABLE ${qualifiedName(META_SCHEMA, 'mirror_state')} ADD COLUMN IF NOT EXISTS unordered_rows BIGINT`);
  for (const name of DATASET_NAMES) await conn.run(mirrorTableDdl(name));
  // A derived dataset's hot rows, computed in the workspace (electron/core/calc/), with their source row's ingest_id.
  for (const name of DERIVED_DATASET_NAMES) await conn.run(hotTableDdl(DERIVED_DATASETS[name]));
}

/** The mirror table of a dataset in schema `hot`: the dataset's columns + ingest_id (how the mirror syncs it, see mirror-sync.ts). */
export function mirrorTableDdl(name: DatasetName): string {
  return hotTableDdl(DATASETS[name]);
}

/**
 * Empties a table of schema `hot` by making it again, in the caller's transaction (see recreateTableSql), and returns
 * the rows it held.
 */
export async function emptyHotTable(conn: DuckDBConnection, spec: DatasetSpec): Promise<number> {
  const table = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
  const rows = await queryNumber(conn, `SELECT count(*) FROM ${table}`);
  for (const sql of recreateTableSql(table, hotTableDdl(spec))) await conn.run(sql);
  return rows;
}

function hotTableDdl(spec: DatasetSpec): string {
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${c.duck}`);
  cols.push(`${quoteIdent(INGEST_COLUMN)} BIGINT${spec.kind === 'timeseries' || spec.kind === 'derived' ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)} (${cols.join(', ')})`;
}

export async function getSplits(conn: DuckDBConnection): Promise<Map<string, string>> {
  const rows = await queryRows(
    conn,
    `SELECT dataset, strftime(split_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS s FROM ${TIER_SPLIT}`,
  );
  return new Map(rows.map((r) => [String(r.dataset), String(r.s)]));
}

/**
 * The splits as epoch milliseconds, rounded up: a time in whole milliseconds at or after one is at or after the split
 * itself (a split is stored in microseconds), for callers that choose a tier by a range's start (rangeSourceSql).
 */
export async function getSplitsMs(conn: DuckDBConnection): Promise<Map<string, number>> {
  const rows = await queryRows(conn, `SELECT dataset, CAST(ceil(epoch_us(split_at) / 1000) AS BIGINT) AS ms FROM ${TIER_SPLIT}`);
  return new Map(rows.map((r) => [String(r.dataset), Number(r.ms)]));
}

/** SQL that sets a split (run it inside the caller's transaction, with the view refresh). Resets archived_ingest. */
export function setSplitSql(dataset: DatasetName, splitIso: string): string {
  return (
    `INSERT OR REPLACE INTO ${TIER_SPLIT} (dataset, split_at, updated_at, archived_ingest) VALUES ` +
    `(${quoteLiteral(dataset)}, CAST(${quoteLiteral(splitIso)} AS TIMESTAMPTZ), now(), 0)`
  );
}

/** Hide lake files (by key) from the views; commit it with the view refresh. */
export function hideFilesSql(keys: readonly string[]): Statement[] {
  return keys.map((k) => ({ sql: `INSERT OR IGNORE INTO ${LAKE_HIDDEN} (path) VALUES ($1)`, values: [k] }));
}

export function unhideFilesSql(keys: readonly string[]): Statement[] {
  return keys.map((k) => ({ sql: `DELETE FROM ${LAKE_HIDDEN} WHERE path = $1`, values: [k] }));
}

/** The hidden files' keys (older workspaces recorded absolute paths; those match by path). */
export async function getHiddenFiles(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows(conn, `SELECT path FROM ${LAKE_HIDDEN}`);
  return new Set(rows.map((r) => String(r.path)));
}

/**
 * Moving a batch of `dataset` to the cold tier: the split moves past `until` (never backwards), and for time
 * series the highest archived ingest_id rises, so rows that arrive later for old days stay visible from the
 * hot tier.
 */
export function tierSwitchSql(dataset: string, until: string, archivedIngest: number | null): Statement[] {
  const out: Statement[] = [
    {
      sql: `INSERT INTO ${TIER_SPLIT} (dataset, split_at, updated_at) VALUES ($1, CAST($2 AS TIMESTAMPTZ), now())
            ON CONFLICT (dataset) DO UPDATE SET split_at = greatest(split_at, excluded.split_at), updated_at = now()`,
      values: [dataset, until],
    },
  ];
  if (archivedIngest !== null) {
    out.push({
      sql: `UPDATE ${TIER_SPLIT} SET archived_ingest = greatest(coalesce(archived_ingest, 0), CAST($1 AS BIGINT)) WHERE dataset = $2`,
      values: [String(archivedIngest), dataset],
    });
  }
  return out;
}

/**
 * Put a dataset's tier state back to what it was before a switch (a withdrawn batch's switch undone): null = it
 * had no split; undefined = not known (an old journal): the split only moves back to `from`.
 */
export function restoreTierSql(dataset: string, prev: TierState | null | undefined, from: string): Statement[] {
  if (prev === undefined) {
    return [
      {
        sql: `UPDATE ${TIER_SPLIT} SET split_at = least(split_at, CAST($1 AS TIMESTAMPTZ)), updated_at = now() WHERE dataset = $2`,
        values: [from, dataset],
      },
    ];
  }
  if (prev === null) return [{ sql: `DELETE FROM ${TIER_SPLIT} WHERE dataset = $1`, values: [dataset] }];
  return [
    {
      sql: `INSERT OR REPLACE INTO ${TIER_SPLIT} (dataset, split_at, updated_at, archived_ingest) VALUES ($1, CAST($2 AS TIMESTAMPTZ), now(), CAST($3 AS BIGINT))`,
      values: [dataset, prev.split, String(prev.archivedIngest)],
    },
  ];
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
    `SELECT dataset, strftime(split_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS s, coalesce(archived_ingest, 0) AS h FROM ${TIER_SPLIT}`,
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
  await inTransaction(conn, async () => {
    for (const name of DATASET_NAMES) await conn.run(`DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, name)}`);
    await conn.run(`DELETE FROM ${qualifiedName(META_SCHEMA, 'mirror_state')}`);
  });
}

const MIRROR_STATE = qualifiedName(META_SCHEMA, 'mirror_state');

/** How far the mirror of `dataset` is synced (0: not yet, or starting over). */
export async function getMirrorWatermark(conn: DuckDBConnection, dataset: string): Promise<number> {
  const rows = await queryRows(conn, `SELECT watermark FROM ${MIRROR_STATE} WHERE dataset = $1`, [dataset]);
  return rows.length > 0 ? Number(rows[0].watermark) : 0;
}

/** A dataset's sync ended at `watermark`: its row count, synced_at and a cleared error with it. */
export async function saveMirrorState(conn: DuckDBConnection, dataset: string, watermark: number): Promise<void> {
  await conn.run(
    `INSERT INTO ${MIRROR_STATE} (dataset, watermark, rows, synced_at, attempted_at, last_error) ` +
      `VALUES ($1, $2, (SELECT count(*) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, dataset)}), now(), now(), NULL) ` +
      'ON CONFLICT (dataset) DO UPDATE SET watermark = excluded.watermark, rows = excluded.rows, synced_at = excluded.synced_at, ' +
      'attempted_at = excluded.attempted_at, last_error = NULL',
    [dataset, watermark],
  );
}

/** Watermark only, inside a range's transaction (the row count is refreshed at the end of the dataset's sync). */
export async function saveMirrorWatermark(conn: DuckDBConnection, dataset: string, watermark: number): Promise<void> {
  await conn.run(
    `INSERT INTO ${MIRROR_STATE} (dataset, watermark, attempted_at) VALUES ($1, $2, now()) ` +
      'ON CONFLICT (dataset) DO UPDATE SET watermark = excluded.watermark, attempted_at = excluded.attempted_at',
    [dataset, watermark],
  );
}

/** Rows appended to a dataset's mirror out of (key, time) order since it was last clustered; null: not known. */
export async function getUnorderedRows(conn: DuckDBConnection, dataset: string): Promise<number | null> {
  const rows = await queryRows(conn, `SELECT unordered_rows FROM ${MIRROR_STATE} WHERE dataset = $1`, [dataset]);
  const n = rows[0]?.unordered_rows;
  return n === null || n === undefined ? null : Number(n);
}

export async function saveUnorderedRows(conn: DuckDBConnection, dataset: string, n: number): Promise<void> {
  await conn.run(
    `INSERT INTO ${MIRROR_STATE} (dataset, unordered_rows) VALUES ($1, $2) ON CONFLICT (dataset) DO UPDATE SET unordered_rows = excluded.unordered_rows`,
    [dataset, n],
  );
}

/** A failed sync of `dataset`, for status(); best effort (the sync's own error is what the caller sees). */
export async function recordMirrorError(conn: DuckDBConnection, dataset: string, message: string): Promise<void> {
  await conn
    .run(
      `INSERT INTO ${MIRROR_STATE} (dataset, attempted_at, last_error) VALUES ($1, now(), $2) ` +
        'ON CONFLICT (dataset) DO UPDATE SET attempted_at = excluded.attempted_at, last_error = excluded.last_error',
      [dataset, message.slice(0, 2000)],
    )
    .catch(() => undefined);
}
