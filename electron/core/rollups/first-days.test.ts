import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDaysMismatches } from './fleet-fixture';
import { FAMILIES, FIRST_DAYS, JAR_FIRST_DAYS, ensureGoldSchema, rollupTable } from './gold-schema';
import { rebuildFirstDaysSql, tsLiteral } from './rollup-sql';

/**
 * gold.jar_first_days kept by the statements every rebuild of a gold.jar_daily range runs (rebuildFirstDaysSql),
 * against its definition, on a DuckDB of its own: days landing one by one, a jar that starts late, a day that lands
 * before a jar's first, a range emptied, and a change past every jar's first days.
 */
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const DAILY = rollupTable(FAMILIES.jar, 'daily');

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await ensureGoldSchema(conn);
});

afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Writes day `d` of these jars into gold.jar_daily (replacing it) and runs the first-days upkeep for it, as a rebuild does. */
async function landDay(
  d: number,
  jars: readonly number[],
  resistance = (jar: number, day: number): number => 1 + jar + day / 100,
): Promise<void> {
  const lo = START + d * DAY;
  await conn.run(`DELETE FROM ${DAILY} WHERE bucket >= ${tsLiteral(lo)} AND bucket < ${tsLiteral(lo + DAY)}`);
  for (const jar of jars)
    await conn.run(`INSERT INTO ${DAILY} (battery_id, bucket, n, resistance_mean) VALUES ($1, ${tsLiteral(lo)}, 288, $2)`, [
      jar,
      resistance(jar, d),
    ]);
  for (const sql of rebuildFirstDaysSql(lo, lo + DAY)) await conn.run(sql);
}

async function count(sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(sql)).getRowsJS()[0]?.[0]);
}

describe('gold.jar_first_days', () => {
  it('holds each jar’s first days as days land, a late jar, a day before a jar’s first, an emptied range, a later change', async () => {
    // 50 days of jars 1 and 2; jar 3 starts on day 20.
    for (let d = 0; d < 50; d++) await landDay(d, d >= 20 ? [1, 2, 3] : [1, 2]);
    expect(await firstDaysMismatches(conn)).toBe(0);
    expect(await count(`SELECT count(*) FROM ${JAR_FIRST_DAYS}`)).toBe(2 * FIRST_DAYS + 30);
    expect(await count(`SELECT count(*) FROM ${JAR_FIRST_DAYS} WHERE battery_id = 3 AND bucket < ${tsLiteral(START + 20 * DAY)}`)).toBe(0);

    // A day before jar 1's first: its first days start a day earlier, and its 35th day leaves them.
    await landDay(-1, [1]);
    expect(await firstDaysMismatches(conn)).toBe(0);
    expect(await count(`SELECT max(epoch_ms(bucket)) FROM ${JAR_FIRST_DAYS} WHERE battery_id = 1`)).toBe(START + (FIRST_DAYS - 2) * DAY);

    // Days 0 to 24 emptied (a rebuild found no rows there): jars 1 and 2 now start on day -1 / day 25.
    for (let d = 0; d < 25; d++) await landDay(d, []);
    expect(await firstDaysMismatches(conn)).toBe(0);
    expect(await count(`SELECT min(epoch_ms(bucket)) FROM ${JAR_FIRST_DAYS} WHERE battery_id = 2`)).toBe(START + 25 * DAY);

    // Jar 1 changed past its first days (day 49; jars 2 and 3 are still in theirs): the first days keep their values.
    const before = await count(`SELECT sum(resistance_mean) * 1000 FROM ${JAR_FIRST_DAYS}`);
    await landDay(49, [1, 2, 3], (jar, day) => (jar === 1 ? 99 : 1 + jar + day / 100));
    expect(await firstDaysMismatches(conn)).toBe(0);
    expect(await count(`SELECT sum(resistance_mean) * 1000 FROM ${JAR_FIRST_DAYS}`)).toBe(before);

    // Rebuilt whole (a workspace from before the table): the same rows.
    await conn.run(`DELETE FROM ${JAR_FIRST_DAYS}`);
    for (const sql of rebuildFirstDaysSql(0, Date.UTC(10_000, 0, 1))) await conn.run(sql);
    expect(await firstDaysMismatches(conn)).toBe(0);
  });
});
