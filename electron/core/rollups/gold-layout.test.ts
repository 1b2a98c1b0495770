import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../engine/duck-query';
import { ROW_GROUP_ROWS } from '../mirror/mirror-layout';
import {
  BLOCK_SEGMENTS,
  SEGMENT_MS,
  adoptGoldLayout,
  forgetLayoutSql,
  keepGoldClustered,
  noteUnorderedSql,
  segmentNeedsCluster,
} from './gold-layout';
import { rollupFeed } from './feed';
import { FAMILIES, STATE, ensureGoldSchema, rollupTable } from './gold-schema';

const HOUR = 3_600_000;
const JAR_HOURLY = rollupTable(FAMILIES.jar, 'hourly');
/** Two hourly segments: an older one, full, and the newest, with a day of rows. */
const OLD_SEGMENT = 1000;
const OLD_START = OLD_SEGMENT * SEGMENT_MS;
const NEW_START = OLD_START + SEGMENT_MS;
const JARS = 40;

let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await ensureGoldSchema(conn);
});

afterAll(() => {
  conn?.closeSync();
  db?.closeSync();
});

/** Hourly jar rows of [from, from + hours) for every jar, written time-major (every jar's hour, then the next hour). */
async function insertTimeMajor(fromMs: number, hours: number, jars = JARS): Promise<void> {
  await conn.run(
    `INSERT INTO ${JAR_HOURLY} (battery_id, bucket, n, voltage_min, voltage_max) ` +
      `SELECT j, to_timestamp(${fromMs / 1000} + h * 3600), 12, CAST(13 + j / 100 AS DECIMAL(6,3)), CAST(13.5 + (${fromMs / HOUR} + h) % 7 / 100 AS DECIMAL(6,3)) ` +
      `FROM range(${hours}) t(h), range(1, ${jars + 1}) s(j) ORDER BY h, j`,
  );
}

/** Hours deleted and written again, counted as a refresh counts them. */
async function rewriteHours(fromMs: number, hours: number, jars = JARS): Promise<void> {
  const toMs = fromMs + hours * HOUR;
  await conn.run(`DELETE FROM ${JAR_HOURLY} WHERE bucket >= to_timestamp(${fromMs / 1000}) AND bucket < to_timestamp(${toMs / 1000})`);
  await insertTimeMajor(fromMs, hours, jars);
  await conn.run(noteUnorderedSql(FAMILIES.jar, 'hourly', fromMs, toMs));
}

/** (battery_id, bucket) of a time range in physical (row id) order. */
async function physicalOrder(fromMs: number, toMs: number): Promise<string[]> {
  const rows = await queryRows(
    conn,
    `SELECT battery_id, epoch_ms(bucket) AS b FROM ${JAR_HOURLY} WHERE bucket >= to_timestamp(${fromMs / 1000}) AND bucket < to_timestamp(${toMs / 1000}) ORDER BY rowid`,
  );
  return rows.map((r) => `${String(r.battery_id).padStart(6, '0')}:${String(r.b)}`);
}

/** A fingerprint of the table's rows, independent of their order. */
async function content(): Promise<string> {
  const rows = await queryRows(
    conn,
    `SELECT count(*) AS n, sum(hash(battery_id, bucket, n, voltage_min, voltage_max)) AS h FROM ${JAR_HOURLY}`,
  );
  return `${String(rows[0].n)}:${String(rows[0].h)}`;
}

async function unordered(segment: number): Promise<number | null> {
  const rows = await queryRows(conn, `SELECT unordered FROM ${STATE.layout} WHERE tbl = 'gold.jar_hourly' AND segment = $1`, [segment]);
  return rows.length === 0 ? null : Number(rows[0].unordered);
}

describe('the segment policy', () => {
  it('rewrites the newest segment at 4 row groups and at least its ordered rows, an older one at an eighth of a row group', () => {
    expect(segmentNeedsCluster(0, 5_000_000, false)).toBe(false);
    expect(segmentNeedsCluster(4 * ROW_GROUP_ROWS - 1, 4 * ROW_GROUP_ROWS - 1, true)).toBe(false);
    expect(segmentNeedsCluster(4 * ROW_GROUP_ROWS, 4 * ROW_GROUP_ROWS, true)).toBe(true);
    // A filling segment doubles between rewrites.
    expect(segmentNeedsCluster(4 * ROW_GROUP_ROWS, 9 * ROW_GROUP_ROWS, true)).toBe(false);
    expect(segmentNeedsCluster(5 * ROW_GROUP_ROWS, 10 * ROW_GROUP_ROWS, true)).toBe(true);
    expect(segmentNeedsCluster(ROW_GROUP_ROWS / 8 - 1, 1_600_000, false)).toBe(false);
    expect(segmentNeedsCluster(ROW_GROUP_ROWS / 8, 1_600_000, false)).toBe(true);
    // A small table's older segment: an eighth of its rows.
    expect(segmentNeedsCluster(99, 800, false)).toBe(false);
    expect(segmentNeedsCluster(100, 800, false)).toBe(true);
    expect(segmentNeedsCluster(100, 800, true)).toBe(false);
  });
});

