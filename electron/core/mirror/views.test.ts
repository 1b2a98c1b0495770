import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../../shared/domain/datasets';
import { quoteLiteral } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { coldViewSql, groupBySchema } from './views';

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
