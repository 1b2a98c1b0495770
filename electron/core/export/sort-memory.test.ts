import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SliceSpecSchema } from '../../../shared/domain/slice-spec';
import { qualifiedName, quoteLiteral } from '../../../shared/sql';
import { queryNumber } from '../engine/duck-query';
import { HOT_MIRROR_SCHEMA } from '../mirror/meta';
import { writeSlice } from './slice-run';
import { fixtureSplitMs, openFixtureWorkbench, telemetrySelect, type FixtureWorkbench } from '../rollups/fleet-fixture';

/**
 * Slice and query exports run under the job memory budget. DuckDB (1.5) does not spill a sort fed straight by a
 * UNION ALL (the unified view's shape): over a few million rows across the tier split, the sort ran out of the budget
 * and the job failed. The slice materializes its rows before sorting them; a query export (whose SQL is the user's)
 * runs once more under the workspace's limit when DuckDB runs out of the budget. Both complete at that size.
 */

const DAY = 86_400_000;
const JARS = 6_000;
const HOT_DAYS = 3;
let fx: FixtureWorkbench;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-slice-memory-');
  const mirror = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');
  const split = fixtureSplitMs();
  const maxIngest = await queryNumber(fx.conn, `SELECT max(ingest_id) FROM ${mirror}`);
  // 6,000 more jars over three hot days (5.2M readings), each a copy of a fixture jar's readings.
  await fx.conn.run(
    `INSERT INTO ${mirror} SELECT 6 + b.j, ts, voltage_v, temperature_c, resistance_mohm, ${maxIngest} + row_number() OVER () ` +
      `FROM (${telemetrySelect(split, split + HOT_DAYS * DAY, null)}) t, range(1, ${JARS + 1}) b(j) WHERE t.battery_id = 1 + b.j % 6`,
  );
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

describe('sorted exports across the tier split under the job memory budget', () => {
  it('sorts and writes 5 million rows without running out of memory', async () => {
    const split = fixtureSplitMs();
    const spec = SliceSpecSchema.parse({
      dataset: 'telemetry',
      from: new Date(split - DAY).toISOString(),
      to: new Date(split + HOT_DAYS * DAY).toISOString(),
    });
    // As the slice job runs it, without its second chance under the workspace limit.
    const report = await fx.wb.engine.withJobMemory(() =>
      fx.wb.engine.withConnection((conn) =>
        writeSlice(conn, spec, join(fx.dir, 'exports', 'big'), {
          lake: fx.wb.data.lake,
          exportsDir: join(fx.dir, 'exports'),
          appVersion: 'test',
          duckdbVersion: 'test',
        }),
      ),
    );
    const expected = await queryNumber(
      fx.conn,
      `SELECT count(*) FROM telemetry WHERE ts >= to_timestamp(${(split - DAY) / 1000}) AND ts < to_timestamp(${(split + HOT_DAYS * DAY) / 1000})`,
    );
    expect(expected).toBeGreaterThan(5_000_000);
    const written = await queryNumber(
      fx.conn,
      `SELECT count(*) FROM read_parquet(${quoteLiteral(join(fx.dir, 'exports', 'big', 'all', 'part-0000.parquet'))})`,
    );
    expect(written).toBe(expected);
    expect(report.manifest.rows).toBe(expected);
  }, 120_000);

  it('a query export sorted over the unified view completes, once more under the workspace limit', async () => {
    const split = fixtureSplitMs();
    const sql =
      `SELECT battery_id, ts, voltage_v FROM telemetry WHERE ts >= to_timestamp(${(split - DAY) / 1000}) ` +
      `AND ts < to_timestamp(${(split + HOT_DAYS * DAY) / 1000}) ORDER BY battery_id, ts`;
    const started = await fx.wb.core.export.query({ sql, format: 'parquet', name: 'sorted' }, { transport: 'test' });
    const summary = await fx.wb.jobs.wait(started);
    expect(summary.error?.message ?? null).toBeNull();
    const report = summary.report as { path: string; rows: number };
    expect(report.rows).toBeGreaterThan(5_000_000);
    const disorder = await queryNumber(
      fx.conn,
      `SELECT count(*) FROM (SELECT battery_id, ts, lag(battery_id) OVER w AS pb, lag(ts) OVER w AS pt ` +
        `FROM read_parquet(${quoteLiteral(report.path)}, file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) ` +
        `WHERE pb > battery_id OR (pb = battery_id AND pt > ts)`,
    );
    expect(disorder).toBe(0);
  }, 120_000);
});