describe('the gold layout', () => {
  it('adopts an unordered table, rewrites its older segment in (jar, hour) order with the same rows, and leaves the small newest one', async () => {
    await insertTimeMajor(OLD_START, SEGMENT_MS / HOUR);
    await insertTimeMajor(NEW_START, 24);
    const before = await content();
    const oldOrder = await physicalOrder(OLD_START, NEW_START);
    expect(oldOrder).not.toEqual([...oldOrder].sort());

    await adoptGoldLayout(conn);
    expect(await unordered(OLD_SEGMENT)).toBe(JARS * 672);
    expect(await unordered(OLD_SEGMENT + 1)).toBe(JARS * 24);
    const report = await keepGoldClustered(conn);

    expect(report.segments).toEqual([`gold.jar_hourly@${new Date(OLD_START).toISOString().slice(0, 10)}`]);
    expect(report.rows).toBe(JARS * 672);
    const clustered = await physicalOrder(OLD_START, NEW_START);
    expect(clustered).toEqual([...oldOrder].sort());
    expect(await content()).toBe(before);
    expect(await unordered(OLD_SEGMENT)).toBe(0);
    // The newest segment is too small to be worth a rewrite yet.
    expect(await unordered(OLD_SEGMENT + 1)).toBe(JARS * 24);
    // Adopting again counts nothing twice.
    await adoptGoldLayout(conn);
    expect(await unordered(OLD_SEGMENT)).toBe(0);
  });

  it('counts rows a refresh rewrites in an older segment and orders the segment again once they pass its threshold', async () => {
    // Late data for 6 hours of the older segment: deleted and written again, as a refresh does.
    await rewriteHours(OLD_START + 100 * HOUR, 6);
    expect(await unordered(OLD_SEGMENT)).toBe(JARS * 6);
    const before = await content();
    expect((await physicalOrder(OLD_START, NEW_START)).slice(-3)).not.toEqual((await physicalOrder(OLD_START, NEW_START)).sort().slice(-3));

    // 240 rows of 26,880: below an eighth of the segment, so it stays as it is.
    expect((await keepGoldClustered(conn)).segments).toEqual([]);

    await rewriteHours(OLD_START + 200 * HOUR, 100);
    expect(await unordered(OLD_SEGMENT)).toBe(JARS * 106);
    expect((await keepGoldClustered(conn)).segments).toHaveLength(1);
    const order = await physicalOrder(OLD_START, NEW_START);
    expect(order).toEqual([...order].sort());
    expect(await content()).toBe(before);
  });

  it('forgets a table whose rows were all deleted, and drops the state of a segment left empty', async () => {
    await conn.run(`DELETE FROM ${JAR_HOURLY} WHERE bucket >= to_timestamp(${NEW_START / 1000})`);
    await keepGoldClustered(conn);
    expect(await unordered(OLD_SEGMENT + 1)).toBeNull();
    for (const sql of forgetLayoutSql(FAMILIES.jar, 'hourly')) await conn.run(sql);
    expect(await unordered(OLD_SEGMENT)).toBeNull();
  });
});

