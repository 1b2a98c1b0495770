import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCALES, fleetSize } from '../../../shared/domain/demo-scale';
import { queryNumber, queryRows } from '../engine/duck-query';
import type { DemoReport } from '../demo/seed-demo';
import type { PanelData } from '../../../shared/api/dashboard';
import type { HistoryEntry } from '../../../shared/api/query';
import { SKIP_CHANGE_LOG_SQL } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import type { Workbench } from '../workbench';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import { MirrorSync } from './mirror-sync';
import { foldDays } from './run-provenance';

let dir: string;
let wb: Workbench;
let hot: HotStore;
let duck: DuckDBConnection;
let report: DemoReport;

async function pgCount(sql: string): Promise<number> {
  return hot.withClient(async (c) => Number((await c.query<{ n: string }>(sql)).rows[0].n));
}

let demo: DemoWorkbench | undefined;

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-mirror-', { scale: 'small' });
  ({ dir, wb, hot, duck } = demo);
  const { summary } = demo;
  expect(summary.error).toBeNull();
  expect(summary.state).toBe('done');
  report = summary.report as DemoReport;
});

afterAll(async () => {
  await demo?.close();
});

describe('demo fleet', () => {
  it('writes the rows the generator promises, split between PostgreSQL and the lake', async () => {
    const size = fleetSize(DEMO_SCALES.small);
    expect(report.fleet.jars).toBe(size.jars);
    expect(report.rows.telemetry).toEqual(report.promised.telemetry);
    expect(report.rows.string_telemetry).toEqual(report.promised.string_telemetry);
    expect(await pgCount('SELECT count(*) AS n FROM battery')).toBe(size.jars);
    expect(await pgCount('SELECT count(*) AS n FROM telemetry')).toBe(report.promised.telemetry.hot);
    const cold = await queryNumber(duck, 'SELECT count(*) FROM cold.telemetry');
    expect(cold).toBe(report.promised.telemetry.cold);
    // Hot rows start at the split, cold rows end before it; partitions are whole UTC days.
    expect(await pgCount(`SELECT count(*) AS n FROM telemetry WHERE ts < '${report.window.split}'`)).toBe(0);
    const parts = await readdir(join(dir, 'lake', 'telemetry'));
    expect(parts.filter((p) => p.startsWith('date=')).length).toBe(DEMO_SCALES.small.defaultDaysCold);
    // Zstd row groups as promised.
    const meta = await queryRows(
      duck,
      `SELECT DISTINCT compression FROM parquet_metadata('${join(dir, 'lake', 'telemetry', '*', '*.parquet')}')`,
    );
    expect(meta.map((r) => String(r.compression).toUpperCase())).toEqual(['ZSTD']);
  });

  it('derives alerts, maintenance, tests and RUL from the data', async () => {
    // Every alert's value really crossed its threshold in the telemetry.
    const alerts = await queryRows(duck, 'SELECT alert_type, severity, value, threshold, cleared_at, tier FROM alert');
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      if (a.alert_type === 'voltage_low') expect(Number(a.value)).toBeLessThan(Number(a.threshold));
      else expect(Number(a.value)).toBeGreaterThan(Number(a.threshold));
    }
    expect(alerts.some((a) => a.cleared_at === null && a.tier === 'hot')).toBe(true);
    const mismatched = await queryNumber(
      duck,
      `SELECT count(*) FROM alert a WHERE a.alert_type = 'resistance_high' AND NOT EXISTS (
         SELECT 1 FROM telemetry t WHERE t.battery_id = a.battery_id AND t.ts = a.raised_at AND t.resistance_mohm > a.threshold)`,
    );
    expect(mismatched).toBe(0);
    // RUL falls as resistance rises: the failing jars (critical alerts) end with less RUL than the fleet median.
    const rul = await queryRows(
      duck,
      `WITH last AS (SELECT battery_id, arg_max(rul_days, predicted_at) AS rul FROM rul_prediction GROUP BY 1)
       SELECT (SELECT median(rul) FROM last WHERE battery_id IN (SELECT battery_id FROM alert WHERE severity = 'critical')) AS failing,
              (SELECT median(rul) FROM last) AS fleet`,
    );
    if (rul[0].failing !== null) expect(Number(rul[0].failing)).toBeLessThan(Number(rul[0].fleet));
    expect(await queryNumber(duck, 'SELECT count(*) FROM capacity_test')).toBeGreaterThan(0);
    expect(await queryNumber(duck, "SELECT count(*) FROM maintenance_event WHERE event_type = 'capacity_test'")).toBe(
      await queryNumber(duck, 'SELECT count(*) FROM capacity_test'),
    );
  });
});

