import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryRows } from '../engine/duck-query';
import { ROW_GROUP_ROWS } from '../mirror/mirror-layout';
import { GOLD_TABLES, STATE, rollupTable, rollupTableName, type Grain, type RollupFamily } from './gold-schema';
import { clusterOrderSql, tsLiteral } from './rollup-sql';

/**
 * The physical order of the gold tables: by time segment (4 weeks), then by key and bucket. Within a segment each
 * DuckDB row group of an hourly table holds a few keys' whole 4 weeks, so its zonemaps let one jar's read skip
 * every other row group: a jar's year of hourly rows touches one or two row groups per segment (about 26 of the
 * 170 of a year's fleet) instead of all of them. A short range of the whole fleet (the freshness panel's last
 * hour) reads the row groups of one segment, however long the history is; a daily table's segment is smaller than
 * a row group, so its row groups follow time and a fleet's week reads one or two of them.
 *
 * A refresh writes each recomputed range sorted by (key, bucket), but a range shorter than a segment lands
 * after the segment's other rows: those rows are counted per segment as unordered, and a segment is rewritten
 * in order once they pass its threshold. A rewrite is one transaction per segment (readers see the old or the
 * new rows, the same rows), run by the refresh job in the background; its cost is bounded by a segment, never
 * by the length of the history.
 */

const DAY_MS = 86_400_000;
/** A segment's span: 4 weeks from the epoch. */
export const SEGMENT_MS = 28 * DAY_MS;

/** The segment number of a TIMESTAMPTZ expression (whole segments since the epoch). */
export function segmentExpr(expr: string): string {
  return `CAST(floor(epoch_ms(${expr}) / ${SEGMENT_MS}) AS BIGINT)`;
}

/**
 * When a segment is rewritten in order: the newest segment (still filling) once its unordered rows reach 4 row
 * groups and its ordered rows (so a filling segment is rewritten a few times, each at double the size), an
 * older one once they reach an eighth of a row group or of the segment (late data for an old day, or the
 * newest segment's last days once a newer one began).
 */
export function segmentNeedsCluster(unordered: number, segmentRows: number, newest: boolean): boolean {
  if (unordered <= 0 || segmentRows <= 0) return false;
  if (newest) return unordered >= Math.max(4 * ROW_GROUP_ROWS, segmentRows - unordered);
  return unordered >= Math.max(1, Math.min(ROW_GROUP_ROWS, segmentRows) / 8);
}

/**
 * The statement that counts rows written into [lo, hi) of a gold table as unordered, per segment (run in the
 * transaction that wrote them).
 */
export function noteUnorderedSql(family: RollupFamily, grain: Grain, loMs: number, hiMs: number): string {
  return (
    `INSERT INTO ${STATE.layout} SELECT ${quoteLiteral(rollupTableName(family, grain))}, ${segmentExpr('bucket')} AS segment, count(*) ` +
    `FROM ${rollupTable(family, grain)} WHERE bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)} GROUP BY 2 ` +
    'ON CONFLICT (tbl, segment) DO UPDATE SET unordered = unordered + excluded.unordered'
  );
}

/** Forget a gold table's layout state (its rows were all deleted: the next refresh starts its count afresh). */
export function forgetLayoutSql(family: RollupFamily, grain: Grain): string {
  return `DELETE FROM ${STATE.layout} WHERE tbl = ${quoteLiteral(rollupTableName(family, grain))}`;
}

export interface ClusterReport {
  /** Segments rewritten, as `gold.jar_hourly@<first day>`. */
  segments: string[];
  rows: number;
}

/**
 * Before a refresh writes: a gold table with rows that the layout has never counted (a workspace from before
 * it) counts them all as unordered, so the refresh's end puts them in order.
 */
export async function adoptGoldLayout(conn: DuckDBConnection): Promise<void> {
  for (const { name, table } of GOLD_TABLES) {
    const tracked = await queryRows(conn, `SELECT 1 FROM ${STATE.layout} WHERE tbl = $1 LIMIT 1`, [name]);
    if (tracked.length > 0) continue;
    await conn.run(`INSERT INTO ${STATE.layout} SELECT $1, ${segmentExpr('bucket')}, count(*) FROM ${table} GROUP BY 2`, [name]);
  }
}

/** Rewrites in order every segment of every gold table whose unordered rows passed its threshold. */
export async function keepGoldClustered(conn: DuckDBConnection, signal?: AbortSignal): Promise<ClusterReport> {
  const report: ClusterReport = { segments: [], rows: 0 };
  for (const { family, grain, name, table } of GOLD_TABLES) {
    const seg = segmentExpr('bucket');
    const candidates = await queryRows(
      conn,
      `SELECT segment, unordered, (SELECT ${seg} FROM ${table} ORDER BY bucket DESC LIMIT 1) AS newest FROM ${STATE.layout} WHERE tbl = $1 AND unordered > 0 ORDER BY segment`,
      [name],
    );
    for (const c of candidates) {
      if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The rollup refresh was cancelled; finished hours are kept.');
      const segment = Number(c.segment);
      const lo = segment * SEGMENT_MS;
      const hi = lo + SEGMENT_MS;
      const inSegment = `bucket >= ${tsLiteral(lo)} AND bucket < ${tsLiteral(hi)}`;
      const rows = await queryRows(conn, `SELECT count(*) AS n FROM ${table} WHERE ${inSegment}`);
      const segmentRows = Number(rows[0]?.n ?? 0);
      if (segmentRows === 0) {
        await conn.run(`DELETE FROM ${STATE.layout} WHERE tbl = $1 AND segment = $2`, [name, segment]);
        continue;
      }
      if (!segmentNeedsCluster(Number(c.unordered), segmentRows, c.newest !== null && Number(c.newest) === segment)) continue;
      await clusterSegment(conn, family, grain, segment, inSegment);
      report.segments.push(`${name}@${new Date(lo).toISOString().slice(0, 10)}`);
      report.rows += segmentRows;
    }
  }
  return report;
}

async function clusterSegment(
  conn: DuckDBConnection,
  family: RollupFamily,
  grain: Grain,
  segment: number,
  inSegment: string,
): Promise<void> {
  const table = rollupTable(family, grain);
  const sorted = quoteIdent(`bw_gold_cluster_${family.name}_${grain}`);
  await inTransaction(conn, async () => {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${sorted} AS SELECT * FROM ${table} WHERE ${inSegment}${clusterOrderSql(family)}`);
    await conn.run(`DELETE FROM ${table} WHERE ${inSegment}`);
    // A scan of the sorted table keeps its order (DuckDB preserves insertion order).
    await conn.run(`INSERT INTO ${table} SELECT * FROM ${sorted}`);
    await conn.run(`DROP TABLE ${sorted}`);
    await conn.run(`UPDATE ${STATE.layout} SET unordered = 0 WHERE tbl = $1 AND segment = $2`, [rollupTableName(family, grain), segment]);
  });
}
