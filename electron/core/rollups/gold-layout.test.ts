import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../engine/duck-query';
import { ROW_GROUP_ROWS } from '../mirror/mirror-layout';
import { SEGMENT_MS, adoptGoldLayout, forgetLayoutSql, keepGoldClustered, noteUnorderedSql, segmentNeedsCluster } from './gold-layout';
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
async function rewriteHours(fromMs: number, hours: number): Promise<void> {
  const toMs = fromMs + hours * HOUR;
  await conn.run(`DELETE FROM ${JAR_HOURLY} WHERE bucket >= to_timestamp(${fromMs / 1000}) AND bucket < to_timestamp(${toMs / 1000})`);
  await insertTimeMajor(fromMs, hours);
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
    await conn.run(forgetLayoutSql(FAMILIES.jar, 'hourly'));
    expect(await unordered(OLD_SEGMENT)).toBeNull();
  });
});
