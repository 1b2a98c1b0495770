import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureSetDefinition } from '../../../shared/domain/features';
import { checkSliceSpec, type SliceSpec } from '../../../shared/domain/slice-spec';
import { qualifiedName, quoteLiteral } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { digestParquet } from '../export/content-hash';
import { dropFeatureLookups, prepareFeatureLookups } from '../export/slice-feature-lookup';
import { writeSlice } from '../export/slice-run';
import { LakeIntents } from '../lake/intents';
import { HOT_MIRROR_SCHEMA } from '../mirror/meta';
import { fixtureSplitMs, openFixtureWorkbench, telemetrySelect, type FixtureWorkbench } from '../rollups/fleet-fixture';
import { materializeFeatureSet, type FeatureDeps } from './materialize';
import { storedVersions } from './registry';
import { resolveSliceFeatures } from './slice-features';

let fx: FixtureWorkbench;
let conn: DuckDBConnection;
let deps: FeatureDeps;

const DAY = 86_400_000;
const mirror = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');

/**
 * Per jar per day: the highest voltage and the time of the last reading the row was computed from. The trap: one
 * reading of jar 1 with a voltage no other reading has (99.999 V), mid-day; a slice row before the end of that day
 * that carries it would have seen the future.
 */
const TRAP: FeatureSetDefinition = {
  name: 'trap_daily',
  description: 'Point-in-time trap (test).',
  owner: 'test',
  entity: 'jar',
  inputs: ['telemetry'],
  lookbackDays: 0,
  lagMinutes: 0,
  sql: `SELECT battery_id, CAST(timezone('UTC', ts) AS DATE) AS day, timezone('UTC', CAST(CAST(timezone('UTC', ts) AS DATE) + 1 AS TIMESTAMP)) AS event_time,
          max(voltage_v) AS voltage_max, max(ts) AS last_reading
        FROM telemetry WHERE ts >= $window_start AND ts < $window_end GROUP BY ALL`,
  columns: [
    { name: 'voltage_max', type: 'DECIMAL(6,3)', quantity: 'voltage', unit: 'V', description: 'Highest voltage of the day.' },
    { name: 'last_reading', type: 'TIMESTAMPTZ', quantity: 'time', unit: 'UTC', description: 'Last reading used.' },
  ],
};
/** The same, usable only an hour after it is known. */
const LAGGED: FeatureSetDefinition = { ...TRAP, name: 'trap_lagged', lagMinutes: 60 };
/** Known early: the split day's row 3 hours into it, the day before's 2 hours into the split day (two in one day). */
const EARLY: FeatureSetDefinition = {
  ...TRAP,
  name: 'trap_early',
  sql: TRAP.sql.replace(
    `timezone('UTC', CAST(CAST(timezone('UTC', ts) AS DATE) + 1 AS TIMESTAMP)) AS event_time`,
    `timezone('UTC', CAST(CAST(timezone('UTC', ts) AS DATE) AS TIMESTAMP)) + CASE WHEN CAST(timezone('UTC', ts) AS DATE) = DATE '${new Date(fixtureSplitMs()).toISOString().slice(0, 10)}' THEN INTERVAL 3 HOUR ELSE INTERVAL 26 HOUR END AS event_time`,
  ),
};

const splitMs = fixtureSplitMs();
const trapMs = splitMs + 10 * 3_600_000 + 120_000;
const nextDay = splitMs + DAY;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-feature-slice-');
  conn = fx.conn;
  deps = { conn, lake: fx.wb.data.lake, intents: new LakeIntents(conn), commitViews: (st, ds) => fx.wb.data.commitViews(st, ds) };
  const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
  // The trap reading, and the first three hours of the next day (slice rows after the trap's day has ended).
  await conn.run(`INSERT INTO ${mirror} VALUES (1, to_timestamp(${trapMs / 1000}), 99.999, 25.0, 3.3, ${maxIngest + 1})`);
  await conn.run(`INSERT INTO ${mirror} ${telemetrySelect(nextDay, nextDay + 3 * 3_600_000, maxIngest + 10)}`);
  await materializeFeatureSet(deps, TRAP);
  await materializeFeatureSet(deps, LAGGED);
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