describe('history blocks', () => {
  const HISTORY_JARS = 6;
  const SEGMENT_HOURS = SEGMENT_MS / HOUR;
  /** Segments 1000..1009: block 166 holds 996..1001, block 167 holds 1002..1007; 1008 and 1009 are the recent two. */
  const FIRST = 1000;
  const segStart = (segment: number): number => segment * SEGMENT_MS;
  const keyMajor = (order: string[]): string[] => [...order].sort();

  async function history(): Promise<Record<string, number>> {
    const rows = await queryRows(conn, `SELECT block, last_segment FROM ${STATE.history} WHERE tbl = 'gold.jar_hourly' ORDER BY block`);
    return Object.fromEntries(rows.map((r) => [String(r.block), Number(r.last_segment)]));
  }

  beforeAll(async () => {
    await conn.run(`DELETE FROM ${JAR_HOURLY}`);
    for (const sql of forgetLayoutSql(FAMILIES.jar, 'hourly')) await conn.run(sql);
    for (let s = FIRST; s < FIRST + 10; s++) await insertTimeMajor(segStart(s), SEGMENT_HOURS, HISTORY_JARS);
  });

  it('writes each history block as one (jar, hour) run and the two newest segments each on their own', async () => {
    expect(Math.floor(1002 / BLOCK_SEGMENTS)).toBe(167);
    const before = await content();
    await adoptGoldLayout(conn);
    // Small key ranges: the rewrite takes several transactions, and the block still ends up as one run.
    const report = await keepGoldClustered(conn, undefined, 1000);

    const at = (segment: number): string => new Date(segStart(segment)).toISOString().slice(0, 10);
    const seg = (segment: number): string => `gold.jar_hourly@${at(segment)}`;
    // Each block is written once, as one run, though its segments are all unordered: no row is written twice.
    expect(report.segments).toEqual([`gold.jar_hourly@${at(1000)}..${at(1002)}`, `gold.jar_hourly@${at(1002)}..${at(1008)}`, seg(1008)]);
    expect(report.rows).toBe(9 * HISTORY_JARS * SEGMENT_HOURS);
    expect(await history()).toEqual({ '166': 1001, '167': 1007 });
    const block = await physicalOrder(segStart(1002), segStart(1008));
    expect(block).toEqual(keyMajor(block));
    // A jar's 24 weeks are contiguous: the block is not six segment runs.
    expect(block.slice(0, 6 * SEGMENT_HOURS).every((r) => r.startsWith('000001:'))).toBe(true);
    const recent = await physicalOrder(segStart(1008), segStart(1009));
    expect(recent).toEqual(keyMajor(recent));
    expect(await content()).toBe(before);
    expect(await unordered(1003)).toBe(0);
    // Nothing is behind: the next pass rewrites nothing.
    expect((await keepGoldClustered(conn)).segments).toEqual([]);
  });

  it('adds the segment that leaves the recent two to its block, and rewrites a block whose late rows pass its threshold', async () => {
    await insertTimeMajor(segStart(1010), 24, HISTORY_JARS);
    await conn.run(noteUnorderedSql(FAMILIES.jar, 'hourly', segStart(1010), segStart(1010) + 24 * HOUR));
    const joined = await keepGoldClustered(conn);
    // 1008 left the recent two: block 168 (1008..1013) begins with it; 1009 is no longer the newest, so its rows
    // (counted when the table was adopted) are put in order as an older segment's.
    expect(joined.segments).toEqual([
      `gold.jar_hourly@${new Date(segStart(1008)).toISOString().slice(0, 10)}`,
      `gold.jar_hourly@${new Date(segStart(1009)).toISOString().slice(0, 10)}`,
    ]);
    expect(await history()).toEqual({ '166': 1001, '167': 1007, '168': 1008 });

    // Late rows in block 167: a few hours stay as they are; past an eighth of its rows, the block is one run again.
    await rewriteHours(segStart(1004) + 10 * HOUR, 2, HISTORY_JARS);
    expect((await keepGoldClustered(conn)).segments).toEqual([]);
    const before = await content();
    await rewriteHours(segStart(1005), 600, HISTORY_JARS);
    const late = await keepGoldClustered(conn);
    expect(late.segments).toHaveLength(1);
    expect(late.rows).toBe(6 * HISTORY_JARS * SEGMENT_HOURS);
    const block = await physicalOrder(segStart(1002), segStart(1008));
    expect(block).toEqual(keyMajor(block));
    expect(await content()).toBe(before);
    expect(await unordered(1004)).toBe(0);
    expect(await unordered(1005)).toBe(0);
  });

  it('forgets the history of a table whose rows were all deleted', async () => {
    for (const sql of forgetLayoutSql(FAMILIES.jar, 'hourly')) await conn.run(sql);
    expect(await history()).toEqual({});
  });
});

describe('a writer that empties the rollups to feed them (the demo)', () => {
  it('forgets their layout, so the rows it lands are counted and put in order by the next refresh', async () => {
    await insertTimeMajor(OLD_START, 48);
    await adoptGoldLayout(conn);
    await keepGoldClustered(conn);
    expect(await unordered(OLD_SEGMENT)).not.toBeNull();

    await rollupFeed.begin(conn, new Date(NEW_START).toISOString());
    expect(await queryRows(conn, `SELECT * FROM ${JAR_HOURLY}`)).toEqual([]);
    expect(await queryRows(conn, `SELECT * FROM ${STATE.layout}`)).toEqual([]);
    expect(await queryRows(conn, `SELECT * FROM ${STATE.history}`)).toEqual([]);
    // What the feed lands is then adopted as unordered, as on a new workspace.
    await insertTimeMajor(OLD_START, 48);
    await adoptGoldLayout(conn);
    expect(await unordered(OLD_SEGMENT)).toBe(JARS * 48);
  });
});
