import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport } from '../../../shared/api/storage';
import { qualifiedName } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { LakeIntents } from '../lake/intents';
import type { Lake } from '../lake/lake';
import type { PublishSetDeps } from '../lake/publish-set';
import { HOT_MIRROR_SCHEMA, tierSwitchSql } from '../mirror/meta';
import {
  FIXTURE,
  fixtureSplitMs,
  openFixtureWorkbench,
  telemetrySelect,
  writeLakeDay,
  type FixtureWorkbench,
} from '../rollups/fleet-fixture';
import type { Workbench } from '../workbench';
import { refreshCalc } from './calc-refresh';
import { CALC_COLUMNS, calcRowsSql } from './calc-sql';

let fx: FixtureWorkbench;
let wb: Workbench;
let conn: DuckDBConnection;
const DAY = 86_400_000;
const hot = (name: string): string => qualifiedName(HOT_MIRROR_SCHEMA, name);
const iso = (ms: number): string => new Date(ms).toISOString();

function deps(lake: Lake = wb.data.lake): PublishSetDeps {
  return { lake, intents: new LakeIntents(conn), commitViews: (s, d) => wb.data.commitViews(s, d) };
}

/** Room readings of the fixture's two sites every 15 minutes over [fromMs, toMs): site 1 = 20 + slot % 4 / 4, site 2 = 21.5. */
function roomSelect(fromMs: number, toMs: number, ingestBase: number): string {
  return (
    `SELECT s.sensor_id, to_timestamp(q.slot * 900) AS ts, CAST(CASE s.sensor_id WHEN 1 THEN 20 + (q.slot % 4) / 4.0 WHEN 2 THEN 45 ELSE 21.5 END AS DECIMAL(6,2)), ` +
    `CAST(${ingestBase} + row_number() OVER (ORDER BY q.slot, s.sensor_id) AS BIGINT) FROM range(1, 4) s(sensor_id), range(${fromMs / 900_000}, ${toMs / 900_000}) q(slot)`
  );
}

/** A checksum of every calc_telemetry row (all columns, and its tier). */
async function checksum(): Promise<string> {
  const rows = await queryRows(
    conn,
    `SELECT count(*) AS n, CAST(sum(hash(${CALC_COLUMNS.join(', ')}, tier)) AS VARCHAR) AS h FROM calc_telemetry`,
  );
  return `${String(rows[0].n)}:${String(rows[0].h)}`;
}

async function refresh(full = false): Promise<void> {
  await refreshCalc(conn, wb.data.lake, deps(), { full });
}

/** Incremental, then a full recompute: the same rows, each telemetry reading once, in its tier. */
async function expectConsistent(): Promise<void> {
  await refresh();
  const incremental = await checksum();
  await refresh(true);
  expect(await checksum()).toBe(incremental);
  const byTier = async (v: string): Promise<string> =>
    JSON.stringify(
      await queryRows(conn, `SELECT tier, count(*) AS n, count(DISTINCT (battery_id, ts)) AS k FROM ${v} GROUP BY tier ORDER BY tier`),
    );
  expect(await byTier('calc_telemetry')).toBe(await byTier('telemetry'));
  expect(
    await queryNumber(
      conn,
      'SELECT count(*) FROM telemetry t FULL JOIN calc_telemetry c USING (battery_id, ts) WHERE t.tier IS DISTINCT FROM c.tier',
    ),
  ).toBe(0);
}

