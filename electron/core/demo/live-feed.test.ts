import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataStatus, LiveFeedStatus } from '../../../shared/api/data';
import { queryNumber, queryRows } from '../engine/duck-query';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import { liveFeedProblem, parseLiveSpeed } from './live-feed';

let demo: DemoWorkbench;

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-live-feed-', { scale: 'small', daysHot: 2, daysCold: 0 });
  expect(demo.summary.state).toBe('done');
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

async function call<T>(channel: string, request: Record<string, unknown>): Promise<T> {
  const res = await demo.wb.dispatch(channel, request, { transport: 'test' });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

async function feedStatus(): Promise<LiveFeedStatus> {
  const status = await call<DataStatus>('data.status', {});
  if (!status.liveFeed) throw new Error('data.status has no liveFeed');
  return status.liveFeed;
}

/** Polls data.status until `ok` holds (the feed ticks on its own clock). */
async function waitForFeed(ok: (s: LiveFeedStatus) => boolean, timeoutMs = 120_000): Promise<LiveFeedStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await feedStatus();
    if (ok(s)) return s;
    if (Date.now() > until) throw new Error(`The live feed never got there: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hotCount = (sql: string): Promise<number> => demo.hot.withClient(async (c) => Number((await c.query<{ n: string }>(sql)).rows[0]?.n));

describe('the live demo feed from Settings', () => {
  it('is off by default', async () => {
    expect((await feedStatus()).state).toBe('off');
  });

  it('on: the workbench starts the feed, the next sync shows its rows; off: it stops', async () => {
    const end = await queryNumber(demo.duck, 'SELECT epoch_ms(max(ts)) FROM hot.telemetry');
    const jars = await queryNumber(demo.duck, 'SELECT count(*) FROM hot.battery');
    await call('settings.setLiveFeed', { enabled: true, speed: 600 });
    const saved = JSON.parse(await readFile(demo.wb.paths.settings, 'utf8')) as { liveFeed?: unknown };
    expect(saved.liveFeed).toEqual({ enabled: true, speed: 600 });
    const running = await waitForFeed((s) => s.state === 'running' && s.ticks >= 2);
    expect(running.speed).toBe(600);
    expect(running.alertsRaised).toBeGreaterThanOrEqual(1);

    await call('settings.setLiveFeed', { enabled: false, speed: 600 });
    const off = await waitForFeed((s) => s.state === 'off');
    expect(off.speed).toBe(600);
    // Stopped: nothing more arrives (at 600x a tick would come every 0.5 s).
    const rows = await hotCount('SELECT count(*) AS n FROM telemetry');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await hotCount('SELECT count(*) AS n FROM telemetry')).toBe(rows);

    // The next sync shows every fed reading and the alerts raised.
    await call('data.sync', {});
    const fed = await queryNumber(demo.duck, `SELECT count(*) FROM telemetry WHERE ts > make_timestamptz(${end} * 1000)`);
    expect(fed).toBeGreaterThanOrEqual(2 * jars);
    expect(fed % jars).toBe(0);
    expect(fed).toBe(await hotCount(`SELECT count(*) AS n FROM telemetry WHERE ts > to_timestamp(${end / 1000})`));
    // Each tick also read every battery-room sensor; a room's temperature is its strings' ambient.
    const sensors = await queryNumber(demo.duck, 'SELECT count(*) FROM environmental_sensor');
    const room = await queryRows(
      demo.duck,
      `SELECT count(*) AS n, max(abs(e.value - a.ambient)) AS gap FROM environmental_telemetry e
       JOIN environmental_sensor s USING (sensor_id)
       LEFT JOIN (SELECT y.location_id, x.ts, avg(x.ambient_c)::DOUBLE AS ambient FROM string_telemetry x
         JOIN battery_string st USING (string_id) JOIN battery_system y USING (system_id) GROUP BY ALL) a
         ON a.location_id = s.location_id AND a.ts = e.ts AND s.sensor_type = 'temperature'
       WHERE e.ts > make_timestamptz(${end} * 1000)`,
    );
    expect(sensors).toBeGreaterThan(0);
    expect(Number(room[0].n)).toBe((fed / jars) * sensors);
    expect(Number(room[0].gap)).toBeLessThan(0.5);
    expect(await queryNumber(demo.duck, `SELECT count(*) FROM alert WHERE raised_at > make_timestamptz(${end} * 1000)`)).toBe(
      await hotCount(`SELECT count(*) AS n FROM alert WHERE raised_at > to_timestamp(${end / 1000})`),
    );
    expect(await queryNumber(demo.duck, `SELECT count(*) FROM alert WHERE raised_at > make_timestamptz(${end} * 1000)`)).toBeGreaterThan(0);
  }, 300_000);

  it('refuses a speed that is not a positive number, and saves nothing', async () => {
    for (const speed of [0, -1, 1e9]) {
      const res = await demo.wb.dispatch('settings.setLiveFeed', { enabled: true, speed }, { transport: 'test' });
      expect(res.ok).toBe(false);
    }
    expect((await feedStatus()).state).toBe('off');
    expect(() => parseLiveSpeed('abc')).toThrow(/number above 0/);
    expect(() => parseLiveSpeed('')).toThrow(/number above 0/);
    expect(parseLiveSpeed(' 60 ')).toBe(60);
    expect(parseLiveSpeed('0.5')).toBe(0.5);
  });

  it('never feeds a fleet that is not the demo', async () => {
    await demo.hot.withClient(async (c) => {
      expect(await liveFeedProblem(c)).toBeNull();
      await c.query('BEGIN');
      await c.query("UPDATE battery SET serial_no = 'SITE-REAL-1' WHERE battery_id = 1");
      expect(await liveFeedProblem(c)).toMatch(/not the demo/);
      await c.query('ROLLBACK');
    });
  });
});
