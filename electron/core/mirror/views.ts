import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DATASET_NAMES,
  DERIVED_DATASET_NAMES,
  datasetSpec,
  derivedFrom,
  tierSource,
  type DatasetSpec,
} from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryRows } from '../engine/duck-query';
import { originalsInFlight } from '../lake/compact';
import { LakeIntents } from '../lake/intents';
import { LakeCatalog, schemaSignatures, type CatalogFile } from '../lake/lake-catalog';
import type { Lake } from '../lake/lake';
import { sqlPathList } from '../lake/lake-sql';
import { INGEST_COLUMN } from '../../../shared/domain/datasets';
import { FEATURES_DATASET, featureViewsSql } from '../features/feature-views';
import { COLD_SCHEMA, HOT_MIRROR_SCHEMA, VIEW_SQL, getHiddenFiles, getTierState, type Statement, type TierState } from './meta';

/** The column a unified view adds: 'hot' or 'cold'. */
export const TIER_COLUMN = 'tier';

function columnList(spec: DatasetSpec): string {
  return spec.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** The `read_parquet` of a list of local files (columns unioned by name; partitions come from the files themselves). */
export function readParquetListSql(paths: readonly string[]): string {
  return `read_parquet(${sqlPathList(paths)}, union_by_name = true, hive_partitioning = false)`;
}

/** Lake files with the same columns (names and types, in file order), read by one `read_parquet`. */
export interface FileGroup {
  paths: string[];
  columns: ReadonlySet<string>;
}

/** Files with the same column signature (see schemaSignatures) in one group, in the order given. */
export function groupBySignature(files: readonly { path: string; sig: string }[]): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const { path, sig } of files) {
    const group = groups.get(sig) ?? { paths: [], columns: new Set(sig.split('\u001e').map((c) => c.split('\u001f')[0])) };
    group.paths.push(path);
    groups.set(sig, group);
  }
  return [...groups.values()];
}

/** A run of a cold view's files read by one `read_parquet`, and the partition-column range its rows lie in (null: unbounded). */
export interface ColdBranch {
  paths: string[];
  /** UTC `YYYY-MM`: the month of the files' `date=YYYY-MM-DD` folders, or null for files outside such a folder. */
  month: string | null;
}

/** The UTC month of a lake file from the `date=YYYY-MM-DD` folder it sits in, else null. */
export function monthOfLakeFile(path: string): string | null {
  const folder = path.split(/[\\/]/).at(-2) ?? '';
  const m = /^date=(\d{4}-\d{2})-\d{2}$/.exec(folder);
  return m ? m[1] : null;
}

/** Files by the UTC month of their partition folder, months in order (the files of one month in their given order). */
export function monthBranches(paths: readonly string[]): ColdBranch[] {
  const byMonth = new Map<string | null, string[]>();
  for (const path of paths) {
    const month = monthOfLakeFile(path);
    const list = byMonth.get(month) ?? [];
    list.push(path);
    byMonth.set(month, list);
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([month, list]) => ({ month, paths: list }));
}

/**
 * The column a cold view bounds each month's files by (quoted), or null. Only a time series, whose every writer
 * partitions by its time column: events are partitioned by when they were raised (the demo) or cleared (archival),
 * so a bound on either would hide rows. `lake check` proves the bound holds (outside-partition).
 */
export function monthBoundColumn(spec: DatasetSpec): string | null {
  return (spec.kind === 'timeseries' || spec.kind === 'derived') &&
    spec.partitionColumn !== null &&
    spec.partitionColumn === spec.splitColumn
    ? quoteIdent(spec.partitionColumn)
    : null;
}

/** `[first instant of the month, first instant of the next)` as TIMESTAMPTZ literals (UTC). */
function monthRangeSql(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number);
  const at = (year: number, month0: number): string =>
    `CAST(${quoteLiteral(new Date(Date.UTC(year, month0, 1)).toISOString())} AS TIMESTAMPTZ)`;
  return [at(y, m - 1), at(y, m)];
}

