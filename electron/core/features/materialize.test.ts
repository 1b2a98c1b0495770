import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport } from '../../../shared/api/storage';
import {
  JAR_DAILY_STATS,
  STRING_DAILY_SPREAD,
  featureColumns,
  featureLatestName,
  featureViewName,
  type FeatureSetDefinition,
} from '../../../shared/domain/features';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { LakeIntents } from '../lake/intents';
import { HOT_MIRROR_SCHEMA, setSplitSql } from '../mirror/meta';
import {
  FIXTURE,
  fixtureSplitMs,
  openFixtureWorkbench,
  telemetrySelect,
  writeLakeDay,
  type FixtureWorkbench,
} from '../rollups/fleet-fixture';
import type { Workbench } from '../workbench';
import { FEATURES_DATASET } from './feature-views';
import { chunkDays, featureRowsSql, inputDays, materializeFeatureSet, type FeatureDeps } from './materialize';
import { definitionKey, storedVersions } from './registry';

let fx: FixtureWorkbench;
let wb: Workbench;
let conn: DuckDBConnection;
let deps: FeatureDeps;

const DAY = 86_400_000;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-features-');
  ({ wb, conn } = fx);
  // Four lake days before the fixture's: a history of EARLY_DAYS + 4 days, so the jars have whole 7-day slope
  // windows from the fixture's third day on (the slope is NULL until the window's first day has readings).
  for (let d = 1; d <= EARLY_DAYS; d++) {
    const dayMs = FIXTURE.startMs - d * DAY;
    await writeLakeDay(conn, wb.paths.lake, 'telemetry', dayMs, `${telemetrySelect(dayMs, dayMs + DAY, null)} ORDER BY 1, 2`, 'early');
  }
  await wb.data.refresh();
  deps = { conn, lake: wb.data.lake, intents: new LakeIntents(conn), commitViews: (st, ds) => wb.data.commitViews(st, ds) };
}, 60_000);

/** Lake days written before the fixture's first day. */
const EARLY_DAYS = 4;
const firstMs = FIXTURE.startMs - EARLY_DAYS * DAY;

afterAll(async () => {
  await fx?.close();
});

const view = (def: FeatureSetDefinition, v: number): string => qualifiedName(FEATURES_DATASET, featureViewName(def.name, v));

/** Count and content checksum of a relation's feature columns. */
async function checksum(def: FeatureSetDefinition, rel: string): Promise<string> {
  const cols = featureColumns(def)
    .map((c) => quoteIdent(c.name))
    .join(', ');
  const r = await queryRows(conn, `SELECT count(*) AS n, CAST(coalesce(sum(hash(${cols})), 0) AS VARCHAR) AS h FROM ${rel}`);
  return `${String(r[0].n)}:${String(r[0].h)}`;
}

/** The set computed from scratch over every day of its inputs, into a temp table; returns its name. */
async function fullRecompute(def: FeatureSetDefinition): Promise<string> {
  const ext = await queryRows(conn, `SELECT epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM telemetry`);
  const lo = Math.floor(Number(ext[0].lo) / DAY) * DAY;
  const hi = (Math.floor(Number(ext[0].hi) / DAY) + 1) * DAY;
  await conn.run(`CREATE OR REPLACE TEMP TABLE full_${def.name} AS ${featureRowsSql(def)}`, {
    window_start: new DuckDBTimestampTZValue(BigInt(lo) * 1000n),
    window_end: new DuckDBTimestampTZValue(BigInt(hi) * 1000n),
  });
  return `temp.main.full_${def.name}`;
}

/** The materialized version equals a full recomputation: same checksum, and no row of either is missing from the other. */
async function expectEqualsFull(def: FeatureSetDefinition, v: number): Promise<void> {
  const full = await fullRecompute(def);
  const cols = featureColumns(def)
    .map((c) => quoteIdent(c.name))
    .join(', ');
  expect(await checksum(def, view(def, v))).toBe(await checksum(def, full));
  expect(await queryNumber(conn, `SELECT count(*) FROM (SELECT ${cols} FROM ${view(def, v)} EXCEPT ALL SELECT ${cols} FROM ${full})`)).toBe(
    0,
  );
  expect(await queryNumber(conn, `SELECT count(*) FROM (SELECT ${cols} FROM ${full} EXCEPT ALL SELECT ${cols} FROM ${view(def, v)})`)).toBe(
    0,
  );
}

