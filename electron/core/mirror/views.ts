import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES, DATASETS, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { Lake } from '../lake/lake';
import { COLD_SCHEMA, HOT_MIRROR_SCHEMA, getSplits } from './meta';

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
        `FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true)`;
  return `CREATE OR REPLACE VIEW ${qualifiedName(COLD_SCHEMA, spec.name)} AS ${body}`;
}

/**
 * The unified view in `main`, with a `tier` column. Time series: cold rows before the split, hot rows
 * at or after it, so a row is never counted twice or missed. Events (alert): closed before the split =
 * cold; open or closed since = hot. Master data: the hot store only. The split is inlined as a literal
 * so DuckDB can prune Parquet row groups with it; views are re-created whenever a split moves.
 */
export function unifiedViewSql(spec: DatasetSpec, splitIso: string | null): string {
  const cols = columnList(spec);
  const hot = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
  const cold = qualifiedName(COLD_SCHEMA, spec.name);
  const target = qualifiedName('main', spec.name);
  const tier = quoteIdent(TIER_COLUMN);
  if (spec.kind === 'master' || spec.splitColumn === null) {
    return `CREATE OR REPLACE VIEW ${target} AS SELECT ${cols}, 'hot' AS ${tier} FROM ${hot}`;
  }
  const col = quoteIdent(spec.splitColumn);
  const split = splitIso === null ? "'-infinity'::TIMESTAMPTZ" : `CAST(${quoteLiteral(splitIso)} AS TIMESTAMPTZ)`;
  if (spec.kind === 'events') {
    return (
      `CREATE OR REPLACE VIEW ${target} AS ` +
      `SELECT ${cols}, 'cold' AS ${tier} FROM ${cold} WHERE ${col} IS NOT NULL AND ${col} < ${split} ` +
      `UNION ALL SELECT ${cols}, 'hot' AS ${tier} FROM ${hot} WHERE ${col} IS NULL OR ${col} >= ${split}`
    );
  }
  return (
    `CREATE OR REPLACE VIEW ${target} AS ` +
    `SELECT ${cols}, 'cold' AS ${tier} FROM ${cold} WHERE ${col} < ${split} ` +
    `UNION ALL SELECT ${cols}, 'hot' AS ${tier} FROM ${hot} WHERE ${col} >= ${split}`
  );
}

/**
 * (Re)create the `cold` views and the unified views from the lake's current files and the recorded
 * splits, in one transaction (readers see the old or the new set, never a mix).
 * Call after the lake gains its first files, after a split moves, and at workspace open.
 */
export async function refreshViews(conn: DuckDBConnection, lake: Lake, datasets: readonly DatasetName[] = DATASET_NAMES): Promise<void> {
  const splits = await getSplits(conn);
  const statements: string[] = [];
  for (const name of datasets) {
    const spec = DATASETS[name];
    if (spec.partitionColumn !== null) {
      const files = await lake.list(name);
      statements.push(coldViewSql(spec, files.length > 0 ? lake.duckdbGlob(name) : null));
    }
    statements.push(unifiedViewSql(spec, splits.get(name) ?? null));
  }
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const sql of statements) await conn.run(sql);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
