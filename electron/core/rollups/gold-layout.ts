import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryRows } from '../engine/duck-query';
import { ROW_GROUP_ROWS } from '../mirror/mirror-layout';
import { GOLD_TABLES, STATE, rollupTable, rollupTableName, type Grain, type RollupFamily } from './gold-schema';
import { clusterOrderSql, tsLiteral } from './rollup-sql';

/**
 * The physical order of the gold tables. Recent rows are kept by time segment (4 weeks), older ones by history block
 * (6 segments, 24 weeks); within either, rows are sorted by (key, bucket), so DuckDB's zonemaps let one key's read
 * skip every other key's row groups.
 *
 * - The newest two segments stay segments: a short range of the whole fleet (the fleet page's last 7 or 30 days)
 *   reads the row groups of one or two segments, however long the history is. Within a segment each row group of
 *   an hourly table holds a few jars' whole 4 weeks.
 * - Every older segment belongs to a history block (epoch-aligned, 6 segments), written as one (key, bucket) run:
 *   a jar's 24 weeks of hourly rows sit in one or two row groups. A jar's year then reads about five runs (two
 *   segments and two or three blocks) instead of fourteen segments, which is what a long one-jar curve costs: the
 *   blocks DuckDB loads for it, not the rows it keeps.
 *
 * A refresh writes each recomputed range sorted by (key, bucket), but a range shorter than a segment lands
 * after the segment's other rows: those rows are counted per segment as unordered, and a segment is rewritten
 * in order once they pass its threshold; a history block likewise, against the block's rows. When the newest
 * segment moves on, the segment that leaves the recent two joins its history block and the block is rewritten as
 * one run (the block it completes is thus rewritten up to six times, once per 4 weeks of data). A rewrite goes key
 * range by key range (about a million rows each, one transaction each: readers see the old or the new rows, the
 * same rows, and memory stays bounded by the range); the layout state is updated only after the last range, so an
 * interrupted rewrite is redone whole. It runs in the refresh job in the background; its cost is bounded by a
 * block, never by the length of the history.
 */

const DAY_MS = 86_400_000;
/** A segment's span: 4 weeks from the epoch. */
export const SEGMENT_MS = 28 * DAY_MS;
/** A history block's span, in segments (24 weeks), from the epoch. */
export const BLOCK_SEGMENTS = 6;
/** The newest segments kept as segments (the rest is history). */
export const RECENT_SEGMENTS = 2;
/** Rows a rewrite moves per transaction (whole keys): about one 4-week segment of a 2,400-jar hourly table. */
const REWRITE_ROWS = 2_000_000;

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
export function forgetLayoutSql(family: RollupFamily, grain: Grain): string[] {
  const tbl = quoteLiteral(rollupTableName(family, grain));
  return [`DELETE FROM ${STATE.layout} WHERE tbl = ${tbl}`, `DELETE FROM ${STATE.history} WHERE tbl = ${tbl}`];
}

