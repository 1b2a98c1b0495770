import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { HOT_MIRROR_SCHEMA } from '../mirror/meta';
import type { Workbench } from '../workbench';
import {
  FIXTURE,
  firstDaysMismatches,
  fixtureSplitMs,
  openFixtureWorkbench,
  telemetrySelect,
  writeLakeDay,
  type FixtureWorkbench,
} from './fleet-fixture';
import {
  FAMILIES,
  JAR_FIRST_DAYS,
  SIBLING_HOURLY,
  SIBLING_METRICS,
  rollupColumns,
  rollupTable,
  type Grain,
  type RollupFamily,
} from './gold-schema';
import { refreshRollups } from './refresh';
import { JAR_MAP_SQL, bucketExpr, rawAggregates } from './rollup-sql';

let fx: FixtureWorkbench;
let wb: Workbench;
let conn: DuckDBConnection;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-rollups-');
  ({ wb, conn } = fx);
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const GRAIN_SECONDS: Record<Grain, number> = { hourly: 3600, daily: 86400 };

/** The rollup computed directly on raw readings (the definition), as a SELECT with the rollup's columns. */
function rawRollup(family: RollupFamily, grain: Grain): string {
  const bucket = bucketExpr('ts', GRAIN_SECONDS[grain] * 1000);
  if (family.name === 'site') {
    return `SELECT m.location_id, ${bucket} AS bucket, ${rawAggregates(family)} FROM telemetry t JOIN (${JAR_MAP_SQL}) m ON m.battery_id = t.battery_id GROUP BY ALL`;
  }
  const source = family.name === 'jar' ? 'telemetry' : 'string_telemetry';
  return `SELECT ${family.key}, ${bucket} AS bucket, ${rawAggregates(family)} FROM ${source} GROUP BY ALL`;
}

/** Rows where the rollup and the raw aggregate disagree (means compared to 1e-9; first/last and min/max times skipped for sites, where ties across jars are arbitrary). */
async function mismatches(family: RollupFamily, grain: Grain): Promise<number> {
  const cols = rollupColumns(family).map((c) => c.name);
  // The time of a min or max is any reading with that value (ties are arbitrary): checked by minMaxTimesHold.
  const compared = cols.filter((c) => !/_(min_ts|max_ts)$/.test(c) && !(family.name === 'site' && /_(first|last)$/.test(c)));
  const cond = compared.map((c) => (c.endsWith('_mean') ? `abs(r.${c} - g.${c}) > 1e-9` : `r.${c} IS DISTINCT FROM g.${c}`)).join(' OR ');
  return queryNumber(
    conn,
    `WITH r AS (SELECT * FROM (${rawRollup(family, grain)}) x(${cols.join(', ')}))
     SELECT count(*) FROM r FULL OUTER JOIN ${rollupTable(family, grain)} g USING (${family.key}, bucket) WHERE ${cond.replaceAll(`r.${family.key}`, family.key)}`,
  );
}

/** Rows whose min/max times do not point at a reading with the min/max value (jar family). */
async function minMaxTimesWrong(grain: Grain): Promise<number> {
  const checks = FAMILIES.jar.metrics.map(
    (m) =>
      `NOT EXISTS (SELECT 1 FROM telemetry t WHERE t.battery_id = g.battery_id AND t.ts = g.${m.name}_min_ts AND t.${m.column} = g.${m.name}_min) OR ` +
      `NOT EXISTS (SELECT 1 FROM telemetry t WHERE t.battery_id = g.battery_id AND t.ts = g.${m.name}_max_ts AND t.${m.column} = g.${m.name}_max)`,
  );
  return queryNumber(conn, `SELECT count(*) FROM ${rollupTable(FAMILIES.jar, grain)} g WHERE ${checks.join(' OR ')}`);
}

/**
 * Rows where the sibling statistics and their definition disagree: per string and hour, over the hourly means of its
 * jars computed from raw telemetry, the count, mean and sum of squared deviations of each metric (means and sums of
 * squares to 1e-9 relative).
 */