/**
 * The files grouped by their columns, from their footers. A group reads without union_by_name, which opens
 * every file's footer each time a query binds the view (~70 ms for a year of daily files, even cached).
 */
export async function groupBySchema(conn: DuckDBConnection, paths: readonly string[]): Promise<FileGroup[]> {
  const sigOf = await schemaSignatures(conn, paths);
  return groupBySignature(
    paths.map((path) => {
      const sig = sigOf.get(path);
      if (sig === undefined) throw new Error(`Could not read the columns of the lake file ${path}.`);
      return { path, sig };
    }),
  );
}

/**
 * `cold.<dataset>` of a registry dataset: its live lake files, typed by the registry, or a typed empty
 * relation while the lake has none. The files are listed in the view (not globbed), so hidden files (see
 * meta.ts) are simply not in it, and a switch between two sets of files is one view re-creation. Files of
 * another shape (an older schema) are a second group: a column it lacks reads as NULL.
 *
 * Each group is read one UTC month per `read_parquet`, the branch bounded to its month on the partition column
 * (the lake's contract: a file under `date=D` holds the rows whose partition column falls on the UTC day D). A
 * time filter then prunes whole months at planning time, so a query on one day opens that month's files, not
 * the whole history: DuckDB cannot derive a filter on a file's `date=` folder from a filter on the time column,
 * and a branch per day prunes to the day but costs ~0.2 ms per branch to bind on every query (see README, Views).
 */
export function coldViewSql(spec: DatasetSpec, groups: readonly FileGroup[]): string {
  return `CREATE OR REPLACE VIEW ${qualifiedName(COLD_SCHEMA, spec.name)} AS ${coldSelectSql(spec, groups)}`;
}

