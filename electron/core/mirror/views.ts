import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES, DATASETS, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { Lake } from '../lake/lake';
import { INGEST_COLUMN } from '../../../shared/domain/datasets';
import { COLD_SCHEMA, HOT_MIRROR_SCHEMA, LAKE_HIDDEN, getTierState, type TierState } from './meta';

/** The column a unified view adds: 'hot' or 'cold'. */
export const TIER_COLUMN = 'tier';

function columnList(spec: DatasetSpec): string {
  return spec.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** `cold.<dataset>`: the lake's Parquet files, or a typed empty relation while the lake has none. */
export function coldViewSql(spec: DatasetSpec, glob: string | null): string {
  const body =
    glob === null
      ? `SELECT ${spec.columns.map((c) => `CAST(NULL AS ${c.duck}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`
      : `SELECT ${spec.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.duck}) AS ${quoteIdent(c.name)}`).join(', ')} ` +
        `FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true, filename = true) ` +
        // Files published but not yet switched into the cold tier (archival) stay out of sight.
        `WHERE filename NOT IN (SELECT path FROM ${LAKE_HIDDEN})`;
  return `CREATE OR REPLACE VIEW ${qualifiedName(COLD_SCHEMA, spec.name)} AS ${body}`;
}

/**
 * The unified view in `main`, with a `tier` column. Time series: cold rows before the split, hot rows
 * at or after it, so a row is never counted twice or missed. Events (alert): closed before the split =
 * cold; open or closed since = hot. Master data: the hot store only. The split is inlined as a literal
 * so DuckDB can prune Parquet row groups with it; views are re-created whenever a split moves.
 */
/**
 * Which mirror rows of a time series the hot tier shows: at or after the split, or below it but not yet
 * archived (a higher ingest_id than the archiver's mark: rows that arrived late for old days).
 * The mirror sync keeps exactly these rows; the unified view shows them.
 */
export function hotVisibleSql(spec: DatasetSpec, tier: TierState | null, dialect: 'duckdb' | 'postgres'): string {
  if (spec.splitColumn === null || tier === null) return 'true';
  const col = quoteIdent(spec.splitColumn);
  const split = dialect === 'duckdb' ? `CAST(${quoteLiteral(tier.split)} AS TIMESTAMPTZ)` : `${quoteLiteral(tier.split)}::timestamptz`;
  if (spec.kind === 'events') return `(${col} IS NULL OR ${col} >= ${split})`;
  return `(${col} >= ${split} OR ${quoteIdent(INGEST_COLUMN)} > ${Math.floor(tier.archivedIngest)})`;
}

export function unifiedViewSql(spec: DatasetSpec, tier: TierState | null): string {
  const splitIso = tier?.split ?? null;
  const cols = columnList(spec);
  const hot = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
  const cold = qualifiedName(COLD_SCHEMA, spec.name);
  const target = qualifiedName('main', spec.name);
  const tierCol = quoteIdent(TIER_COLUMN);
  if (spec.kind === 'master' || spec.splitColumn === null) {
    return `CREATE OR REPLACE VIEW ${target} AS SELECT ${cols}, 'hot' AS ${tierCol} FROM ${hot}`;
  }
  const col = quoteIdent(spec.splitColumn);
  const split = splitIso === null ? "'-infinity'::TIMESTAMPTZ" : `CAST(${quoteLiteral(splitIso)} AS TIMESTAMPTZ)`;
  if (spec.kind === 'events') {
    return (
      `CREATE OR REPLACE VIEW ${target} AS ` +
      `SELECT ${cols}, 'cold' AS ${tierCol} FROM ${cold} WHERE ${col} IS NOT NULL AND ${col} < ${split} ` +
      `UNION ALL SELECT ${cols}, 'hot' AS ${tierCol} FROM ${hot} WHERE ${col} IS NULL OR ${col} >= ${split}`
    );
  }
  return (
    `CREATE OR REPLACE VIEW ${target} AS ` +
    `SELECT ${cols}, 'cold' AS ${tierCol} FROM ${cold} WHERE ${col} < ${split} ` +
    `UNION ALL SELECT ${cols}, 'hot' AS ${tierCol} FROM ${hot} WHERE ${hotVisibleSql(spec, tier ?? { split: '-infinity', archivedIngest: 0 }, 'duckdb')}`
  );
}

/**
 * (Re)create the `cold` views and the unified views from the lake's current files and the recorded
 * splits, in one transaction (readers see the old or the new set, never a mix).
 * Call after the lake gains its first files, after a split moves, and at workspace open.
 */
export async function refreshViews(
  conn: DuckDBConnection,
  lake: Lake,
  datasets: readonly DatasetName[] = DATASET_NAMES,
  /** Statements committed in the same transaction as the new views (e.g. the archiver's tier switch). */
  withStatements: readonly { sql: string; values?: (string | number | null)[] }[] = [],
): Promise<void> {
  const hasFiles = new Map<DatasetName, boolean>();
  for (const name of datasets) if (DATASETS[name].partitionColumn !== null) hasFiles.set(name, (await lake.list(name)).length > 0);
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const s of withStatements) {
      if (s.values) await conn.run(s.sql, s.values);
      else await conn.run(s.sql);
    }
    const tiers = await getTierState(conn);
    for (const name of datasets) {
      const spec = DATASETS[name];
      if (spec.partitionColumn !== null) await conn.run(coldViewSql(spec, hasFiles.get(name) ? lake.duckdbGlob(name) : null));
      await conn.run(unifiedViewSql(spec, tiers.get(name) ?? null));
    }
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