async function siblingMismatches(): Promise<number> {
  const metric = FAMILIES.jar.metrics;
  const jarHours = `SELECT battery_id, ${bucketExpr('ts', 3_600_000)} AS bucket, ${metric.map((m) => `avg(CAST(${m.column} AS DOUBLE)) AS ${m.name}`).join(', ')} FROM telemetry GROUP BY ALL`;
  const defined = `SELECT m.string_id, j.bucket, ${SIBLING_METRICS.map((m) => `count(${m}) AS n_${m}, avg(${m}) AS mean_${m}, var_pop(${m}) * count(${m}) AS q_${m}`).join(', ')}
    FROM (${jarHours}) j JOIN (${JAR_MAP_SQL}) m USING (battery_id) GROUP BY ALL`;
  const off = (c: string): string => `abs(d.${c} - g.${c}) > 1e-9 * greatest(abs(d.${c}), 1)`;
  const cond = SIBLING_METRICS.map((m) => `d.n_${m} IS DISTINCT FROM g.n_${m} OR ${off(`mean_${m}`)} OR ${off(`q_${m}`)}`).join(' OR ');
  return queryNumber(
    conn,
    `SELECT count(*) FROM (${defined}) d FULL OUTER JOIN ${SIBLING_HOURLY} g USING (string_id, bucket)
     WHERE d.string_id IS NULL OR g.k IS NULL OR g.k <> (CAST(string_id AS BIGINT) << 32) + CAST(epoch(bucket) AS BIGINT) OR ${cond}`,
  );
}

