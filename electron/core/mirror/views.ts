import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES, datasetSpec, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction } from '../engine/duck-query';
import type { Lake, LakeFile } from '../lake/lake';
import { sqlPathList } from '../lake/lake-sql';
import { INGEST_COLUMN } from '../../../shared/domain/datasets';
import { COLD_SCHEMA, HOT_MIRROR_SCHEMA, getHiddenFiles, getTierState, type Statement, type TierState } from './meta';

/** The column a unified view adds: 'hot' or 'cold'. */
export const TIER_COLUMN = 'tier';

function columnList(spec: DatasetSpec): string {
  return spec.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** The `read_parquet` of a list of local files (columns unioned by name; partitions come from the files themselves). */
export function readParquetListSql(paths: readonly string[]): string {
  return `read_parquet(${sqlPathList(paths)}, union_by_name = true, hive_partitioning = false)`;
}

/**
 * `cold.<dataset>` of a registry dataset: its live lake files, typed by the registry, or a typed empty
 * relation while the lake has none. The files are listed in the view (not globbed), so hidden files (see
 * meta.ts) are simply not in it, and a switch between two sets of files is one view re-creation.
 */
export function coldViewSql(spec: DatasetSpec, paths: readonly string[]): string {
  const body =
    paths.length === 0
      ? `SELECT ${spec.columns.map((c) => `CAST(NULL AS ${c.duck}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`
      : `SELECT ${spec.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.duck}) AS ${quoteIdent(c.name)}`).join(', ')} FROM ${readParquetListSql(paths)}`;
  return `CREATE OR REPLACE VIEW ${qualifiedName(COLD_SCHEMA, spec.name)} AS ${body}`;
}

/** `cold.<dataset>` of any other lake dataset (a conversion's output): every column of its files, by name. */
function adHocColdViewSql(dataset: string, paths: readonly string[]): string {
  return `CREATE OR REPLACE VIEW ${qualifiedName(COLD_SCHEMA, dataset)} AS SELECT * FROM ${readParquetListSql(paths)}`;
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
 * (Re)create the `cold` views and the unified views from the lake's current files, the hidden set and the
 * recorded splits, in one transaction (readers see the old or the new set, never a mix). `statements` commit
 * in the same transaction (e.g. the archiver's tier switch, a compaction's swap); the hidden set is read after
 * them. Every lake dataset gets a `cold.<dataset>` view; one that left the lake loses it.
 * Call after a job adds or removes lake files, after a split moves, and at workspace open.
 */
export async function refreshViews(
  conn: DuckDBConnection,
  lake: Lake,
  /** Default: every registry dataset and every dataset in the lake. */
  datasets?: readonly string[],
  statements: readonly Statement[] = [],
): Promise<void> {
  const inLake = datasets === undefined ? await lake.datasets() : null;
  const names = datasets ?? [...new Set<string>([...DATASET_NAMES, ...(inLake ?? [])])];
  const files = new Map<string, LakeFile[]>();
  for (const name of names) {
    const spec = datasetSpec(name);
    if (spec === undefined || spec.partitionColumn !== null) files.set(name, await lake.readable(name));
  }
  await inTransaction(conn, async () => {
    for (const s of statements) {
      if (s.values) await conn.run(s.sql, s.values);
      else await conn.run(s.sql);
    }
    const hidden = await getHiddenFiles(conn);
    const visible = (name: string): string[] =>
      (files.get(name) ?? []).filter((f) => !hidden.has(f.key) && !hidden.has(lake.localPath(f.key))).map((f) => lake.localPath(f.key));
    const tiers = await getTierState(conn);
    for (const name of names) {
      const spec = datasetSpec(name);
      if (spec === undefined) {
        const paths = visible(name);
        await conn.run(paths.length > 0 ? adHocColdViewSql(name, paths) : `DROP VIEW IF EXISTS ${qualifiedName(COLD_SCHEMA, name)}`);
        continue;
      }
      if (spec.partitionColumn !== null) await conn.run(coldViewSql(spec, visible(name)));
      await conn.run(unifiedViewSql(spec, tiers.get(name) ?? null));
    }
    if (inLake !== null) {
      // A dataset that left the lake (removed, compacted away) loses its view.
      const keep = new Set(names);
      const views = await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE schema_name = $1 AND NOT internal`, [COLD_SCHEMA]);
      for (const r of views.getRowObjectsJS()) {
        const v = String(r.view_name);
        if (!keep.has(v)) await conn.run(`DROP VIEW IF EXISTS ${qualifiedName(COLD_SCHEMA, v)}`);
      }
    }
  });
}