/**
 * The input fingerprints materialization adds up from parts (each lake file once, the hot rows, the view from the
 * split's day on) equal the same sums read over the unified view whole, day by day.
 */
async function expectExactFingerprints(): Promise<void> {
  const lo = FIXTURE.startMs - 7 * DAY;
  const hi = fixtureSplitMs() + (FIXTURE.hotDays + 3) * DAY;
  const parts = (await inputDays(conn, wb.data.lake, JAR_DAILY_STATS, lo, hi)).get('telemetry');
  const cols = ['battery_id', 'ts', 'voltage_v', 'temperature_c', 'resistance_mohm'].map(quoteIdent).join(', ');
  const whole = await queryRows(
    conn,
    `SELECT CAST(floor(epoch(ts) / 86400) AS BIGINT) AS d, count(*) AS n, CAST(sum(hash(${cols})) AS VARCHAR) AS h FROM telemetry ` +
      `WHERE ts >= to_timestamp(${lo / 1000}) AND ts < to_timestamp(${hi / 1000}) GROUP BY 1 ORDER BY 1`,
  );
  expect(whole.length).toBeGreaterThan(FIXTURE.hotDays);
  expect([...(parts ?? new Map<number, string>())].sort((a, b) => a[0] - b[0])).toEqual(
    whole.map((r) => [Number(r.d), `${String(r.n)}:${String(r.h)}`]),
  );
}

