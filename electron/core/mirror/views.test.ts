import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../../shared/domain/datasets';
import { quoteLiteral } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { filesRead } from '../engine/files-read';
import { sqlPathList } from '../lake/lake-sql';
import { telemetrySelect, writeLakeDay } from '../rollups/fleet-fixture';
import { coldViewSql, groupBySchema, monthBranches, unifiedViewSql } from './views';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-views-'));
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run('CREATE SCHEMA cold');
});

afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function parquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  await conn.run(`COPY (${select}) TO ${quoteLiteral(path)} (FORMAT parquet)`);
  return path;
}

describe('cold views over files of several shapes', () => {
  it('reads each shape by column name, a column a file lacks as NULL, and every row once', async () => {
    const ts = "TIMESTAMPTZ '2026-01-01 00:00:00+00'";
    const a = await parquet(
      'a.parquet',
      `SELECT 1 AS battery_id, ${ts} AS ts, 13.5 AS voltage_v, 25.0 AS temperature_c, 3.1 AS resistance_mohm`,
    );
    const b = await parquet(
      'b.parquet',
      `SELECT 2 AS battery_id, ${ts} AS ts, 13.6 AS voltage_v, 26.0 AS temperature_c, 3.2 AS resistance_mohm`,
    );
    // An older file: no resistance column, and its columns in another order.
    const old = await parquet('old.parquet', `SELECT 24.0 AS temperature_c, ${ts} AS ts, 3 AS battery_id, 13.4 AS voltage_v`);
    const groups = await groupBySchema(conn, [a, old, b]);
    expect(groups.map((g) => g.paths)).toEqual([[a, b], [old]]);
    await conn.run(coldViewSql(DATASETS.telemetry, groups));
    const rows = await queryRows(
      conn,
      'SELECT battery_id, CAST(voltage_v AS DOUBLE) AS v, CAST(temperature_c AS DOUBLE) AS t, CAST(resistance_mohm AS DOUBLE) AS r FROM cold.telemetry ORDER BY battery_id',
    );
    expect(rows).toEqual([
      { battery_id: 1, v: 13.5, t: 25, r: 3.1 },
      { battery_id: 2, v: 13.6, t: 26, r: 3.2 },
      { battery_id: 3, v: 13.4, t: 24, r: null },
    ]);
  });

  it('says which file it could not read', async () => {
    await expect(groupBySchema(conn, [join(dir, 'missing.parquet')])).rejects.toThrow(/missing\.parquet/);
  });
});

describe('cold views by month', () => {
  it('groups files by the UTC month of their date= folder, months in order, other files last', () => {
    const files = [
      '/l/t/date=2024-02-01/a.parquet',
      '/l/t/loose.parquet',
      '/l/t/date=2024-01-31/b.parquet',
      '/l/t/date=2024-02-29/c.parquet',
    ];
    expect(monthBranches(files)).toEqual([
      { month: '2024-01', paths: ['/l/t/date=2024-01-31/b.parquet'] },
      { month: '2024-02', paths: ['/l/t/date=2024-02-01/a.parquet', '/l/t/date=2024-02-29/c.parquet'] },
      { month: null, paths: ['/l/t/loose.parquet'] },
    ]);
  });
});