describe('gold rollups', () => {
  it('equal the same aggregate on raw telemetry, for every family and grain, across hot and cold tiers', async () => {
    await refreshRollups(conn, wb.data.lake);
    const hours = (FIXTURE.coldDays + FIXTURE.hotDays) * 24;
    expect(await queryNumber(conn, `SELECT count(*) FROM ${rollupTable(FAMILIES.jar, 'hourly')}`)).toBe(6 * hours);
    expect(await queryNumber(conn, `SELECT count(*) FROM ${rollupTable(FAMILIES.site, 'daily')}`)).toBe(
      2 * (FIXTURE.coldDays + FIXTURE.hotDays),
    );
    expect(await queryNumber(conn, `SELECT sum(n) FROM ${rollupTable(FAMILIES.jar, 'daily')}`)).toBe(
      await queryNumber(conn, 'SELECT count(*) FROM telemetry'),
    );
    for (const family of Object.values(FAMILIES)) {
      for (const grain of ['hourly', 'daily'] as const) {
        expect(await mismatches(family, grain), `${family.name} ${grain}`).toBe(0);
      }
    }
    expect(await minMaxTimesWrong('hourly')).toBe(0);
    expect(await minMaxTimesWrong('daily')).toBe(0);
    expect(await queryNumber(conn, `SELECT count(*) FROM ${SIBLING_HOURLY}`)).toBe(2 * hours);
    expect(await siblingMismatches()).toBe(0);
    expect(await firstDaysMismatches(conn)).toBe(0);
    // Site "last" is a reading at the site's last time.
    const bad = await queryNumber(
      conn,
      `SELECT count(*) FROM gold.site_hourly g WHERE NOT EXISTS (SELECT 1 FROM telemetry t JOIN (${JAR_MAP_SQL}) m ON m.battery_id = t.battery_id
         WHERE m.location_id = g.location_id AND t.ts = g.last_ts AND t.voltage_v = g.voltage_last)`,
    );
    expect(bad).toBe(0);
  });

  it('recomputes only the hours that changed: new hot rows, a new lake day', async () => {
    await refreshRollups(conn, wb.data.lake);
    // A sentinel in an old hour: an incremental refresh must leave it alone.
    const oldHour = new Date(FIXTURE.startMs + 86_400_000 * 2 + 5 * 3_600_000).toISOString();
    await conn.run(`UPDATE gold.jar_hourly SET voltage_max = 99.999 WHERE battery_id = 1 AND bucket = CAST($1 AS TIMESTAMPTZ)`, [oldHour]);

    const idle = await refreshRollups(conn, wb.data.lake);
    expect(idle.hours).toEqual({ telemetry: 0, string_telemetry: 0 });

    // Two new hours of hot readings (ingest ids after the mirror's).
    const end = fixtureSplitMs() + FIXTURE.hotDays * 86_400_000;
    const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry')}`);
    await conn.run(`INSERT INTO ${qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry')} ${telemetrySelect(end, end + 2 * 3_600_000, maxIngest)}`);
    const report = await refreshRollups(conn, wb.data.lake);
    expect(report.hours.telemetry).toBe(2);
    expect(report.hours.string_telemetry).toBe(0);
    const sentinel = await queryRows(
      conn,
      `SELECT CAST(voltage_max AS VARCHAR) AS v FROM gold.jar_hourly WHERE battery_id = 1 AND bucket = CAST($1 AS TIMESTAMPTZ)`,
      [oldHour],
    );
    expect(sentinel[0]?.v).toBe('99.999');
    const newRows = await queryNumber(conn, `SELECT count(*) FROM gold.jar_hourly WHERE bucket >= to_timestamp(${end / 1000})`);
    expect(newRows).toBe(12);

    // A lake file for a day before the data: that day only (24 hours).
    const before = FIXTURE.startMs - 86_400_000;
    await writeLakeDay(conn, wb.paths.lake, 'telemetry', before, telemetrySelect(before, before + 86_400_000, null), 'late');
    const reasons: string[] = [];
    const off = wb.events.on((event, payload) => {
      if (event === 'catalog.changed') reasons.push((payload as { reason: string }).reason);
    });
    await wb.data.refresh();
    await wb.rollups.whenIdle();
    off();
    // The schema browser hears that the gold tables changed (their row counts follow).
    expect(reasons).toContain('rollups');
    // The background refresh (scheduled by data.refresh) has taken it in; nothing is left to do.
    const after = await refreshRollups(conn, wb.data.lake);
    expect(after.hours.telemetry).toBe(0);
    // The new hot hours and the new lake day reached the sibling statistics too.
    expect(await siblingMismatches()).toBe(0);
    expect(await firstDaysMismatches(conn)).toBe(0);
    expect(
      await queryNumber(
        conn,
        `SELECT count(*) FROM gold.jar_hourly WHERE bucket >= to_timestamp(${before / 1000}) AND bucket < to_timestamp(${FIXTURE.startMs / 1000})`,
      ),
    ).toBe(6 * 24);

    // Undo the sentinel by a full rebuild; then everything matches raw again.
    const full = await refreshRollups(conn, wb.data.lake, { full: true });
    expect(full.full).toBe(true);
    for (const family of Object.values(FAMILIES)) {
      for (const grain of ['hourly', 'daily'] as const) expect(await mismatches(family, grain), `${family.name} ${grain}`).toBe(0);
    }
    expect(await siblingMismatches()).toBe(0);
    expect(await firstDaysMismatches(conn)).toBe(0);
  });

  it('follows a removed lake file', async () => {
    const before = FIXTURE.startMs - 86_400_000;
    // Taken back the way writers do (a withdraw manifest, then the file goes): the views follow the manifests.
    const key = `telemetry/date=${new Date(before).toISOString().slice(0, 10)}/part-late.parquet`;
    await wb.data.lake.withdraw('telemetry', [key], 'test: the late day leaves the lake');
    await wb.data.refresh();
    await wb.rollups.whenIdle();
    await refreshRollups(conn, wb.data.lake);
    expect(await queryNumber(conn, `SELECT count(*) FROM gold.jar_hourly WHERE bucket < to_timestamp(${FIXTURE.startMs / 1000})`)).toBe(0);
    expect(await mismatches(FAMILIES.jar, 'daily')).toBe(0);
    expect(await siblingMismatches()).toBe(0);
    expect(await firstDaysMismatches(conn)).toBe(0);
  });

  it('gives a workspace built before the sibling statistics existed its statistics from its jar rollups, once', async () => {
    await conn.run(`DROP TABLE ${SIBLING_HOURLY}`);
    const report = await refreshRollups(conn, wb.data.lake);
    expect(report.hours).toEqual({ telemetry: 0, string_telemetry: 0 });
    expect(await queryNumber(conn, `SELECT count(*) FROM ${SIBLING_HOURLY}`)).toBeGreaterThan(0);
    expect(await siblingMismatches()).toBe(0);
    expect(await firstDaysMismatches(conn)).toBe(0);
  });

  it('gives a workspace built before the jars’ first days existed its table from its daily rollups, once', async () => {
    await conn.run(`DROP TABLE ${JAR_FIRST_DAYS}`);
    const report = await refreshRollups(conn, wb.data.lake);
    expect(report.hours).toEqual({ telemetry: 0, string_telemetry: 0 });
    expect(await queryNumber(conn, `SELECT count(*) FROM ${JAR_FIRST_DAYS}`)).toBe(
      await queryNumber(conn, `SELECT count(*) FROM ${rollupTable(FAMILIES.jar, 'daily')}`),
    );
    expect(await firstDaysMismatches(conn)).toBe(0);
  });

  it('announces a change only when a refresh rewrote the gold tables: an idle one makes no panel re-read', async () => {
    await wb.rollups.refreshNow().done;
    const heard: string[] = [];
    const off = wb.events.on((event, payload) => {
      if (event === 'rollups.changed' || event === 'catalog.changed') heard.push(`${event} ${(payload as { reason: string }).reason}`);
    });
    await wb.rollups.refreshNow().done;
    expect(heard).toEqual([]);

    // One new hour of hot readings: that refresh rewrote gold, and says so.
    const end = await queryNumber(conn, `SELECT epoch_ms(max(ts)) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry')}`);
    const next = (Math.floor(end / 3_600_000) + 1) * 3_600_000;
    const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry')}`);
    await conn.run(`INSERT INTO ${qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry')} ${telemetrySelect(next, next + 3_600_000, maxIngest)}`);
    await wb.rollups.refreshNow().done;
    off();
    expect(heard).toEqual(['rollups.changed refresh', 'catalog.changed rollups']);
  });
});
