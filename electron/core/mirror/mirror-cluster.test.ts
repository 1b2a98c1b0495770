import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../../shared/domain/datasets';
import { queryNumber, queryRows } from '../engine/duck-query';
import { ensureMetaSchema } from './meta';
import { clusterPieces, keepClustered } from './mirror-layout';

// The clustering of a mirror table sorts one range of units at a time, so its memory is that of a range, not of
// the table: a table of 40 jars x 500 readings rewritten in pieces of 2,000 rows ends in (battery_id, ts) order.

const JARS = 40;
const READINGS = 500;

let inst: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  duck = await inst.connect();
  await ensureMetaSchema(duck);
  // In time order (as a sync appends it), jar 17 with ten times the readings of the others.
  await duck.run(
    `INSERT INTO hot.telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm, ingest_id)
     SELECT j, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(5 * s), 13.5, 22.0, 3.0, row_number() OVER ()
     FROM range(${READINGS * 10}) t1(s), range(1, ${JARS + 1}) t2(j) WHERE s < ${READINGS} OR j = 17 ORDER BY s, j`,
  );
});

afterAll(() => {
  duck.closeSync();
  inst.closeSync();
});

describe('clustering the mirror in pieces', () => {
  it('splits the units into ranges of about the piece size, never splitting a unit', async () => {
    const pieces = await clusterPieces(duck, 'hot.telemetry', 'battery_id', 2000);
    // 39 jars of 500 and one of 5,000: jar 17 stands alone in its own range, the others four to a range.
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces[0]).toEqual({ lo: 1, hi: 4 });
    expect(pieces.some((p) => p.lo === 17 && p.hi === 17)).toBe(true);
    for (let i = 1; i < pieces.length; i++) expect(Number(pieces[i].lo)).toBe(Number(pieces[i - 1].hi) + 1);
    expect(pieces[pieces.length - 1].hi).toBe(JARS);
  });

  it('rewrites the table in (battery_id, ts) order, one range at a time, losing no row', async () => {
    const before = await queryRows(duck, 'SELECT count(*) AS n, sum(ingest_id) AS s FROM hot.telemetry');
    expect(await keepClustered(duck, DATASETS.telemetry, 0, true, 2000)).toBe(true);
    expect(await queryRows(duck, 'SELECT count(*) AS n, sum(ingest_id) AS s FROM hot.telemetry')).toEqual(before);
    // Every row follows the one before it in key order (the scan's order is the table's).
    const outOfOrder = await queryNumber(
      duck,
      `SELECT count(*) FROM (SELECT battery_id, ts, lag(battery_id) OVER w AS pb, lag(ts) OVER w AS pt FROM hot.telemetry WINDOW w AS (ORDER BY rowid))
       WHERE pb > battery_id OR (pb = battery_id AND pt >= ts)`,
    );
    expect(outOfOrder).toBe(0);
    expect(await queryNumber(duck, "SELECT unordered_rows FROM _workbench.mirror_state WHERE dataset = 'telemetry'")).toBe(0);
    // The table that took the mirror's place has its shape (ingest_id NOT NULL), and the staging name is gone.
    const nullable = await queryRows(
      duck,
      "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'hot' AND table_name = 'telemetry' AND column_name = 'ingest_id'",
    );
    expect(nullable).toEqual([{ is_nullable: 'NO' }]);
    expect(await queryNumber(duck, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'bw_cluster_%'")).toBe(0);
  });
});
