import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoReport } from '../../../shared/api/data';
import { WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { buildDemoFleet, type DemoFleet } from '../../../shared/domain/demo-fleet';
import { planDemoJars, type JarPlan } from '../../../shared/domain/demo-plan';
import { planDemoPhenomena, type DemoPhenomena } from '../../../shared/domain/demo-phenomena';
import {
  DAY_MS,
  DEMO_SCALES,
  demoWindow,
  fleetSize,
  promisedRows,
  type DemoScaleName,
  type DemoWindow,
} from '../../../shared/domain/demo-scale';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import {
  addHotIndexes,
  canPartition,
  createHotTable,
  daysBetween,
  dropHotTables,
  ensureDayPartitions,
  PARTITION_DAYS_AHEAD,
} from '../hot/hot-schema';
import { copyCsvIntoHot, type HotStore } from '../hot/hot-store';
import type { Lake, LakeFile } from '../lake/lake';
import { DEMO_MARKER_KEY, writeManifest, type ManifestFile } from '../lake/manifest';
import {
  CREATE_CAPACITY_SQL,
  CREATE_DAILY_SQL,
  CREATE_GRID_SQL,
  CREATE_OUTAGE_SQL,
  CREATE_ROOM_SQL,
  ENVIRONMENTAL_TELEMETRY_SELECT,
  insertDailySql,
  STRING_TELEMETRY_SELECT,
  TELEMETRY_SELECT,
  createAlertsSql,
  createBatteryTraitsSql,
  createDaySql,
  createEnvDaySql,
  createMaintenanceSql,
  createRulSql,
  createTestScheduleSql,
  type DemoParams,
} from './demo-sql';
import { discardColdDay, publishColdDay, stageColdDay, writeColdByDate, type StagedColdDay } from './demo-lake';
import { feedsRollups, rollupFeed, type FeedSources } from '../rollups/feed';
import { insertObjects, queryNumber } from '../engine/duck-query';
import { holdPoint } from '../system/hold-point';

export interface DemoOptions {
  scale: DemoScaleName;
  daysHot?: number;
  daysCold?: number;
  seed?: number;
  /** End of data; default now (on the 5-minute grid). */
  end?: Date;
  /** Materialize the built-in feature sets at the end (default true; the benchmarks of generation turn it off). */
  features?: boolean;
}

export interface DemoProgress {
  phase: string;
  fraction: number;
  rows: number;
  bytes: number;
  message: string;
}

export interface DemoDeps {
  /** A connection of its own: the demo creates temp tables and sets TimeZone = UTC on it. */
  duck: DuckDBConnection;
  hot: HotStore;
  lake: Lake;
  /** Scratch folder for CSV hand-off to PostgreSQL. */
  tmpDir: string;
  signal?: AbortSignal;
  onProgress?: (p: DemoProgress) => void;
  /**
   * Build the gold rollups as the cold days land (rollups/feed.ts), instead of leaving them to a refresh over the
   * whole lake at the end: on `conn` (a connection of its own, not `duck`), while `duck` generates the next day;
   * `progress` tells the rollups' readers (the panels' build state).
   */
  rollups?: { conn: DuckDBConnection; progress: (p: { fraction: number; message: string }) => void };
}

export type { DemoReport };

export const DEMO_DEFAULT_SEED = 20240601;
export { DEMO_MARKER_KEY };

export function demoWindowFor(options: DemoOptions): DemoWindow {
  const scale = DEMO_SCALES[options.scale];
  const daysHot = options.daysHot ?? scale.defaultDaysHot;
  const daysCold = options.daysCold ?? scale.defaultDaysCold;
  if (!Number.isInteger(daysHot) || daysHot < 1 || daysHot > 365)
    throw new WorkbenchError('BAD_INPUT', `--days-hot must be a whole number from 1 to 365, not ${daysHot}.`);
  if (!Number.isInteger(daysCold) || daysCold < 0 || daysCold > 3650)
    throw new WorkbenchError('BAD_INPUT', `--days-cold must be a whole number from 0 to 3650, not ${daysCold}.`);
  return demoWindow(options.end ?? new Date(), daysHot, daysCold);
}

/**
 * Generate the demo fleet: master data, alerts, maintenance, capacity tests, impedance readings and RUL
 * predictions; the hot window's telemetry and open or recent alerts go to PostgreSQL, older history to
 * the lake as hive-partitioned Parquet. Resets the workbench tables in the hot store and the demo datasets
 * in the lake first. Master data reaches PostgreSQL last, so an interrupted run leaves a hot store that
 * still reads as empty (and the in-progress marker in the lake says the lake is not real data).
 */
export async function generateDemo(options: DemoOptions, deps: DemoDeps): Promise<DemoReport> {
  const started = Date.now();
  const scale = DEMO_SCALES[options.scale];
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const window = demoWindowFor(options);
  const params: DemoParams = { seed, startMs: window.start.getTime(), splitMs: window.split.getTime(), endMs: window.end.getTime() };
  const seeded = buildDemoFleet(scale, seed, window.start);
  const plan = planDemoJars(seeded, window, seed);
  const phenomena = planDemoPhenomena(seeded, window, seed, plan);
  const fleet = withInstallations(seeded, plan);
  const { duck, hot, lake } = deps;
  const batch = `demo-${new Date(started)
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const rows: Record<string, { hot: number; cold: number }> = {};
  const count = (ds: DatasetName, tier: 'hot' | 'cold', n: number): void => {
    rows[ds] ??= { hot: 0, cold: 0 };
    rows[ds][tier] += n;
  };
  let totalRows = 0;
  let totalBytes = 0;
  const progress = (phase: string, fraction: number, message: string): void => {
    deps.onProgress?.({ phase, fraction: Math.max(0, Math.min(1, fraction)), rows: totalRows, bytes: totalBytes, message });
  };
  const checkCancel = (): void => {
    if (deps.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The demo was cancelled; run it again to get a complete fleet.');
  };
  /** Manifest entries of the event datasets (written at the end) and of the days landed (each with its own). */
  const manifests = new Map<string, ManifestFile[]>();
  const dayFiles: ManifestFile[] = [];
  let feeding = false;
  const scratch = join(deps.tmpDir, `demo-${process.pid}-${randomBytes(3).toString('hex')}`);
  await mkdir(scratch, { recursive: true });

  progress('prepare', 0, 'Resetting the hot store and the lake');
  await lake.requireOnline('take the demo fleet');
  await lake.put(DEMO_MARKER_KEY, JSON.stringify({ batch, startedAt: new Date(started).toISOString() }) + '\n');
  const pg = await hot.connect('owner');
  let pending: Promise<void> = Promise.resolve();
  /** The last published cold day's rollups and hold point, on the feed's connection; its error in rollError. */
  let rolling: Promise<void> = Promise.resolve();
  let rollError: unknown = null;
  /** Days staged in the lake, not yet published (discarded if the run stops). */
  const staged: StagedColdDay[] = [];
  try {
    await dropHotTables(pg);
    const partitioned = await canPartition(pg);
    for (const name of Object.keys(DATASETS) as DatasetName[]) await createHotTable(pg, DATASETS[name], partitioned);
    // One partition per hot day (and the days ahead), so archiving a day is a TRUNCATE.
    await ensureDayPartitions(pg, daysBetween(window.split, new Date(window.end.getTime() + PARTITION_DAYS_AHEAD * DAY_MS)));
    for (const name of Object.keys(DATASETS) as DatasetName[]) if (DATASETS[name].partitionColumn) await lake.removeDataset(name);

    await duck.run("SET TimeZone = 'UTC'");
    await loadMasterIntoDuck(duck, fleet, plan, phenomena);
    await duck.run(createBatteryTraitsSql(params));
    await duck.run(CREATE_ROOM_SQL);
    await duck.run(CREATE_OUTAGE_SQL);
    await duck.run(createTestScheduleSql(params));
    await duck.run(CREATE_GRID_SQL);
    await duck.run(CREATE_DAILY_SQL);

    // --- time series, one UTC day at a time: cold days to Parquet (each with its manifest, and its rollups when
    // fed), hot days to PostgreSQL. The cold days are pipelined over two connections: while the feed's connection
    // builds a published day's rollups (read back from its files), `duck` generates and stages the next day, which
    // is published only once that day's rollups and hold point are done, so a run stopped between days leaves whole,
    // recorded days, each with its rollups. ---
    const days: { from: number; to: number }[] = [];
    for (let t = params.startMs; t < params.endMs; t += DAY_MS) days.push({ from: t, to: Math.min(t + DAY_MS, params.endMs) });
    const coldDays = days.filter((d) => d.from < params.splitMs).length;
    if (deps.rollups) {
      await loadFeedSites(deps.rollups.conn, plan, fleet);
      await rollupFeed.begin(deps.rollups.conn, window.split.toISOString());
      feeding = true;
    }
    let pgError: unknown = null;
    const settled = async (): Promise<void> => {
      await rolling;
      if (rollError) throw rollError;
    };
    for (let i = 0; i < days.length; i++) {
      checkCancel();
      if (pgError) throw pgError;
      if (rollError) throw rollError;
      const { from, to } = days[i];
      const date = new Date(from).toISOString().slice(0, 10);
      await duck.run(createDaySql(params, from, to));
      const n = await queryNumber(duck, 'SELECT count(*) FROM demo_day');
      await duck.run(insertDailySql(from));
      // The battery rooms' few readings of the day (a handful per site and hour).
      await duck.run(createEnvDaySql(params, from, to));
      const envRows = await queryNumber(duck, 'SELECT count(*) FROM demo_env_day');
      if (from < params.splitMs) {
        staged.push(await stageColdDay(duck, lake, 'telemetry', date, batch, `${TELEMETRY_SELECT} ORDER BY battery_id, ts`));
        staged.push(await stageColdDay(duck, lake, 'string_telemetry', date, batch, `${STRING_TELEMETRY_SELECT} ORDER BY string_id, ts`));
        staged.push(
          await stageColdDay(
            duck,
            lake,
            'environmental_telemetry',
            date,
            batch,
            `${ENVIRONMENTAL_TELEMETRY_SELECT} ORDER BY sensor_id, ts`,
          ),
        );
        await settled();
        checkCancel();
        const landed: LakeFile[] = [];
        while (staged.length > 0) {
          const { entry, file } = await publishColdDay(lake, batch, staged[0]);
          staged.shift();
          landed.push(file);
          dayFiles.push(entry);
          count(file.dataset as DatasetName, 'cold', entry.rows);
          totalBytes += entry.bytes;
        }
        rolling = (async () => {
          if (deps.rollups) {
            const fed = landed.filter((f) => feedsRollups(f.dataset));
            await rollupFeed.land(deps.rollups.conn, landedSources(lake, fed), from, to, fed);
            deps.rollups.progress({ fraction: (i + 1) / coldDays, message: `${i + 1} of ${coldDays} lake days (${date})` });
          }
          if (deps.signal) await holdPoint('demo', `cold-day-${i + 1}`, deps.signal);
        })().catch((err: unknown) => {
          rollError = err;
        });
      } else {
        await settled();
        // Hot days feed the rollups too, so panels drawn before the closing refresh already show every day.
        if (deps.rollups) await rollupFeed.land(duck, FEED_SOURCES, from, from + DAY_MS, []);
        const tCsv = join(scratch, `telemetry-${date}.csv`);
        const sCsv = join(scratch, `string_telemetry-${date}.csv`);
        const eCsv = join(scratch, `environmental_telemetry-${date}.csv`);
        await duck.run(`COPY (${TELEMETRY_SELECT} ORDER BY ts, battery_id) TO ${quoteLiteral(tCsv)} (FORMAT csv, HEADER true)`);
        await duck.run(`COPY (${STRING_TELEMETRY_SELECT} ORDER BY ts, string_id) TO ${quoteLiteral(sCsv)} (FORMAT csv, HEADER true)`);
        await duck.run(
          `COPY (${ENVIRONMENTAL_TELEMETRY_SELECT} ORDER BY ts, sensor_id) TO ${quoteLiteral(eCsv)} (FORMAT csv, HEADER true)`,
        );
        await pending;
        if (pgError) throw pgError;
        pending = (async () => {
          for (const [ds, file] of [
            ['telemetry', tCsv],
            ['string_telemetry', sCsv],
            ['environmental_telemetry', eCsv],
          ] as const) {
            totalBytes += (await stat(file)).size;
            count(
              ds,
              'hot',
              await copyCsvIntoHot(
                pg,
                ds,
                DATASETS[ds].columns.map((c) => c.name),
                file,
              ),
            );
            await rm(file, { force: true });
          }
        })().catch((err: unknown) => {
          pgError = err;
        });
      }
      totalRows += n + n / scale.jarsPerString + envRows;
      progress('telemetry', ((i + 1) / days.length) * 0.85, `Day ${i + 1} of ${days.length} (${date})`);
    }
    await settled();
    await pending;
    if (pgError) throw pgError;
    deps.rollups?.progress({ fraction: 1, message: 'lake days built; the hot days follow the mirror sync' });

    // --- events derived from the telemetry ---
    checkCancel();
    progress('events', 0.86, 'Alerts, capacity tests, maintenance, impedance, RUL');
    await duck.run(createAlertsSql(params));
    await duck.run(CREATE_CAPACITY_SQL);
    await duck.run(createMaintenanceSql(params));
    await duck.run(createRulSql(params));
    const split = quoteLiteral(window.split.toISOString());
    const coldAlert = `cleared_at IS NOT NULL AND cleared_at < TIMESTAMPTZ ${split}`;
    await writeColdByDate(duck, lake, 'alert', batch, `SELECT * FROM demo_alert WHERE ${coldAlert}`, 'raised_at', manifests, count);
    for (const [ds, table, column] of [
      ['maintenance_event', 'demo_maintenance', 'performed_at'],
      ['rul_prediction', 'demo_rul', 'predicted_at'],
    ] as const) {
      await writeColdByDate(
        duck,
        lake,
        ds,
        batch,
        `SELECT * FROM ${table} WHERE ${column} < TIMESTAMPTZ ${split}`,
        column,
        manifests,
        count,
      );
    }

    // --- hot: events of the hot window, then master data last ---
    checkCancel();
    progress('hot', 0.9, 'Loading master data and recent events into PostgreSQL');
    const toHot = async (ds: DatasetName, select: string): Promise<void> => {
      const file = join(scratch, `${ds}.csv`);
      const cols = DATASETS[ds].columns.map((c) => c.name);
      await duck.run(
        `COPY (SELECT ${cols.map(quoteIdent).join(', ')} FROM (${select})) TO ${quoteLiteral(file)} (FORMAT csv, HEADER true)`,
      );
      const n = await copyCsvIntoHot(pg, ds, cols, file);
      count(ds, 'hot', n);
      totalRows += n;
      await rm(file, { force: true });
    };
    await toHot('alert', `SELECT * FROM demo_alert WHERE NOT (${coldAlert})`);
    await toHot('rul_prediction', `SELECT * FROM demo_rul WHERE predicted_at >= TIMESTAMPTZ ${split}`);
    await toHot('maintenance_event', `SELECT * FROM demo_maintenance WHERE performed_at >= TIMESTAMPTZ ${split}`);
    await toHot('capacity_test', 'SELECT * FROM demo_capacity');
    await toHot('impedance_measurement', 'SELECT * FROM demo_impedance');
    for (const ds of MASTER) await toHot(ds, `SELECT * FROM demo_src_${ds}`);
    progress('hot', 0.93, 'Building keys and indexes in PostgreSQL');
    await addHotIndexes(pg);
    await hot.grantTaskRoles(pg);

    for (const [ds, files] of manifests) {
      await writeManifest(lake, {
        batchId: batch,
        dataset: ds,
        source: 'demo',
        writtenAt: new Date().toISOString(),
        rows: files.reduce((a, f) => a + f.rows, 0),
        files,
      });
    }
    await lake.remove(DEMO_MARKER_KEY);
  } catch (err) {
    // What the feed recorded as seen is forgotten: the next refresh recomputes every day the lake holds.
    await rolling;
    if (feeding && deps.rollups) await rollupFeed.abandon(deps.rollups.conn).catch(() => undefined);
    throw err;
  } finally {
    await rolling;
    await pending.catch(() => undefined);
    for (const day of staged) await discardColdDay(lake, day).catch(() => undefined);
    if (deps.rollups) await deps.rollups.conn.run(`DROP TABLE IF EXISTS temp.main.${FEED_SITES}`).catch(() => undefined);
    await pg.end().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    for (const t of [
      'demo_day',
      'demo_env_day',
      'demo_room',
      'demo_grid',
      'demo_daily',
      'demo_test_obs',
      'demo_battery',
      'demo_test',
      'demo_alert',
      'demo_capacity',
      'demo_routine',
      'demo_maintenance',
      'demo_impedance',
      'demo_rul',
      'demo_src_offset',
      'demo_src_plan',
      'demo_outage',
      'demo_src_outage',
      ...MASTER.map((m) => `demo_src_${m}`),
    ]) {
      await duck.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(t)}`).catch(() => undefined);
    }
  }
  const allFiles = [...dayFiles, ...[...manifests.values()].flat()];
  return {
    scale: scale.name,
    seed,
    window: { start: window.start.toISOString(), split: window.split.toISOString(), end: window.end.toISOString() },
    fleet: fleetSize(scale),
    rows,
    promised: promisedRows(
      scale,
      window,
      plan.map((j) => j.firstReadingMs),
    ),
    lakeFiles: allFiles.length,
    lakeBytes: allFiles.reduce((a, f) => a + f.bytes, 0),
    elapsedMs: Date.now() - started,
  };
}