async function checkLake(): Promise<LakeCheckReport> {
  const started = await wb.dispatch('storage.checkLake', {}, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  const summary = (await wb.jobs.wait((started.value as { jobId: string }).jobId)) as JobSummary;
  expect(summary.state, JSON.stringify(summary.error)).toBe('done');
  return summary.report as LakeCheckReport;
}

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-calc-');
  ({ wb, conn } = fx);
  // Battery rooms: a temperature and a humidity sensor at site 1, a temperature sensor at site 2, read every 15 minutes.
  await conn.run(
    `INSERT INTO ${hot('environmental_sensor')} (sensor_id, location_id, room, sensor_type, unit) VALUES ` +
      "(1, 1, 'Battery room', 'temperature', 'degC'), (2, 1, 'Battery room', 'humidity', '%RH'), (3, 2, 'Battery room', 'temperature', 'degC')",
  );
  const end = fixtureSplitMs() + FIXTURE.hotDays * DAY;
  await conn.run(`INSERT INTO ${hot('environmental_telemetry')} ${roomSelect(FIXTURE.startMs, end, 0)}`);
  await wb.rollups.refreshNow().done;
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

describe('calc_telemetry', () => {
  it('computes each metric as defined, by hand, in both tiers', async () => {
    const split = fixtureSplitMs();
    // A cold reading (jar 2, an hour before the split) and a hot one (jar 5, 10:05 after the split: between room readings).
    for (const [jar, at, sensor, mates] of [
      [2, split - 3_600_000, 1, [1, 2, 3]],
      [5, split + 10 * 3_600_000 + 300_000, 3, [4, 5, 6]],
    ] as const) {
      const got = (
        await queryRows(
          conn,
          `SELECT *, CAST(ts AS VARCHAR) AS t FROM calc_telemetry WHERE battery_id = $1 AND ts = CAST($2 AS TIMESTAMPTZ)`,
          [jar, iso(at)],
        )
      )[0];
      expect(got, `jar ${jar} at ${iso(at)}`).toBeDefined();
      expect(got.tier).toBe(at < split ? 'cold' : 'hot');
      const volts = await queryRows(
        conn,
        `SELECT battery_id, voltage_v::DOUBLE AS v, temperature_c::DOUBLE AS c, resistance_mohm::DOUBLE AS r FROM telemetry WHERE ts = CAST($1 AS TIMESTAMPTZ) ORDER BY battery_id`,
        [iso(at)],
      );
      const own = volts.find((r) => Number(r.battery_id) === jar)!;
      const mean =
        volts.filter((r) => (mates as readonly number[]).includes(Number(r.battery_id))).reduce((a, r) => a + Number(r.v), 0) / 3;
      expect(Number(got.voltage_deviation_mv)).toBeCloseTo((Number(own.v) - mean) * 1000, 3);
      // The room's latest reading at or before: the 15-minute mark at or before `at`.
      const slot = Math.floor(at / 900_000);
      const room = sensor === 1 ? 20 + (slot % 4) / 4 : 21.5;
      expect(Number(got.temperature_rise_c)).toBeCloseTo(Number(own.c) - room, 2);
      // Baseline: the jar's readings over 7 days from its first (all the fixture's 4 days).
      const base = await queryNumber(
        conn,
        `SELECT avg(resistance_mohm::DOUBLE) FROM telemetry WHERE battery_id = $1 AND ts < to_timestamp($2)`,
        [jar, (FIXTURE.startMs + 7 * DAY) / 1000],
      );
      expect(Number(got.resistance_drift_pct)).toBeCloseTo(((Number(own.r) - base) / base) * 100, 3);
      // 13.4..13.6 V: above 2.125 V/cell (12.75 V) for a 6-cell jar.
      expect(Number(got.soc_pct)).toBe(Number(own.v) >= 13.62 ? 100 : Math.min(100, Math.max(0, ((Number(own.v) - 11.88) / 0.87) * 100)));
    }
    await expectConsistent();
  });

  it('takes the room reading at or before each reading, none older than a day, and none for a site without a room sensor', async () => {
    // The rooms were read every 15 minutes up to `end`; string 1 (jars 1-3) is at site 1 (sensor 1), string 2 at site 2 (sensor 3).
    const end = fixtureSplitMs() + FIXTURE.hotDays * DAY;
    const input = (at: number): string =>
      `SELECT j AS battery_id, CAST(${`'${iso(at)}'`} AS TIMESTAMPTZ) AS ts, CAST(13.50 + j / 100 AS DECIMAL(6,3)) AS voltage_v, ` +
      `CAST(25.0 AS DECIMAL(4,1)) AS temperature_c, CAST(4.00 AS DECIMAL(6,2)) AS resistance_mohm, NULL::BIGINT AS ingest_id FROM range(1, 7) r(j)`;
    const rise = async (): Promise<Record<string, unknown>[]> =>
      queryRows(
        conn,
        `SELECT battery_id, CAST(ts AS VARCHAR) AS t, temperature_rise_c::DOUBLE AS rise, voltage_deviation_mv::DOUBLE AS dev FROM (` +
          `${calcRowsSql(`${input(end + 12 * 3_600_000 + 60_000)} UNION ALL ${input(end + 30 * 3_600_000)}`, end, end + 2 * DAY)}) ORDER BY ts, battery_id`,
      );
    const rows = await rise();
    expect(rows).toHaveLength(12);
    // 12 hours after the last room reading (at end - 15 min; site 1's reads 20 + slot % 4 / 4): 25.0 - 20.75.
    expect(rows.slice(0, 6).map((r) => r.rise)).toEqual([4.25, 4.25, 4.25, 3.5, 3.5, 3.5]);
    // The string's mean at that instant: jar 1 is 10 mV under its string's (13.51, 13.52, 13.53).
    expect(rows.slice(0, 3).map((r) => r.dev)).toEqual([-10, 0, 10]);
    // 30 hours after: no room reading within a day.
    expect(rows.slice(6).map((r) => r.rise)).toEqual([null, null, null, null, null, null]);
    // Without site 2's temperature sensor (its room has only a humidity sensor left), its jars have no rise.
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(`DELETE FROM ${hot('environmental_sensor')} WHERE sensor_id = 3`);
      expect((await rise()).slice(0, 6).map((r) => r.rise)).toEqual([4.25, 4.25, 4.25, null, null, null]);
    } finally {
      await conn.run('ROLLBACK');
    }
  });

  it('follows new hot readings (a low one for the state of charge), late rows and archival; lake check stays clean', async () => {
    const split = fixtureSplitMs();
    const next = split + FIXTURE.hotDays * DAY;
    // A new hot day, and jar 1 at 12.30 V (2.05 V/cell): (12.30 - 11.88) / 0.87 = 48.3 %.
    await conn.run(`INSERT INTO ${hot('telemetry')} ${telemetrySelect(next, next + DAY, 100_000)}`);
    await conn.run(`INSERT INTO ${hot('environmental_telemetry')} ${roomSelect(next, next + DAY, 100_000)}`);
    await conn.run(
      `UPDATE ${hot('telemetry')} SET voltage_v = 12.30, ingest_id = 900_000 WHERE battery_id = 1 AND ts = CAST($1 AS TIMESTAMPTZ)`,
      [iso(next + 3_600_000)],
    );
    await expectConsistent();
    expect(
      await queryNumber(conn, `SELECT soc_pct::DOUBLE FROM calc_telemetry WHERE battery_id = 1 AND ts = CAST($1 AS TIMESTAMPTZ)`, [
        iso(next + 3_600_000),
      ]),
    ).toBe(48.3);

    // Late rows: readings at new instants inside hours already computed.
    await conn.run(
      `INSERT INTO ${hot('telemetry')} SELECT battery_id, ts + INTERVAL 30 SECOND, voltage_v, temperature_c, resistance_mohm, ingest_id + 200_000 FROM (${telemetrySelect(split + 2 * 3_600_000, split + 2 * 3_600_000 + 600_000, 0)})`,
    );
    await expectConsistent();

    // Archival of the first hot day: its telemetry file in the lake, the split past it (the hot rows stay hidden below it).
    const archived = await queryNumber(conn, `SELECT max(ingest_id) FROM ${hot('telemetry')} WHERE ts < to_timestamp($1)`, [next / 1000]);
    await writeLakeDay(
      conn,
      wb.paths.lake,
      'telemetry',
      split,
      `SELECT battery_id, ts, voltage_v, temperature_c, resistance_mohm FROM ${hot('telemetry')} WHERE ts < to_timestamp(${next / 1000}) AND ts >= to_timestamp(${split / 1000})`,
      'archived',
    );
    await wb.data.commitViews(tierSwitchSql('telemetry', iso(next), archived), ['telemetry']);
    const coldBefore = await queryNumber(conn, "SELECT count(*) FROM calc_telemetry WHERE tier = 'cold'");
    // A full recompute first: the archived day's hot calculated rows go, though the hot tier shows no reading of it now.
    await refresh(true);
    expect(await queryNumber(conn, `SELECT count(*) FROM ${hot('calc_telemetry')} WHERE ts < to_timestamp($1)`, [next / 1000])).toBe(0);
    await expectConsistent();
    expect(await queryNumber(conn, "SELECT count(*) FROM calc_telemetry WHERE tier = 'cold'")).toBeGreaterThan(coldBefore);
    expect(await queryNumber(conn, `SELECT count(*) FROM ${hot('calc_telemetry')} WHERE ts < to_timestamp($1)`, [next / 1000])).toBe(0);
    const days = await wb.data.lake.list('calc_telemetry');
    expect(days.map((f) => f.partition.date)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
    const report = await checkLake();
    expect(report.problems).toEqual([]);
  });

  it('publishes the cold days a batch at a time, each all or nothing: a run stopped in its second batch keeps the first', async () => {
    const before = await checksum();
    const keysOf = async (): Promise<string[]> =>
      (await wb.data.lake.list('calc_telemetry'))
        .sort((x, y) => String(x.partition.date).localeCompare(String(y.partition.date)))
        .map((f) => f.key);
    const old = await keysOf();
    expect(old).toHaveLength(4);
    const lake = wb.data.lake;
    /** A lake whose `stopAt`-th file publish fails. */
    const failingAt = (stopAt: number): Lake => {
      let published = 0;
      return new Proxy(lake, {
        get: (target, p) =>
          p === 'publish'
            ? (...a: Parameters<Lake['publish']>) =>
                ++published === stopAt ? Promise.reject(new Error('the process stopped here')) : target.publish(...a)
            : (Reflect.get(target, p) as unknown) instanceof Function
              ? (Reflect.get(target, p) as (...a: unknown[]) => unknown).bind(target)
              : Reflect.get(target, p),
      });
    };
    const unchanged = async (): Promise<boolean[]> => (await keysOf()).map((k, i) => k === old[i]);
    // Three days per publish: stopped at the first batch's second file, no day is replaced.
    await expect(refreshCalc(conn, failingAt(2), deps(failingAt(2)), { full: true, publishDays: 3 })).rejects.toThrow(/stopped here/);
    expect(await unchanged()).toEqual([true, true, true, true]);
    expect((await checkLake()).problems).toEqual([]);
    // Stopped at the second batch's file: the first three days are replaced, the last stays as it was.
    const stop4 = failingAt(4);
    await expect(refreshCalc(conn, stop4, deps(stop4), { full: true, publishDays: 3 })).rejects.toThrow(/stopped here/);
    expect(await unchanged()).toEqual([false, false, false, true]);
    expect(await checksum()).toBe(before);
    expect((await checkLake()).problems).toEqual([]);
    const again = await refreshCalc(conn, lake, deps(), { full: true, publishDays: 3 });
    expect(again.published).toBe(4);
    expect(await checksum()).toBe(before);
    expect((await checkLake()).problems).toEqual([]);
  });

  it('an interrupted publish is finished by the next run, and lake check is clean after it', async () => {
    const before = await checksum();
    // A lake whose removals fail: the new day files are published with their manifest, the replaced ones cannot go.
    const lake = wb.data.lake;
    const failing = new Proxy(lake, {
      get: (target, p) =>
        p === 'remove'
          ? () => Promise.reject(new Error('the process stopped here'))
          : (Reflect.get(target, p) as unknown) instanceof Function
            ? (Reflect.get(target, p) as (...a: unknown[]) => unknown).bind(target)
            : Reflect.get(target, p),
    });
    await expect(refreshCalc(conn, failing, deps(failing), { full: true })).rejects.toThrow(/stopped here/);
    const midway = await checkLake();
    expect(midway.problems.map((p) => p.kind)).toContain('unfinished-job');
    expect(await checksum()).toBe(before);
    const again = await refreshCalc(conn, lake, deps(), { full: true });
    expect(again.recovered.join('\n')).toMatch(/replace/);
    expect(await checksum()).toBe(before);
    expect((await checkLake()).problems).toEqual([]);
  });

  it('a lake day whose readings left the lake loses its calculated file, and no publish is left open', async () => {
    const lake = wb.data.lake;
    const dates = async (): Promise<string[]> => (await lake.list('calc_telemetry')).map((f) => String(f.partition.date)).sort();
    const before = await dates();
    expect(before[0]).toBe('2024-03-01');
    const first = (await lake.list('telemetry')).filter((f) => f.partition.date === '2024-03-01');
    expect(first.length).toBeGreaterThan(0);
    await lake.withdraw(
      'telemetry',
      first.map((f) => f.key),
      'test: the day left the lake',
    );
    await wb.data.commitViews([], ['telemetry']);
    const gone = async (): Promise<void> => {
      expect(await dates()).toEqual(before.slice(1));
      const left = await queryNumber(conn, 'SELECT count(*) FROM calc_telemetry WHERE ts < to_timestamp($1)', [
        Date.parse('2024-03-02') / 1000,
      ]);
      expect(left).toBe(0);
      expect(await new LakeIntents(conn).unfinished()).toEqual([]);
      expect((await checkLake()).problems).toEqual([]);
    };
    // Incremental (the day's file is gone), then in full (the day has no reading, so no file is begun for it).
    await refresh();
    await gone();
    await expectConsistent();
    await gone();
  });

  it('writes no file for a lake day without known jars, and leaves no publish open', async () => {
    const lake = wb.data.lake;
    const dates = async (): Promise<string[]> => (await lake.list('calc_telemetry')).map((f) => String(f.partition.date)).sort();
    const before = await dates();
    // A day long before the fleet's, of jar 999, which the master data does not know: the day's run is all its own.
    const day = Date.parse('2024-01-10T00:00:00Z');
    await writeLakeDay(
      conn,
      wb.paths.lake,
      'telemetry',
      day,
      `SELECT 999 AS battery_id, to_timestamp(${day / 1000} + 60 * range) AS ts, 13.5::DECIMAL(6,3) AS voltage_v, 25.0::DECIMAL(4,1) AS temperature_c, 3.2::DECIMAL(6,2) AS resistance_mohm FROM range(10)`,
      'unknown-jar',
    );
    await wb.data.commitViews([], ['telemetry']);
    const report = await refreshCalc(conn, lake, deps(), {});
    expect(report.days).toBeGreaterThan(0);
    expect(report.published).toBe(0);
    expect(await dates()).toEqual(before);
    expect(await new LakeIntents(conn).unfinished()).toEqual([]);
    expect((await checkLake()).problems).toEqual([]);
  });
});
