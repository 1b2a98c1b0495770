import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { inTransaction, queryNumber } from '../engine/duck-query';
import { emptyHotTable, getUnorderedRows, HOT_MIRROR_SCHEMA, saveUnorderedRows } from './meta';

/**
 * The physical order of a time series' mirror table: by its key (`battery_id, ts`; `string_id, ts`), so each
 * DuckDB row group (122,880 rows) holds a few jars' whole hot window and its zonemaps (min/max per column and row
 * group) let one jar's read skip every other row group: a jar's 7 days touch one or two row groups of the
 * 5M-row full demo instead of all of them.
 *
 * A sync appends rows in ingest order (each range sorted by the key, see mirror-sync.ts), which a jar's read
 * must scan in full; they are counted, and once they pass a threshold the table is clustered again, in one
 * transaction (readers see the old or the new table, a crash rolls it back, the rows are the same rows).
 */

/** DuckDB's row group size: appends below a few of these cost a jar's read little. */
export const ROW_GROUP_ROWS = 122_880;

/** Re-cluster once the appended rows pass this: 4 row groups or a tenth of the table, whichever is more. */
export function clusterThreshold(tableRows: number): number {
  return Math.max(4 * ROW_GROUP_ROWS, Math.floor(tableRows / 10));
}

/** The columns a time series' mirror is ordered by (its key: unit, then time), or null (not a time series). */
export function clusterKeys(spec: DatasetSpec): string | null {
  if (spec.kind !== 'timeseries' || spec.primaryKey.length === 0) return null;
  return spec.primaryKey.map(quoteIdent).join(', ');
}

/** ` ORDER BY <key>` for a time series' rows on their way into the mirror ('' for other datasets). */
export function clusterOrderSql(spec: DatasetSpec): string {
  const keys = clusterKeys(spec);
  return keys === null ? '' : ` ORDER BY ${keys}`;
}

/**
 * After a sync of `spec` that inserted `appended` rows: count them as unordered, and cluster the table when
 * the count passes the threshold, when it is not known (a workspace from before the layout) or after a copy in
 * full (`fresh`: its ranges are each sorted, not the whole). The clustering sorts the whole table: it runs inside
 * `bounded` (the mirror's memory budget). True when the table was clustered.
 */
export async function keepClustered(
  duck: DuckDBConnection,
  spec: DatasetSpec,
  appended: number,
  fresh: boolean,
  bounded: (fn: () => Promise<void>) => Promise<void> = (fn) => fn(),
): Promise<boolean> {
  const keys = clusterKeys(spec);
  if (keys === null) return false;
  const tableRows = await queryNumber(duck, `SELECT count(*) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)}`);
  const before = await getUnorderedRows(duck, spec.name);
  const unordered = before === null || fresh ? Number.POSITIVE_INFINITY : before + appended;
  if (unordered < clusterThreshold(tableRows) || tableRows === 0) {
    await saveUnorderedRows(duck, spec.name, tableRows === 0 ? 0 : unordered);
    return false;
  }
  await bounded(() => clusterMirror(duck, spec, keys));
  return true;
}

/** Rewrite the mirror table of `spec` in key order, in one transaction, and record it as clustered. */
async function clusterMirror(duck: DuckDBConnection, spec: DatasetSpec, keys: string): Promise<void> {
  const mirror = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
  const sorted = quoteIdent(`bw_cluster_${spec.name}`);
  await inTransaction(duck, async () => {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${sorted} AS SELECT * FROM ${mirror} ORDER BY ${keys}`);
    await emptyHotTable(duck, spec);
    // A scan of the sorted table keeps its order (DuckDB preserves insertion order).
    await duck.run(`INSERT INTO ${mirror} SELECT * FROM ${sorted}`);
    await duck.run(`DROP TABLE ${sorted}`);
    await saveUnorderedRows(duck, spec.name, 0);
  });
}