export interface ClusterReport {
  /** Segments and history blocks rewritten, as `gold.jar_hourly@<first day>` (a block: `@<first day>..<end day>`). */
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

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Rewrites in order every history block that is behind (a segment joined it, or its late rows passed its
 * threshold) and every recent segment whose unordered rows passed its threshold.
 */
export async function keepGoldClustered(conn: DuckDBConnection, signal?: AbortSignal, rewriteRows = REWRITE_ROWS): Promise<ClusterReport> {
  const report: ClusterReport = { segments: [], rows: 0 };
  for (const { family, grain, name, table } of GOLD_TABLES) {
    const ends = await queryRows(
      conn,
      `SELECT CAST(epoch_ms(min(bucket)) AS DOUBLE) AS lo, CAST(epoch_ms(max(bucket)) AS DOUBLE) AS hi FROM ${table}`,
    );
    if (ends[0]?.lo === null || ends[0]?.lo === undefined) {
      await conn.run(`DELETE FROM ${STATE.layout} WHERE tbl = $1`, [name]);
      await conn.run(`DELETE FROM ${STATE.history} WHERE tbl = $1`, [name]);
      continue;
    }
    const oldest = Math.floor(Number(ends[0].lo) / SEGMENT_MS);
    const newest = Math.floor(Number(ends[0].hi) / SEGMENT_MS);
    const frontier = newest - RECENT_SEGMENTS;
    const unordered = new Map<number, number>();
    for (const r of await queryRows(conn, `SELECT segment, unordered FROM ${STATE.layout} WHERE tbl = $1 AND unordered > 0`, [name]))
      unordered.set(Number(r.segment), Number(r.unordered));
    const through = new Map<number, number>();
    for (const r of await queryRows(conn, `SELECT block, last_segment FROM ${STATE.history} WHERE tbl = $1`, [name]))
      through.set(Number(r.block), Number(r.last_segment));
    const rewrite = async (first: number, last: number, needs: (rows: number, late: number) => boolean, done: () => Promise<void>) => {
      if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The rollup refresh was cancelled; finished hours are kept.');
      const lo = first * SEGMENT_MS;
      const hi = (last + 1) * SEGMENT_MS;
      let late = 0;
      for (let s = first; s <= last; s++) late += unordered.get(s) ?? 0;
      const rows = await rewriteInOrder(conn, family, grain, lo, hi, rewriteRows, (n) => needs(n, late));
      if (rows === null) return;
      await inTransaction(conn, async () => {
        if (rows === 0) await conn.run(`DELETE FROM ${STATE.layout} WHERE tbl = $1 AND segment BETWEEN $2 AND $3`, [name, first, last]);
        else await conn.run(`UPDATE ${STATE.layout} SET unordered = 0 WHERE tbl = $1 AND segment BETWEEN $2 AND $3`, [name, first, last]);
        await done();
      });
      for (let s = first; s <= last; s++) unordered.delete(s);
      if (rows > 0) {
        report.segments.push(first === last ? `${name}@${day(lo)}` : `${name}@${day(lo)}..${day(hi)}`);
        report.rows += rows;
      }
    };
    // History: each block up to the frontier, rewritten when a segment joined it or its late rows passed the threshold.
    for (let block = Math.floor(oldest / BLOCK_SEGMENTS); frontier >= oldest && block <= Math.floor(frontier / BLOCK_SEGMENTS); block++) {
      const first = Math.max(block * BLOCK_SEGMENTS, oldest);
      const last = Math.min(block * BLOCK_SEGMENTS + BLOCK_SEGMENTS - 1, frontier);
      const behind = (through.get(block) ?? -Infinity) < last;
      let late = false;
      for (let s = first; s <= last; s++) late ||= unordered.has(s);
      if (!behind && !late) continue;
      // Written once as one run, also when its segments are all unordered (a workspace's first refresh, the demo's
      // landed days): each key range then scans the whole block, which costs less than putting each segment in
      // order first and writing every row twice (the year demo's gold tables, day by day as they land: 22 s
      // against 36 s).
      await rewrite(
        first,
        last,
        (rows, lateRows) => behind || segmentNeedsCluster(lateRows, rows, false),
        () => conn.run(`INSERT OR REPLACE INTO ${STATE.history} VALUES ($1, $2, $3)`, [name, block, last]).then(() => undefined),
      );
    }
    // The recent segments, each on its own.
    for (const segment of [...unordered.keys()].filter((s) => s > frontier).sort((a, b) => a - b)) {
      await rewrite(
        segment,
        segment,
        (rows, late) => segmentNeedsCluster(late, rows, segment === newest),
        async () => undefined,
      );
    }
  }
  return report;
}

/**
 * Rewrites [loMs, hiMs) of a gold table in (key, bucket) order when `needs(rows)` says so, key range by key range
 * (whole keys, about `rewriteRows` rows each), one transaction each (a scan of the sorted temp table keeps its order: DuckDB preserves insertion order). Returns
 * the rows rewritten, 0 when the range is empty, null when it needed no rewrite.
 */
async function rewriteInOrder(
  conn: DuckDBConnection,
  family: RollupFamily,
  grain: Grain,
  loMs: number,
  hiMs: number,
  rewriteRows: number,
  needs: (rows: number) => boolean,
): Promise<number | null> {
  const table = rollupTable(family, grain);
  const key = quoteIdent(family.key);
  const inRange = `bucket >= ${tsLiteral(loMs)} AND bucket < ${tsLiteral(hiMs)}`;
  const total = Number((await queryRows(conn, `SELECT count(*) AS n FROM ${table} WHERE ${inRange}`))[0]?.n ?? 0);
  if (total === 0) return 0;
  if (!needs(total)) return null;
  const perKey = await queryRows(conn, `SELECT ${key} AS k, count(*) AS n FROM ${table} WHERE ${inRange} GROUP BY 1 ORDER BY 1`);
  const ranges: [number, number][] = [];
  let rows = 0;
  for (const r of perKey) {
    const k = Number(r.k);
    if (ranges.length === 0 || rows + Number(r.n) > rewriteRows) {
      ranges.push([k, k]);
      rows = 0;
    }
    ranges[ranges.length - 1][1] = k;
    rows += Number(r.n);
  }
  const sorted = quoteIdent(`bw_gold_cluster_${family.name}_${grain}`);
  for (const [a, b] of ranges) {
    const where = `${inRange} AND ${key} BETWEEN ${a} AND ${b}`;
    await inTransaction(conn, async () => {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${sorted} AS SELECT * FROM ${table} WHERE ${where}${clusterOrderSql(family)}`);
      await conn.run(`DELETE FROM ${table} WHERE ${where}`);
      await conn.run(`INSERT INTO ${table} SELECT * FROM ${sorted}`);
      await conn.run(`DROP TABLE ${sorted}`);
    });
  }
  return total;
}
