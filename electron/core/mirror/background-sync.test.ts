import { spawn } from 'node:child_process';
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import { queryNumber } from '../engine/duck-query';
import { HotStore } from '../hot/hot-store';
import { openWorkbench, type Workbench } from '../workbench';

const ROOT = resolve(__dirname, '../../..');

let dir: string;
let wb: Workbench;
let duck: DuckDBConnection;
let dataDir: string | null = null;
const events: { event: string; reason: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-bgsync-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'lazy', backgroundSync: { intervalSeconds: 1 } } });
  wb.events.on((event, payload) => {
    if (event === 'data.status' || event === 'catalog.changed') events.push({ event, reason: (payload as { reason: string }).reason });
  });
  const summary = (await wb.demo.start({ scale: 'small', daysHot: 1, daysCold: 1 }).done) as JobSummary;
  expect(summary.error).toBeNull();
  dataDir = (await wb.data.hotStore()).info.dataDir;
  duck = await wb.engine.connect();
});

afterAll(async () => {
  duck?.closeSync();
  await wb?.close();
  await rm(dir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function insertReading(batteryId: number): Promise<void> {
  const hot = await wb.data.hotStore();
  await hot.withClient((c) =>
    c.query(
      `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) SELECT $1, max(ts) + interval '5 minutes', 13.4, 24.0, 3.2 FROM telemetry`,
      [batteryId],
    ),
  );
}

const shown = (batteryId: number): Promise<number> =>
  queryNumber(duck, 'SELECT count(*) FROM telemetry WHERE battery_id = $1', [batteryId]);

/** Polls until `check` holds (or the time is up); returns whether it did. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/index.ts'), ...args], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('background sync', () => {
  it('brings a new reading into the unified view without any manual sync, and says when it ran', async () => {
    await insertReading(99991);
    expect(await eventually(async () => (await shown(99991)) === 1, 15_000)).toBe(true);
    // The run's status lands when its refresh is done, just after the rows.
    expect(await eventually(async () => (await wb.data.status()).background?.lastRunAt != null, 5000)).toBe(true);
    const bg = (await wb.data.status()).background;
    expect(bg?.intervalSeconds).toBe(1);
    expect(bg?.lastRunAt).not.toBeNull();
    expect(bg?.lastError).toBeNull();
    expect(events.some((e) => e.event === 'data.status' && e.reason === 'background-sync')).toBe(true);
  });

  it('refreshes the views only when something changed', async () => {
    // Let the run that brought the reading and the rollups it started finish (on a busy machine that takes a
    // while), then let one more run start and end after them; then watch two runs with nothing new.
    await wb.rollups.whenIdle();
    const settled = events.length;
    expect(await eventually(async () => events.slice(settled).some((e) => e.reason === 'background-sync'), 30_000)).toBe(true);
    await wb.rollups.whenIdle();
    const before = events.length;
    const runs = (): number => events.slice(before).filter((e) => e.reason === 'background-sync').length;
    expect(await eventually(async () => runs() >= 2, 30_000)).toBe(true);
    // No view refresh ('data'); rollups a refresh before may still be finishing.
    expect(events.slice(before).filter((e) => e.event === 'catalog.changed' && e.reason === 'data')).toEqual([]);
  });

  it('pauses while a long exclusive job holds the mirror, and catches up when it ends', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const job = wb.jobs.start('compact', () => gate, { exclusive: true });
    try {
      await insertReading(99992);
      // The next run comes one interval after the last, or later on a busy machine: it finds the job and pauses.
      const paused = await eventually(async () => (await wb.data.status()).background?.state === 'paused', 30_000);
      expect(paused, JSON.stringify((await wb.data.status()).background)).toBe(true);
      expect((await wb.data.status()).background).toMatchObject({ state: 'paused', pausedBy: 'compact' });
      expect(await shown(99992)).toBe(0);
      expect(events.some((e) => e.reason === 'paused')).toBe(true);
    } finally {
      // A failed expectation must not leave the mirror held for the tests after this one.
      release();
      await job.done;
    }
    expect(await eventually(async () => (await shown(99992)) === 1, 15_000)).toBe(true);
    expect((await wb.data.status()).background?.state).not.toBe('paused');
  });

  it('waits while PostgreSQL is unreachable, then resumes; an interval of 0 turns it off, a write from the SQL editor still syncs', async () => {
    const hot = await wb.data.hotStore();
    await hot.embedded?.stop();
    try {
      // The next run comes one interval after the last, or four times the last run's length when that is longer
      // (a busy machine stretches it): wait as long as the resume below does.
      const waiting = await eventually(async () => (await wb.data.status()).background?.state === 'waiting', 30_000);
      expect(waiting, JSON.stringify((await wb.data.status()).background)).toBe(true);
      expect((await wb.data.status()).background?.lastError).toMatch(/PostgreSQL/);
    } finally {
      await hot.embedded?.start();
    }
    await insertReading(99993);
    expect(await eventually(async () => (await shown(99993)) === 1, 30_000)).toBe(true);
    expect(await eventually(async () => (await wb.data.status()).background?.lastError === null, 5000)).toBe(true);

    // Saved in the settings, applied at once; saving the stores keeps it.
    const set = await wb.dispatch('settings.setSyncInterval', { intervalSeconds: 0 }, { transport: 'test' });
    expect(set.ok).toBe(true);
    expect((await wb.data.status()).background).toMatchObject({ state: 'off', intervalSeconds: 0, nextRunAt: null });
    expect(JSON.parse(await readFile(wb.paths.settings, 'utf8'))).toMatchObject({
      hot: { kind: 'embedded' },
      sync: { intervalSeconds: 0 },
    });
    expect((await wb.dispatch('settings.set', { hot: { kind: 'embedded' } }, { transport: 'test' })).ok).toBe(true);
    expect(JSON.parse(await readFile(wb.paths.settings, 'utf8')).sync).toEqual({ intervalSeconds: 0 });
    const bad = await wb.dispatch('settings.setSyncInterval', { intervalSeconds: -5 }, { transport: 'test' });
    expect(bad.ok).toBe(false);
    // A write from the SQL editor still reaches the views at once: it starts a sync of its own.
    const sql =
      "INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) SELECT 99996, max(ts) + interval '5 minutes', 13.3, 23.0, 3.3 FROM telemetry";
    const wrote = await wb.dispatch('query.run', { sql, target: 'hot', runId: 'bg-write', allowWrites: true }, { transport: 'test' });
    expect(wrote.ok).toBe(true);
    expect(await eventually(async () => (await shown(99996)) === 1, 30_000)).toBe(true);
    // A reading written any other way waits for a sync.
    await insertReading(99994);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await shown(99994)).toBe(0);
  });
});

describe('query --sync', () => {
  it('syncs the mirror from PostgreSQL before running; without it the CLI reads the mirror as last synced', async () => {
    duck.closeSync();
    await wb.close();
    // A reading arrives while no workbench is open.
    const hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
    try {
      await hot.withClient((c) =>
        c.query(
          "INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) SELECT 99995, max(ts) + interval '5 minutes', 13.1, 22.0, 3.4 FROM telemetry",
        ),
      );
    } finally {
      await hot.close();
    }
    const sql = 'SELECT count(*) FILTER (WHERE battery_id = 99994) AS a, count(*) FILTER (WHERE battery_id = 99995) AS b FROM telemetry';
    const stale = await runCli(['query', sql, '--json', '--workspace', dir]);
    expect(stale.code, stale.stderr).toBe(0);
    expect(JSON.parse(stale.stdout)).toEqual([{ a: 0, b: 0 }]);
    const fresh = await runCli(['query', sql, '--json', '--sync', '--workspace', dir]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toEqual([{ a: 1, b: 1 }]);
    const bad = await runCli(['query', 'SELECT 1', '--sync', '--on', 'hot', '--workspace', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sync refreshes the workspace mirror/);
    const help = await runCli(['query', '--help']);
    expect(help.stdout).toMatch(/--sync {14}Sync the local mirror from PostgreSQL first/);
  });
});