/** The SELECT of a `cold.<dataset>` view over these file groups (coldViewSql): typed columns, month-bounded branches. */
export function coldSelectSql(spec: DatasetSpec, groups: readonly FileGroup[]): string {
  const typed = (has: (c: string) => boolean): string =>
    spec.columns.map((c) => `CAST(${has(c.name) ? quoteIdent(c.name) : 'NULL'} AS ${c.duck}) AS ${quoteIdent(c.name)}`).join(', ');
  const part = monthBoundColumn(spec);
  const bounded = (month: string | null): string => {
    if (part === null || month === null) return '';
    const [from, to] = monthRangeSql(month);
    return ` WHERE ${part} >= ${from} AND ${part} < ${to}`;
  };
  const body =
    groups.length === 0
      ? `SELECT ${typed(() => false)} WHERE false`
      : groups
          .flatMap((g) =>
            monthBranches(g.paths).map(
              (b) =>
                `SELECT ${typed((c) => g.columns.has(c))} FROM read_parquet(${sqlPathList(b.paths)}, hive_partitioning = false)${bounded(b.month)}`,
            ),
          )
          .join(' UNION ALL ');
  return body;
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
 * The relation a query of a time series over `[fromMs, …)` on its split column may read in place of the unified
 * view: the hot mirror table alone (with the view's `tier` column) when the range starts at or after the tier
 * split. Every row of such a range is then a hot row the view shows (at or after the split), and the view's cold
 * branch holds none (only rows before it). The lake is not bound at all: DuckDB checks each file a view lists
 * on every query (a year of daily files costs ~4 ms before a row is read), and the mirror costs the same however
 * long the history.
 *
 * `splits`: the splits (ms) by dataset, read in the same transaction as the query, so that an archive moving a
 * split in between cannot hide rows (a dataset without one has none: the view shows every mirror row); without
 * them, the unified view. `view`: the unified view, for SQL that runs later (an export).
 */
export function rangeSourceSql(
  spec: DatasetSpec,
  splits: ReadonlyMap<string, number> | undefined,
  fromMs: number,
): { sql: string; hotOnly: boolean; view: string } {
  const view = qualifiedName('main', spec.name);
  const unified = { sql: view, hotOnly: false, view };
  if (splits === undefined || spec.kind !== 'timeseries' || spec.splitColumn === null) return unified;
  const splitMs = splits.get(spec.name);
  if (splitMs !== undefined && !(fromMs >= splitMs)) return unified;
  return {
    sql: `(SELECT ${columnList(spec)}, 'hot' AS ${quoteIdent(TIER_COLUMN)} FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)})`,
    hotOnly: true,
    view,
  };
}

/**
 * (Re)create the `cold` views and the unified views from the workspace's lake catalog (see lake-catalog.ts: the
 * caller syncs it first), the hidden set and the recorded splits, in one transaction (readers see the old or the
 * new set, never a mix). No data folder is listed and no footer read: the catalog has each file's columns.
 * `statements` commit in the same transaction (e.g. the archiver's tier switch, a compaction's swap); the hidden set
 * is read after them. Every catalogued dataset gets a `cold.<dataset>` view; one that left the lake loses it. The
 * originals of a compaction not switched yet stay in the views although its manifest replaces them.
 * Call after a job adds or removes lake files, after a split moves, and at workspace open.
 */
/** The catalogued files of a dataset the views may read: a schema signature, and a verified local copy (an S3 lake's others wait for the next pull). */
async function viewableFiles(catalog: LakeCatalog, lake: Lake, name: string, inFlight: ReadonlySet<string>): Promise<CatalogFile[]> {
  const all = await catalog.files(name, inFlight);
  const local = await lake.cached(all.map((f) => f.key));
  return all.filter((f) => f.sig !== null && local.has(f.key));
}

/** Of those, the ones not hidden, with their local path. */
function visibleOf(lake: Lake, files: readonly CatalogFile[], hidden: ReadonlySet<string>): { key: string; path: string; sig: string }[] {
  return files
    .filter((f) => !hidden.has(f.key) && !hidden.has(lake.localPath(f.key)))
    .map((f) => ({ key: f.key, path: lake.localPath(f.key), sig: f.sig as string }));
}

/**
 * The files `cold.<dataset>` reads now, as refreshViews chose them (key, local path, schema signature, size and
 * modification time): for readers that sum per file what the view would give (e.g. a feature set's input fingerprints).
 */
export async function coldViewFiles(
  conn: DuckDBConnection,
  lake: Lake,
  name: string,
): Promise<{ key: string; path: string; sig: string; size: number; modifiedMs: number }[]> {
  const files = await viewableFiles(new LakeCatalog(conn, lake), lake, name, await originalsInFlight(new LakeIntents(conn)));
  const byKey = new Map(files.map((f) => [f.key, f]));
  return visibleOf(lake, files, await getHiddenFiles(conn)).map((f) => ({
    ...f,
    size: byKey.get(f.key)?.size ?? 0,
    modifiedMs: byKey.get(f.key)?.modifiedAt.getTime() ?? 0,
  }));
}

export async function refreshViews(
  conn: DuckDBConnection,
  lake: Lake,
  /** Default: every registry dataset and every dataset in the catalog. */
  datasets?: readonly string[],
  statements: readonly Statement[] = [],
): Promise<void> {
  const catalog = new LakeCatalog(conn, lake);
  const inLake = datasets === undefined ? await catalog.datasets() : null;
  // A derived dataset follows its source's split: its views are remade with the source's. The feature sets' dataset
  // always: when it left the lake, its per-version views go too.
  const names = [
    ...new Set<string>([
      ...(datasets ?? [...DATASET_NAMES, ...DERIVED_DATASET_NAMES, ...(inLake ?? []), FEATURES_DATASET]),
      ...(datasets ?? []).flatMap((d) => derivedFrom(d).map((x) => x.name)),
    ]),
  ];
  const inFlight = await originalsInFlight(new LakeIntents(conn));
  const files = new Map<string, CatalogFile[]>();
  for (const name of names) {
    const spec = datasetSpec(name);
    if (spec !== undefined && spec.partitionColumn === null) continue;
    files.set(name, await viewableFiles(catalog, lake, name, inFlight));
  }
  await inTransaction(conn, async () => {
    for (const s of statements) {
      if (s.values) await conn.run(s.sql, s.values);
      else await conn.run(s.sql);
    }
    const hidden = await getHiddenFiles(conn);
    const visible = (name: string): { path: string; sig: string }[] => visibleOf(lake, files.get(name) ?? [], hidden);
    const tiers = await getTierState(conn);
    const made = await madeViews(conn);
    for (const name of names) {
      const spec = datasetSpec(name);
      if (name === FEATURES_DATASET) {
        // The feature sets' lake dataset: one view per set version (`features.<set>_v<N>`), not one over all of them.
        const views = featureViewsSql(visible(name));
        const keepViews = new Set(views.map((v) => v.name));
        if (views.length > 0) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(FEATURES_DATASET)}`);
        for (const v of views) await makeView(conn, made, v.name, v.sql);
        const old = await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE schema_name = $1 AND NOT internal`, [
          FEATURES_DATASET,
        ]);
        for (const r of old.getRowObjectsJS()) {
          const v = qualifiedName(FEATURES_DATASET, String(r.view_name));
          if (!keepViews.has(v)) await makeView(conn, made, v, null);
        }
        continue;
      }
      if (spec === undefined) {
        const paths = visible(name).map((f) => f.path);
        await makeView(conn, made, qualifiedName(COLD_SCHEMA, name), paths.length > 0 ? adHocColdViewSql(name, paths) : null);
        continue;
      }
      if (spec.partitionColumn !== null)
        await makeView(conn, made, qualifiedName(COLD_SCHEMA, name), coldViewSql(spec, groupBySignature(visible(name))));
      await makeView(conn, made, qualifiedName('main', name), unifiedViewSql(spec, tiers.get(tierSource(spec)) ?? null));
    }
    if (inLake !== null) {
      // A dataset that left the lake (removed, compacted away) loses its view.
      const keep = new Set(names);
      const views = await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE schema_name = $1 AND NOT internal`, [COLD_SCHEMA]);
      for (const r of views.getRowObjectsJS()) {
        const v = String(r.view_name);
        if (!keep.has(v)) await makeView(conn, made, qualifiedName(COLD_SCHEMA, v), null);
      }
    }
  });
}

/** The views as last made (their SQL by qualified name) that still exist. */
async function madeViews(conn: DuckDBConnection): Promise<Map<string, string>> {
  const rows = await queryRows(
    conn,
    // The view's qualified name as qualifiedName() quotes it.
    `SELECT m.name, m.sql FROM ${VIEW_SQL} m JOIN duckdb_views() v ON NOT v.internal AND m.name = ` +
      `'"' || replace(v.schema_name, '"', '""') || '"."' || replace(v.view_name, '"', '""') || '"'`,
  );
  return new Map(rows.map((r) => [String(r.name), String(r.sql)]));
}

/**
 * Makes a view (null: drops it) unless it exists with this very SQL: creating a view binds it, which opens the first
 * Parquet file of each group, so a view that did not change (every view at an ordinary open) is left as it is.
 */
async function makeView(conn: DuckDBConnection, made: Map<string, string>, name: string, sql: string | null): Promise<void> {
  if (sql !== null && made.get(name) === sql) return;
  await conn.run(sql ?? `DROP VIEW IF EXISTS ${name}`);
  if (sql === null) await conn.run(`DELETE FROM ${VIEW_SQL} WHERE name = $1`, [name]);
  else await conn.run(`INSERT OR REPLACE INTO ${VIEW_SQL} (name, sql) VALUES ($1, $2)`, [name, sql]);
  made.set(name, sql ?? '');
}