function spec(extra: Partial<Record<string, unknown>> = {}): SliceSpec {
  const checked = checkSliceSpec({
    dataset: 'telemetry',
    from: new Date(splitMs - DAY).toISOString(),
    to: new Date(nextDay + 3 * 3_600_000).toISOString(),
    filter: { battery_id: [1, 2] },
    features: ['trap_daily@v1', 'trap_lagged@v1'],
    ...extra,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.spec;
}

describe('feature sets in training slices', () => {
  it('joins each row to the latest feature row known at its time minus the lag: no value from after the row reaches it', async () => {
    const dir = join(fx.dir, 'exports', 'trap');
    const report = await writeSlice(conn, spec(), dir, {
      lake: fx.wb.data.lake,
      exportsDir: join(fx.dir, 'exports'),
      appVersion: 'test',
      duckdbVersion: 'test',
    });
    const file = quoteLiteral(join(dir, 'all', 'part-0000.parquet'));
    const rows = `read_parquet(${file})`;
    expect(report.manifest.rows).toBeGreaterThan(2 * 288);
    // The general rule: a feature row never holds a reading later than the slice row it is joined to (minus its lag).
    expect(await queryNumber(conn, `SELECT count(*) FROM ${rows} WHERE trap_daily_last_reading > ts OR trap_daily_event_time > ts`)).toBe(
      0,
    );
    expect(
      await queryNumber(
        conn,
        `SELECT count(*) FROM ${rows} WHERE trap_lagged_event_time > ts - INTERVAL 60 MINUTE OR trap_lagged_last_reading > ts`,
      ),
    ).toBe(0);
    // The trap: nowhere before its day ended, not even on jar 1 after the trap reading itself.
    const iso = (ms: number): string => `CAST(${quoteLiteral(new Date(ms).toISOString())} AS TIMESTAMPTZ)`;
    expect(await queryNumber(conn, `SELECT count(*) FROM ${rows} WHERE trap_daily_voltage_max = 99.999 AND ts < ${iso(nextDay)}`)).toBe(0);
    expect(
      await queryNumber(conn, `SELECT count(*) FROM ${rows} WHERE battery_id = 1 AND ts > ${iso(trapMs)} AND ts < ${iso(nextDay)}`),
    ).toBeGreaterThan(100);
    // Once the day is over it is known: from midnight without lag, an hour later with it.
    expect(
      await queryNumber(
        conn,
        `SELECT count(*) FROM ${rows} WHERE battery_id = 1 AND ts >= ${iso(nextDay)} AND trap_daily_voltage_max IS DISTINCT FROM 99.999`,
      ),
    ).toBe(0);
    expect(
      await queryNumber(conn, `SELECT count(*) FROM ${rows} WHERE trap_lagged_voltage_max = 99.999 AND ts < ${iso(nextDay + 3_600_000)}`),
    ).toBe(0);
    expect(
      await queryNumber(
        conn,
        `SELECT count(*) FROM ${rows} WHERE battery_id = 1 AND ts >= ${iso(nextDay + 3_600_000)} AND trap_lagged_voltage_max = 99.999`,
      ),
    ).toBe(24);
    // Before the lag has passed, the lagged set still gives the day before's row (not nothing).
    const early = await queryRows(
      conn,
      `SELECT CAST(trap_lagged_event_time AS VARCHAR) AS t FROM ${rows} WHERE battery_id = 1 AND ts = ${iso(nextDay + 1_800_000)}`,
    );
    expect(early).toEqual([{ t: `${new Date(splitMs).toISOString().slice(0, 10)} 00:00:00+00` }]);

    // The manifest names each set's version and definition hash.
    const stored = (await storedVersions(fx.wb.data.lake, 'trap_daily'))[0];
    expect(report.manifest.features).toEqual([
      {
        ref: 'trap_daily@v1',
        name: 'trap_daily',
        version: 1,
        hash: stored.hash,
        entityColumn: 'battery_id',
        lagMinutes: 0,
        columns: ['voltage_max', 'last_reading'],
      },
      expect.objectContaining({ ref: 'trap_lagged@v1', lagMinutes: 60 }),
    ]);
    expect(report.manifest.sql.splits.all).toContain('ASOF LEFT JOIN');
  });

  it('refuses a version that does not exist, a set keyed by another unit, and a malformed reference', async () => {
    const opts = { lake: fx.wb.data.lake, exportsDir: join(fx.dir, 'exports'), appVersion: 'test', duckdbVersion: 'test' };
    await expect(writeSlice(conn, spec({ features: ['trap_daily@v7'] }), join(fx.dir, 'exports', 'x1'), opts)).rejects.toThrow(
      /trap_daily has no version v7; it has v1/,
    );
    await expect(
      writeSlice(conn, spec({ dataset: 'string_telemetry', filter: undefined }), join(fx.dir, 'exports', 'x2'), opts),
    ).rejects.toThrow(/per jar \(battery_id\), but string_telemetry rows are per string_id/);
    const bad = checkSliceSpec({ ...spec(), features: ['trap_daily', 'trap_daily@v1', 'trap_daily@v1'] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.field)).toEqual(['features[0]', 'features[2]']);
  });

  it("looks the feature rows up on the sorted rows: the file is the recorded ASOF join's, row for row, in order", async () => {
    // 1,000 more jars on the hot day: enough rows for DuckDB to sort and write them on every thread.
    const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
    await conn.run(
      `INSERT INTO ${mirror} SELECT 6 + b.j, ts, voltage_v, temperature_c, resistance_mohm, ${maxIngest} + row_number() OVER () ` +
        `FROM (${telemetrySelect(splitMs, nextDay, null)}) t, range(1, 1001) b(j) WHERE t.battery_id = 1 + b.j % 6`,
    );
    await materializeFeatureSet(deps, TRAP);
    await materializeFeatureSet(deps, LAGGED);
    await materializeFeatureSet(deps, EARLY);
    const opts = { lake: fx.wb.data.lake, exportsDir: join(fx.dir, 'exports'), appVersion: 'test', duckdbVersion: 'test' };
    const check = async (features: string[], looked: boolean): Promise<void> => {
      const s = spec({ filter: undefined, features });
      const sets = await resolveSliceFeatures(conn, fx.wb.data.lake, s);
      const lookups = await prepareFeatureLookups(conn, s, sets);
      expect(lookups !== null).toBe(looked);
      if (lookups) await dropFeatureLookups(conn, lookups);
      const dir = join(fx.dir, 'exports', `lookup-${features.join('-')}`);
      const report = await writeSlice(conn, s, dir, opts);
      expect(report.manifest.rows).toBeGreaterThan(280_000);
      const file = join(dir, 'all', 'part-0000.parquet');
      const again = join(fx.dir, `asof-${features.length}.parquet`);
      await conn.run(`COPY (${report.manifest.sql.splits.all}) TO ${quoteLiteral(again)} (FORMAT parquet)`);
      const schema = report.manifest.schema;
      expect(await digestParquet(conn, 'all', file, schema)).toEqual(await digestParquet(conn, 'all', again, schema));
      // In key order: no row is followed by a smaller (battery_id, ts).
      const disorder = await queryNumber(
        conn,
        `SELECT count(*) FROM (SELECT battery_id, ts, lag(battery_id) OVER w AS pb, lag(ts) OVER w AS pt ` +
          `FROM read_parquet(${quoteLiteral(file)}, file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) ` +
          `WHERE pb > battery_id OR (pb = battery_id AND pt > ts)`,
      );
      expect(disorder).toBe(0);
      // No lookup table is left on the connection.
      expect(await queryNumber(conn, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__slice_lookup_%'`)).toBe(0);
    };
    await check(['trap_daily@v1', 'trap_lagged@v1'], true);
    // Two event times in one jar's day: the slice runs the ASOF join it records.
    await check(['trap_daily@v1', 'trap_early@v1'], false);
  }, 120_000);
});