async function checkLakeHere(): Promise<LakeCheckReport> {
  const started = await wb.dispatch('storage.checkLake', { repair: false }, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  const summary = (await wb.jobs.wait((started.value as { jobId: string }).jobId)) as JobSummary;
  expect(summary.state, JSON.stringify(summary.error)).toBe('done');
  return summary.report as LakeCheckReport;
}

const mirror = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');

describe('feature materialization', () => {
  it('writes one file per day into features/<set>/v1 and equals a full recomputation', async () => {
    const r = await materializeFeatureSet(deps, JAR_DAILY_STATS);
    const days = EARLY_DAYS + FIXTURE.coldDays + FIXTURE.hotDays;
    expect(r).toMatchObject({
      set: 'jar_daily_stats',
      version: 1,
      createdVersion: true,
      days,
      recomputed: days,
      rows: 6 * days,
      files: days,
    });
    const files = await wb.data.lake.list(FEATURES_DATASET);
    expect(files.map((f) => f.key.replace(/part-.*$/, ''))).toEqual(
      Array.from({ length: days }, (_, i) => `features/jar_daily_stats/v1/date=${new Date(firstMs + i * DAY).toISOString().slice(0, 10)}/`),
    );
    await expectEqualsFull(JAR_DAILY_STATS, 1);
    // The 7-day slope sees the resistance rise the fixture gives every jar (jar b: 3.2e-4 * b mOhm per 5 minutes),
    // from the first day whose window starts on a day with readings (2024-03-03: 2024-02-26 to 2024-03-03).
    const slopes = await queryRows(
      conn,
      `SELECT CAST(day AS VARCHAR) AS day, resistance_slope_7d AS s FROM ${view(JAR_DAILY_STATS, 1)} WHERE battery_id = 2 ORDER BY day`,
    );
    expect(slopes.filter((r) => r.s === null).map((r) => r.day)).toEqual([
      '2024-02-26',
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
      '2024-03-02',
    ]);
    for (const r of slopes.filter((x) => x.s !== null)) expect(Number(r.s)).toBeCloseTo(3.2e-4 * 2 * 288, 1);

    const s = await materializeFeatureSet(deps, STRING_DAILY_SPREAD);
    expect(s.rows).toBe(2 * days);
    await expectEqualsFull(STRING_DAILY_SPREAD, 1);
    expect((await checkLakeHere()).problems).toEqual([]);
  });

  it('computes the same rows a day per query as in one query, each chunk reading its lookback days again', async () => {
    // A day per chunk: every chunk's slope needs the 6 days before it, which the chunk itself does not compute.
    const r = await materializeFeatureSet(deps, JAR_DAILY_STATS, { full: true, chunkDays: 1 });
    expect(r.recomputed).toBe(EARLY_DAYS + FIXTURE.coldDays + FIXTURE.hotDays);
    await expectEqualsFull(JAR_DAILY_STATS, 1);
    expect(chunkDays(JAR_DAILY_STATS.lookbackDays)).toBe(28);
    expect(chunkDays(0)).toBe(28);
    expect(chunkDays(30)).toBe(120);
    expect(chunkDays(366)).toBe(184);
  });

  it('recomputes nothing when nothing changed, and only the touched days after new readings and late rows', async () => {
    expect((await materializeFeatureSet(deps, JAR_DAILY_STATS)).recomputed).toBe(0);

    // New readings: the first two hours of the next day.
    const end = fixtureSplitMs() + FIXTURE.hotDays * DAY;
    const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
    await conn.run(`INSERT INTO ${mirror} ${telemetrySelect(end, end + 2 * 3_600_000, maxIngest)}`);
    await expectExactFingerprints();
    const fresh = await materializeFeatureSet(deps, JAR_DAILY_STATS);
    expect(fresh.recomputedDays).toEqual([new Date(end).toISOString().slice(0, 10)]);
    await expectEqualsFull(JAR_DAILY_STATS, 1);

    // A late row for a cold day (a higher ingest id than the archiver's mark: the hot tier shows it): that day and the
    // days whose 7-day window holds it.
    const late = FIXTURE.startMs + DAY + 60_000;
    await conn.run(`INSERT INTO ${mirror} VALUES (3, to_timestamp(${late / 1000}), 13.1, 33.5, 3.9, ${maxIngest + 100_000})`);
    await expectExactFingerprints();
    const lateRun = await materializeFeatureSet(deps, JAR_DAILY_STATS);
    expect(lateRun.recomputedDays).toEqual(['2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05']);
    await expectEqualsFull(JAR_DAILY_STATS, 1);
    expect(
      await queryNumber(conn, `SELECT minutes_above_30c FROM ${view(JAR_DAILY_STATS, 1)} WHERE battery_id = 3 AND day = DATE '2024-03-02'`),
    ).toBeGreaterThanOrEqual(5);
    // Every earlier file of a recomputed day was replaced: one live file per day.
    const files = await wb.data.lake.list(FEATURES_DATASET);
    const perDay = new Map<string, number>();
    for (const f of files.filter((x) => x.key.startsWith('features/jar_daily_stats/v1/')))
      perDay.set(f.partition.date, (perDay.get(f.partition.date) ?? 0) + 1);
    expect([...perDay.values()].every((n) => n === 1)).toBe(true);
    expect((await checkLakeHere()).problems).toEqual([]);
  });

  it('equals a full recomputation after archival moves a day to the lake, without recomputing it', async () => {
    const split = fixtureSplitMs();
    // The hot day moves to the lake as the archiver moves it: its rows as a lake file, the split after it, the rows out of PostgreSQL's mirror.
    await writeLakeDay(
      conn,
      wb.paths.lake,
      'telemetry',
      split,
      `SELECT battery_id, ts, voltage_v, temperature_c, resistance_mohm FROM ${mirror} WHERE ts >= to_timestamp(${split / 1000}) AND ts < to_timestamp(${(split + DAY) / 1000}) ORDER BY battery_id, ts`,
      'archived',
    );
    await conn.run(`DELETE FROM ${mirror} WHERE ts >= to_timestamp(${split / 1000}) AND ts < to_timestamp(${(split + DAY) / 1000})`);
    await conn.run(setSplitSql('telemetry', new Date(split + DAY).toISOString()));
    await wb.data.refresh();
    expect(await queryNumber(conn, `SELECT count(*) FROM telemetry WHERE tier = 'cold' AND ts >= to_timestamp(${split / 1000})`)).toBe(
      6 * 288,
    );
    await expectExactFingerprints();
    const r = await materializeFeatureSet(deps, JAR_DAILY_STATS);
    expect(r.recomputed).toBe(0);
    await expectEqualsFull(JAR_DAILY_STATS, 1);
  });

  it('makes a new version when the SQL changes; the old one stays readable with its definition', async () => {
    const before = await checksum(JAR_DAILY_STATS, view(JAR_DAILY_STATS, 1));
    // Reformatted only: the same version.
    const same = await materializeFeatureSet(deps, { ...JAR_DAILY_STATS, sql: `${JAR_DAILY_STATS.sql}\n\n  -- a comment` });
    expect(same).toMatchObject({ version: 1, createdVersion: false, recomputed: 0 });
    const changed: FeatureSetDefinition = {
      ...JAR_DAILY_STATS,
      sql: JAR_DAILY_STATS.sql.replace('temperature_c > 30', 'temperature_c > 25'),
    };
    const v2 = await materializeFeatureSet(deps, changed);
    expect(v2).toMatchObject({ version: 2, createdVersion: true });
    expect(v2.recomputed).toBe(v2.days);
    await expectEqualsFull(changed, 2);
    expect(await checksum(JAR_DAILY_STATS, view(JAR_DAILY_STATS, 1))).toBe(before);
    expect(await checksum(changed, view(JAR_DAILY_STATS, 2))).not.toBe(before);
    const versions = await storedVersions(wb.data.lake, 'jar_daily_stats');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0].definition.sql).toContain('temperature_c > 30');
    expect(versions[1].definition.sql).toContain('temperature_c > 25');
    expect(versions[0].hash).not.toBe(versions[1].hash);
    expect(await wb.data.lake.exists(definitionKey('jar_daily_stats', 1))).toBe(true);
    // The views survive a workspace-wide refresh, and the lake check covers both versions' files.
    await wb.data.refresh();
    expect(await checksum(JAR_DAILY_STATS, view(JAR_DAILY_STATS, 1))).toBe(before);
    const check = await checkLakeHere();
    expect(check.problems).toEqual([]);
    expect(check.files).toBeGreaterThanOrEqual(5 * 3);
  });

  it('the lake check reports a damaged feature file', async () => {
    const files = (await wb.data.lake.list(FEATURES_DATASET)).filter((f) => f.key.startsWith('features/string_daily_spread/v1/'));
    const { appendFile } = await import('node:fs/promises');
    await appendFile(wb.data.lake.localPath(files[0].key), 'x');
    const check = await checkLakeHere();
    expect(check.problems.map((p) => [p.kind, p.path])).toEqual([['checksum-mismatch', files[0].key]]);
    // Made sound again: recomputing the day replaces the file.
    await materializeFeatureSet(deps, STRING_DAILY_SPREAD, { from: files[0].partition.date, to: files[0].partition.date, full: true });
    expect((await checkLakeHere()).problems).toEqual([]);
  });

  it('keeps the latest values per entity current', async () => {
    const latest = qualifiedName(FEATURES_DATASET, featureLatestName('jar_daily_stats', 1));
    const before = await queryRows(conn, `SELECT CAST(day AS VARCHAR) AS day, readings FROM ${latest} WHERE battery_id = 4`);
    expect(await queryNumber(conn, `SELECT count(*) FROM ${latest}`)).toBe(6);
    // A new reading, a day later than any: after materializing, jar 4's latest row is that day's.
    const next = Date.parse(`${String(before[0].day)}T00:00:00Z`) + DAY;
    const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
    await conn.run(`INSERT INTO ${mirror} VALUES (4, to_timestamp(${(next + 600_000) / 1000}), 12.345, 31.0, 3.5, ${maxIngest + 1})`);
    await materializeFeatureSet(deps, JAR_DAILY_STATS);
    const after = await queryRows(
      conn,
      `SELECT CAST(day AS VARCHAR) AS day, readings, CAST(voltage_max AS VARCHAR) AS v FROM ${latest} WHERE battery_id = 4`,
    );
    expect(after).toEqual([{ day: new Date(next).toISOString().slice(0, 10), readings: 1, v: '12.345' }]);
  });

  it('a feature dataset removed from the lake takes its views with it', async () => {
    await wb.data.lake.removeDataset(FEATURES_DATASET);
    await wb.data.refresh();
    expect(await queryNumber(conn, `SELECT count(*) FROM duckdb_views() WHERE schema_name = 'features'`)).toBe(0);
  });
});