describe('unified views', () => {
  it('count every row once: no duplicate (battery_id, ts), cold ends before hot begins', async () => {
    const total = await queryNumber(duck, 'SELECT count(*) FROM telemetry');
    expect(total).toBe(report.promised.telemetry.hot + report.promised.telemetry.cold);
    expect(await queryNumber(duck, 'SELECT count(*) FROM (SELECT battery_id, ts FROM telemetry GROUP BY ALL HAVING count(*) > 1)')).toBe(0);
    const edges = await queryRows(
      duck,
      "SELECT (SELECT max(ts) FROM telemetry WHERE tier = 'cold') < (SELECT min(ts) FROM telemetry WHERE tier = 'hot') AS ordered",
    );
    expect(edges[0].ordered).toBe(true);
    expect(await queryNumber(duck, 'SELECT count(*) FROM string_telemetry')).toBe(
      report.promised.string_telemetry.hot + report.promised.string_telemetry.cold,
    );
    const status = await wb.data.status();
    const t = status.datasets.find((d) => d.name === 'telemetry');
    expect(t?.hot.rows).toBe(report.promised.telemetry.hot);
    expect(t?.hot.syncedAt).not.toBeNull();
    expect(t?.cold?.files).toBe(DEMO_SCALES.small.defaultDaysCold);
  });

  it('runs SQL directly in PostgreSQL for target hot', async () => {
    const res = await wb.dispatch(
      'query.run',
      { sql: 'SELECT count(*) AS n, max(ts) AS newest FROM telemetry', target: 'hot', runId: 'hot-1' },
      { transport: 'test' },
    );
    expect(res.ok).toBe(true);
    if (res.ok) expect((res.value as { rowCount: number }).rowCount).toBe(1);
    const bad = await wb.dispatch('query.run', { sql: 'SELECT nope FROM telemetry', target: 'hot', runId: 'hot-2' }, { transport: 'test' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('SQL_ERROR');
  });
});

describe('battery rooms', () => {
  const sites = DEMO_SCALES.small.sites;

  it('keeps their sensors and readings in PostgreSQL, the mirror and the lake, as promised', async () => {
    const promised = report.promised.environmental_telemetry;
    expect(report.rows.environmental_telemetry).toEqual(promised);
    expect(promised.hot).toBeGreaterThan(0);
    expect(promised.cold).toBeGreaterThan(0);
    expect(await pgCount('SELECT count(*) AS n FROM environmental_sensor')).toBe(sites * 2);
    expect(await queryNumber(duck, 'SELECT count(*) FROM hot.environmental_sensor')).toBe(sites * 2);
    expect(await queryNumber(duck, 'SELECT count(*) FROM environmental_sensor')).toBe(sites * 2);
    expect(await pgCount('SELECT count(*) AS n FROM environmental_telemetry')).toBe(promised.hot);
    expect(await queryNumber(duck, 'SELECT count(*) FROM hot.environmental_telemetry')).toBe(promised.hot);
    expect(await queryNumber(duck, 'SELECT count(*) FROM cold.environmental_telemetry')).toBe(promised.cold);
    const parts = await readdir(join(dir, 'lake', 'environmental_telemetry'));
    expect(parts.filter((p) => p.startsWith('date=')).length).toBe(DEMO_SCALES.small.defaultDaysCold);
    // The hot readings are kept in day partitions like the other archived time series.
    expect(await pgCount("SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'environmental_telemetry'::regclass")).toBeGreaterThan(1);
  });

  it('the unified view shows every reading once: the lake’s before the split, PostgreSQL’s from it', async () => {
    const promised = report.promised.environmental_telemetry;
    const [r] = await queryRows(
      duck,
      `SELECT count(*) AS n, count(DISTINCT (sensor_id, ts)) AS keys,
         count(*) FILTER (WHERE tier = 'cold') AS cold, count(*) FILTER (WHERE tier = 'hot') AS hot,
         max(ts) FILTER (WHERE tier = 'cold') < TIMESTAMPTZ '${report.window.split}' AS cold_before,
         min(ts) FILTER (WHERE tier = 'hot') >= TIMESTAMPTZ '${report.window.split}' AS hot_from
       FROM environmental_telemetry`,
    );
    expect(Number(r.n)).toBe(promised.hot + promised.cold);
    expect(Number(r.keys)).toBe(Number(r.n));
    expect([Number(r.cold), Number(r.hot)]).toEqual([promised.cold, promised.hot]);
    expect([r.cold_before, r.hot_from]).toEqual([true, true]);
  });

  it('reads a plausible room climate, with every jar warmer than its room', async () => {
    const rooms = await queryRows(
      duck,
      `SELECT s.location_id, s.sensor_type, s.unit, min(e.value)::DOUBLE AS lo, max(e.value)::DOUBLE AS hi
       FROM environmental_telemetry e JOIN environmental_sensor s USING (sensor_id) GROUP BY ALL ORDER BY ALL`,
    );
    expect(rooms).toHaveLength(sites * 2);
    for (const r of rooms) {
      const [lo, hi] = r.sensor_type === 'temperature' ? [18, 30] : [20, 80];
      expect(r.unit).toBe(r.sensor_type === 'temperature' ? 'degC' : '%RH');
      expect(Number(r.lo)).toBeGreaterThanOrEqual(lo);
      expect(Number(r.hi)).toBeLessThanOrEqual(hi);
      // A daily cycle, not a flat line.
      expect(Number(r.hi) - Number(r.lo)).toBeGreaterThan(1);
    }
    // The jars and the string's ambient reading at each of the room's readings: every jar is warmer than the room,
    // and the string's ambient is the room's temperature.
    const [cmp] = await queryRows(
      duck,
      `WITH room AS (
         SELECT s.location_id, e.ts, e.value::DOUBLE AS room_c FROM environmental_telemetry e
         JOIN environmental_sensor s USING (sensor_id) WHERE s.sensor_type = 'temperature'
       ), jar AS (
         SELECT y.location_id, t.ts, t.temperature_c::DOUBLE AS jar_c FROM telemetry t
         JOIN battery b USING (battery_id) JOIN battery_string st USING (string_id) JOIN battery_system y USING (system_id)
       ), str AS (
         SELECT y.location_id, x.ts, x.ambient_c::DOUBLE AS ambient_c FROM string_telemetry x
         JOIN battery_string st USING (string_id) JOIN battery_system y USING (system_id)
       )
       SELECT (SELECT count(*) FROM jar JOIN room USING (location_id, ts)) AS pairs,
         (SELECT min(jar_c - room_c) FROM jar JOIN room USING (location_id, ts)) AS rise_min,
         (SELECT max(abs(ambient_c - room_c)) FROM str JOIN room USING (location_id, ts)) AS ambient_gap`,
    );
    // Every jar reading on a quarter hour has its room's reading.
    expect(Number(cmp.pairs)).toBe(await queryNumber(duck, 'SELECT count(*) FROM telemetry WHERE epoch(ts) % 900 = 0'));
    expect(Number(cmp.rise_min)).toBeGreaterThan(0);
    expect(Number(cmp.ambient_gap)).toBeLessThanOrEqual(0.2);
  });

  it('the ambient panel draws the room’s temperature and humidity for a site and for a string', async () => {
    const ambient = async (scope: { kind: string; id: number }): Promise<PanelData> => {
      const res = await wb.dispatch(
        'dashboard.panel',
        { panel: 'scope.ambient', scope, from: report.window.start, to: report.window.end, width: 400 },
        { transport: 'test' },
      );
      if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
      return res.value as PanelData;
    };
    const site = await ambient({ kind: 'location', id: 2 });
    expect(site.columns).toEqual(['k', 't', 'v', 'name', 'sensor_type', 'unit']);
    expect(site.source).toBe('environmental_telemetry (raw, M4)');
    // M4: at most 4 points per pixel and sensor, from the readings of both tiers.
    expect(site.rows.length).toBeGreaterThan(400);
    expect(site.rows.length).toBeLessThanOrEqual(2 * 4 * 400);
    const sensorsOf = (data: PanelData): string[] => [...new Set(data.rows.map((r) => `${String(r[0])} ${String(r[3])} ${String(r[5])}`))];
    expect(sensorsOf(site)).toEqual(['3 Battery room temperature degC', '4 Battery room humidity %RH']);
    const times = site.rows.map((r) => Number(r[1]));
    expect(Math.min(...times)).toBeLessThan(Date.parse(report.window.split));
    expect(Math.max(...times)).toBeGreaterThanOrEqual(Date.parse(report.window.split));
    // A string of site 2 reads its site's room.
    const [str] = await queryRows(
      duck,
      'SELECT min(s.string_id) AS id FROM battery_string s JOIN battery_system y USING (system_id) WHERE y.location_id = 2',
    );
    const string = await ambient({ kind: 'string', id: Number(str.id) });
    expect(sensorsOf(string)).toEqual(sensorsOf(site));
    expect(string.rows).toEqual(site.rows);
    // Export: every reading of the range at full resolution.
    const exported = await queryNumber(duck, `SELECT count(*) FROM (${string.exportSql})`);
    expect(exported).toBe((report.promised.environmental_telemetry.hot + report.promised.environmental_telemetry.cold) / sites);
  });
});

describe('run history over both tiers', () => {
  it('records the lake days a unified-view query covers, the mirror watermarks, and fingerprints a hot run', async () => {
    const entryOf = async (sql: string, target: 'workspace' | 'hot'): Promise<HistoryEntry> => {
      const res = await wb.dispatch('query.run', { sql, target, runId: `rh-${target}-${sql.length}` }, { transport: 'test' });
      expect(res.ok).toBe(true);
      await wb.engine.fingerprintsSettled();
      const [entry] = await wb.engine.historyEntries(sql, 1);
      return entry;
    };
    const sql = 'SELECT count(*) AS n FROM telemetry';
    const unified = await entryOf(sql, 'workspace');
    const days = (
      await queryRows(duck, "SELECT DISTINCT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS d FROM cold.telemetry ORDER BY d")
    ).map((r) => String(r.d));
    expect(days.length).toBe(DEMO_SCALES.small.defaultDaysCold);
    expect(unified.coldDays).toEqual({ telemetry: foldDays(days) });
    const watermarks = await queryRows(duck, 'SELECT dataset, watermark FROM _workbench.mirror_state');
    expect(watermarks.length).toBeGreaterThan(0);
    // A background sync may move a watermark after the run, never back.
    expect(Object.keys(unified.hotWatermark).sort()).toEqual(watermarks.map((r) => String(r.dataset)).sort());
    for (const r of watermarks) expect(unified.hotWatermark[String(r.dataset)]).toBeLessThanOrEqual(Number(r.watermark));
    expect(unified.hotWatermark.telemetry).toBeGreaterThan(0);
    // PostgreSQL's count of its own rows: a fingerprint too, the same when run again.
    const first = await entryOf(sql, 'hot');
    expect(first.target).toBe('hot');
    expect(first.coldDays).toEqual({});
    expect(first.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await entryOf(`${sql} `, 'hot')).resultHash).toBe(first.resultHash);
  });
});

describe('mirror sync', () => {
  it('resumes after the PostgreSQL connection is killed mid-copy, without duplicates', async () => {
    await duck.run('DELETE FROM hot.telemetry');
    await duck.run("UPDATE _workbench.mirror_state SET watermark = 0 WHERE dataset = 'telemetry'");
    const conn = await wb.engine.connect();
    const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp'), batchIds: 4_000 });
    const running = sync.sync({ datasets: ['telemetry'] });
    const outcome = running.then(
      () => null,
      (err: unknown) => err,
    );
    // Wait until at least one batch is committed, then kill the backend serving the COPY.
    let killed = 0;
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    for (let i = 0; i < 5000 && killed === 0 && !settled; i++) {
      const wm = await queryNumber(duck, "SELECT watermark FROM _workbench.mirror_state WHERE dataset = 'telemetry'");
      if (wm > 0) {
        killed = await pgCount(
          "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()",
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(killed).toBe(1);
    expect(await outcome).toMatchObject({ code: 'HOT_UNAVAILABLE' });
    const partial = await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry');
    const high = await pgCount('SELECT max(ingest_id) AS n FROM telemetry');
    const wm = await queryNumber(duck, "SELECT watermark FROM _workbench.mirror_state WHERE dataset = 'telemetry'");
    expect(wm).toBeGreaterThan(0);
    expect(wm).toBeLessThan(high);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(report.promised.telemetry.hot);
    // Committed batches hold exactly the rows up to the watermark.
    expect(await queryNumber(duck, `SELECT count(*) FROM hot.telemetry WHERE ingest_id > ${wm}`)).toBe(0);

    const again = await sync.sync({ datasets: ['telemetry'] });
    expect(again.datasets[0].rows).toBe(report.promised.telemetry.hot - partial);
    expect(await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry')).toBe(report.promised.telemetry.hot);
    expect(
      await queryNumber(duck, 'SELECT count(*) FROM (SELECT battery_id, ts FROM hot.telemetry GROUP BY ALL HAVING count(*) > 1)'),
    ).toBe(0);
    conn.closeSync();
  });

  it('picks up new rows and repairs days where PostgreSQL deleted or late-committed rows', async () => {
    const split = report.window.split;
    await hot.withClient(async (c) => {
      // A delete the change log does not see (the archiver's, made with logging off): the day counts catch it.
      await c.query('BEGIN');
      await c.query(SKIP_CHANGE_LOG_SQL);
      await c.query(`DELETE FROM telemetry WHERE battery_id = 7 AND ts < $1::timestamptz + interval '1 day'`, [split]);
      await c.query('COMMIT');
      await c.query(
        `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) VALUES (99999, $1::timestamptz + interval '1 hour', 13.5, 25.0, 3.2)`,
        [split],
      );
    });
    const r = await wb.data.syncNow(['telemetry']);
    expect(r.datasets[0].repairedDays).toEqual([split.slice(0, 10)]);
    const pgTotal = await pgCount('SELECT count(*) AS n FROM telemetry');
    expect(await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry')).toBe(pgTotal);
    expect(await queryNumber(duck, "SELECT count(*) FROM telemetry WHERE battery_id = 99999 AND tier = 'hot'")).toBe(1);
  });

  it('serves from the mirror with PostgreSQL stopped, and says the hot store is unreachable', async () => {
    const before = await queryNumber(duck, 'SELECT count(*) FROM telemetry');
    await hot.embedded?.stop();
    expect(await queryNumber(duck, 'SELECT count(*) FROM telemetry')).toBe(before);
    await expect(wb.data.syncNow(['telemetry'])).rejects.toMatchObject({ code: 'HOT_UNAVAILABLE' });
    const status = await wb.data.status();
    expect(status.hot.reachable).toBe(false);
    expect(status.hot.error).toBeTruthy();
    expect(status.datasets.find((d) => d.name === 'telemetry')?.hot.rows).toBeGreaterThan(0);
    await hot.embedded?.start();
  });
});