const MASTER = ['location', 'battery_model', 'battery_system', 'battery_string', 'battery', 'environmental_sensor'] as const;

/** The rollup feed reads a hot day from the generator's own tables (demo_day, demo_battery), on its connection. */
const FEED_SOURCES: FeedSources = {
  telemetry: TELEMETRY_SELECT,
  string_telemetry: STRING_TELEMETRY_SELECT,
  jarMap: 'SELECT battery_id, string_id, location_id FROM demo_battery',
};

/** Where each jar sits (string, site) on the feed's connection (the generator's tables are temp tables of its own connection). */
const FEED_SITES = 'demo_feed_site';

async function loadFeedSites(conn: DuckDBConnection, plan: readonly JarPlan[], fleet: DemoFleet): Promise<void> {
  const strings = new Map(fleet.batteries.map((b) => [b.battery_id, b.string_id]));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${FEED_SITES} (battery_id INTEGER, string_id INTEGER, location_id INTEGER)`);
  await insertObjects(
    conn,
    FEED_SITES,
    ['battery_id', 'string_id', 'location_id'],
    plan.map((j) => ({ battery_id: j.battery_id, string_id: strings.get(j.battery_id) ?? null, location_id: j.location_id })),
  );
}

/** A published cold day as the feed reads it: its files, as the refresh would read them, and the sites. */
function landedSources(lake: Lake, files: readonly LakeFile[]): FeedSources {
  const read = (ds: DatasetName): string => {
    const file = files.find((f) => f.dataset === ds);
    if (!file) throw new Error(`No ${ds} file was published for the day.`);
    return `SELECT * FROM read_parquet(${quoteLiteral(lake.localPath(file.key))})`;
  };
  return {
    telemetry: read('telemetry'),
    string_telemetry: read('string_telemetry'),
    jarMap: `SELECT battery_id, string_id, location_id FROM ${FEED_SITES}`,
  };
}

/** The fleet with each new jar's installation day (its first reading) as installed_on. */
function withInstallations(fleet: DemoFleet, plan: readonly JarPlan[]): DemoFleet {
  const installed = new Map(plan.filter((j) => j.profile === 'new').map((j) => [j.battery_id, j.firstReadingMs]));
  return {
    ...fleet,
    batteries: fleet.batteries.map((b) => {
      const ms = installed.get(b.battery_id);
      return ms === undefined ? b : { ...b, installed_on: new Date(ms).toISOString().slice(0, 10) };
    }),
  };
}

async function loadMasterIntoDuck(
  duck: DuckDBConnection,
  fleet: DemoFleet,
  plan: readonly JarPlan[],
  phenomena: DemoPhenomena,
): Promise<void> {
  const data: Record<(typeof MASTER)[number], readonly object[]> = {
    location: fleet.locations,
    battery_model: fleet.models,
    battery_system: fleet.systems,
    battery_string: fleet.strings,
    battery: fleet.batteries,
    environmental_sensor: fleet.sensors,
  };
  for (const ds of MASTER) {
    const spec = DATASETS[ds];
    const table = quoteIdent(`demo_src_${ds}`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${table} (${spec.columns.map((c) => `${quoteIdent(c.name)} ${c.duck}`).join(', ')})`);
    await insertObjects(
      duck,
      table,
      spec.columns.map((c) => c.name),
      data[ds],
    );
  }
  await duck.run('CREATE OR REPLACE TEMP TABLE demo_src_offset (location_id INTEGER, utc_offset INTEGER)');
  await insertObjects(
    duck,
    'demo_src_offset',
    ['location_id', 'utc_offset'],
    [...fleet.utcOffsetHours].map(([location_id, utc_offset]) => ({ location_id, utc_offset })),
  );
  await duck.run(
    'CREATE OR REPLACE TEMP TABLE demo_src_plan (battery_id INTEGER, onset_day DOUBLE, ramp_end_day DOUBLE, severity DOUBLE, fail_k DOUBLE, first_reading_ms BIGINT, v_imbalance DOUBLE, hot_c DOUBLE)',
  );
  const imbalance = new Map(phenomena.imbalanced.map((j) => [j.battery_id, j.offsetV]));
  const hot = new Map(phenomena.hotspots.map((j) => [j.battery_id, j.excessC]));
  await insertObjects(
    duck,
    'demo_src_plan',
    ['battery_id', 'onset_day', 'ramp_end_day', 'severity', 'fail_k', 'first_reading_ms', 'v_imbalance', 'hot_c'],
    plan.map((j) => ({
      v_imbalance: imbalance.get(j.battery_id) ?? 0,
      hot_c: hot.get(j.battery_id) ?? 0,
      battery_id: j.battery_id,
      onset_day: j.onsetDay,
      ramp_end_day: j.rampEndDay,
      severity: j.severity,
      fail_k: j.failK,
      first_reading_ms: j.firstReadingMs,
    })),
  );
  await duck.run(
    'CREATE OR REPLACE TEMP TABLE demo_src_outage (location_id INTEGER, start_ms BIGINT, end_ms BIGINT, rate_c DOUBLE, recharge_end_ms BIGINT)',
  );
  await insertObjects(
    duck,
    'demo_src_outage',
    ['location_id', 'start_ms', 'end_ms', 'rate_c', 'recharge_end_ms'],
    phenomena.outages.map((o) => ({
      location_id: o.location_id,
      start_ms: o.startMs,
      end_ms: o.endMs,
      rate_c: o.rateC,
      recharge_end_ms: o.rechargeEndMs,
    })),
  );
}