describe('the unified telemetry view over a lake of several months', () => {
  const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
  const coldDays = ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02', '2024-02-29', '2024-03-01'];
  const split = '2024-03-02T00:00:00.000Z';
  let lake: string;
  let files: string[];
  let c: DuckDBConnection;

  beforeAll(async () => {
    lake = join(dir, 'lake');
    c = await instance.connect();
    await c.run('CREATE SCHEMA IF NOT EXISTS hot');
    files = [];
    for (const d of coldDays)
      files.push(await writeLakeDay(c, lake, 'telemetry', day(d), telemetrySelect(day(d), day(d) + 86_400_000, null)));
    // An older shape in February (no resistance column): a second group, split by month like the first.
    files.push(
      await writeLakeDay(
        c,
        lake,
        'telemetry',
        day('2024-02-02'),
        `SELECT battery_id + 10 AS battery_id, ts, voltage_v, temperature_c FROM (${telemetrySelect(day('2024-02-02'), day('2024-02-03'), null)})`,
        'older',
      ),
    );
    // The hot mirror: the day at the split, and a late row below it that is not archived yet.
    await c.run(
      `CREATE TABLE hot.telemetry AS ${telemetrySelect(day('2024-03-02'), day('2024-03-03'), 1)} ` +
        `UNION ALL SELECT 99, TIMESTAMPTZ '2024-02-01 12:00:00+00', 13.1, 25.0, 3.3, 1000000`,
    );
    await c.run(coldViewSql(DATASETS.telemetry, await groupBySchema(c, files)));
    await c.run(unifiedViewSql(DATASETS.telemetry, { split, archivedIngest: 0 }));
  });

  afterAll(() => c.closeSync());

  it("a one-day filter opens only the files of that day's month", async () => {
    const feb = files.filter((f) => f.includes('date=2024-02-'));
    const oneDay = `SELECT count(*), avg(voltage_v) FROM main.telemetry WHERE ts >= TIMESTAMPTZ '2024-02-01 00:00:00+00' AND ts < TIMESTAMPTZ '2024-02-02 00:00:00+00'`;
    const read = await filesRead(c, oneDay);
    // February's files at most (a lone file's own statistics may already rule it out), never another month's.
    expect(read.count).toBeGreaterThan(0);
    expect(read.count).toBeLessThanOrEqual(feb.length);
    expect(read.names).toMatch(/date=2024-02-01/);
    expect(read.names).not.toMatch(/date=2024-01|date=2024-03/);
    // A day of January and one of the hot tier.
    const jan = await filesRead(c, oneDay.replace('2024-02-01', '2024-01-30').replace('2024-02-02', '2024-01-31'));
    expect(jan.count).toBeLessThanOrEqual(2);
    expect(jan.names).not.toMatch(/date=2024-02|date=2024-03/);
    const hotDay = `SELECT count(*) FROM main.telemetry WHERE ts >= TIMESTAMPTZ '2024-03-02 00:00:00+00' AND ts < TIMESTAMPTZ '2024-03-03 00:00:00+00'`;
    expect((await filesRead(c, hotDay)).count).toBe(0);
    // The filter still holds: the day's readings and the late hot row, nothing else.
    expect(await queryNumber(c, `SELECT count(*) FROM (${oneDay})`)).toBe(1);
    expect(await queryNumber(c, oneDay.replace('count(*), avg(voltage_v)', 'count(*)'))).toBe(6 * 288 + 1);
  });

  it('shows exactly the rows of the files below the split and of the mirror, each once', async () => {
    const cols = 'battery_id, ts, CAST(voltage_v AS DOUBLE) AS v, CAST(resistance_mohm AS DOUBLE) AS r';
    const expected =
      `SELECT ${cols}, 'cold' AS tier FROM read_parquet(${sqlPathList(files)}, union_by_name = true, hive_partitioning = false) WHERE ts < TIMESTAMPTZ '${split}' ` +
      `UNION ALL SELECT ${cols}, 'hot' AS tier FROM hot.telemetry`;
    const actual = `SELECT ${cols}, tier FROM main.telemetry`;
    expect(await queryNumber(c, `SELECT count(*) FROM main.telemetry`)).toBe(coldDays.length * 6 * 288 + 6 * 288 + 6 * 288 + 1);
    expect(await queryNumber(c, `SELECT count(*) FROM ((${actual}) EXCEPT ALL (${expected}))`)).toBe(0);
    expect(await queryNumber(c, `SELECT count(*) FROM ((${expected}) EXCEPT ALL (${actual}))`)).toBe(0);
    // The older shape reads its missing column as NULL.
    expect(await queryNumber(c, `SELECT count(*) FROM main.telemetry WHERE resistance_mohm IS NULL`)).toBe(6 * 288);
  });
});
