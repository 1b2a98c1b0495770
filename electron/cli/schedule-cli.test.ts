import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleInfo, ScheduleRun } from '../../shared/api/schedule';
import { ScheduleStore } from '../core/schedule/schedule-store';
import { HOLD_AT_ENV, HOLD_FILE_ENV } from '../core/system/hold-point';
import { runCli, startCli, type CliProcess } from '../core/testing/cli-process.fixture';
import { openWorkbench } from '../core/workbench';

/** No PostgreSQL in these runs: the scheduler, the workspace database and the rollups are what is tested. */
const ENV = { BATTERY_WORKBENCH_HOT: 'off' };

interface RunOnce {
  held: boolean;
  message?: string;
  runs: ScheduleRun[];
}

const made: string[] = [];
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A new workspace where `jobs` are enabled hourly since two hours ago: the last full hour's slot is due. */
async function workspaceWithDue(jobs: string[]): Promise<{ ws: string; slot: string }> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-cli-sched-'));
  made.push(ws);
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    const store = new ScheduleStore(wb.engine);
    const since = new Date(Date.now() - 2 * 3_600_000).toISOString();
    for (const job of jobs) {
      const current = (await store.schedules()).get(job);
      if (!current) throw new Error(`no schedule for ${job}`);
      await store.put({ ...current, cron: '0 * * * *', timeZone: 'UTC', enabled: true, since, updatedAt: since });
    }
  } finally {
    await wb.close();
  }
  const hour = new Date();
  hour.setUTCMinutes(0, 0, 0);
  return { ws, slot: hour.toISOString() };
}

async function history(ws: string): Promise<ScheduleRun[]> {
  const r = await runCli(['schedule', 'history', '--json', '--workspace', ws], ENV);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { runs: ScheduleRun[] }).runs;
}

async function waitForStderr(cli: CliProcess, re: RegExp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!re.test(cli.stderr())) {
    if (Date.now() > until) throw new Error(`No ${String(re)} on stderr:\n${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('battery-workbench schedule (real DuckDB, real processes)', () => {
  it('run --once --json runs what is due, once, and exits 0; a failed job exits 1', async () => {
    const { ws, slot } = await workspaceWithDue(['rollups']);
    const first = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as RunOnce;
    expect(out.held).toBe(false);
    expect(out.runs.map((r) => [r.job, r.slot, r.trigger, r.outcome])).toEqual([['rollups', slot, 'schedule', 'done']]);
    expect(out.runs[0].jobId).toMatch(/^rollups-/);

    const again = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as RunOnce).runs).toEqual([]);

    const list = await runCli(['schedule', 'list', '--json', '--workspace', ws], ENV);
    const rollups = (JSON.parse(list.stdout) as { schedules: ScheduleInfo[] }).schedules.find((s) => s.job === 'rollups');
    expect(rollups).toMatchObject({ enabled: true, cron: '0 * * * *', dueSlot: null, lastRun: { slot, outcome: 'done' } });

    // The archive needs PostgreSQL, which this run has none of: the job fails, the history says why, the exit is 1.
    const set = await runCli(['schedule', 'set', '--job', 'archive', '--enable', '--json', '--workspace', ws], ENV);
    expect(set.code, set.stderr).toBe(0);
    const noSlotYet = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect((JSON.parse(noSlotYet.stdout) as RunOnce).runs).toEqual([]);
    const failing = await workspaceWithDue(['archive']);
    const failed = await runCli(['schedule', 'run', '--once', '--json', '--workspace', failing.ws], ENV);
    expect(failed.code).toBe(1);
    const [run] = (JSON.parse(failed.stdout) as RunOnce).runs;
    expect(run).toMatchObject({ job: 'archive', outcome: 'failed', slot: failing.slot });
    expect(run.message).toMatch(/without a PostgreSQL hot store/);
  }, 180_000);

  it('two processes never run the same job at once: the second finds the workspace held and runs nothing', async () => {
    const { ws, slot } = await workspaceWithDue(['rollups']);
    const holdFile = join(ws, 'hold');
    await writeFile(holdFile, '');
    const first = startCli(['schedule', 'run', '--once', '--json', '--workspace', ws], {
      ...ENV,
      [HOLD_AT_ENV]: 'rollups:refresh',
      [HOLD_FILE_ENV]: holdFile,
    });
    // The first process holds the job mid-way (its rollup refresh waits at the hold point).
    await waitForStderr(first, /rollups: started/);

    const second = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect(second.code, second.stderr).toBe(3);
    const held = JSON.parse(second.stdout) as RunOnce;
    expect(held.held).toBe(true);
    expect(held.runs).toEqual([]);
    expect(held.message).toMatch(/^Nothing ran: The workspace .* is in use by the command line/);

    await rm(holdFile);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect((JSON.parse(done.stdout) as RunOnce).runs.map((r) => [r.job, r.slot, r.outcome])).toEqual([['rollups', slot, 'done']]);

    // Once the first has closed, the second opens the workspace: the slot has run, nothing is due.
    const after = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as RunOnce).runs).toEqual([]);
    expect((await history(ws)).map((r) => [r.job, r.slot, r.outcome])).toEqual([['rollups', slot, 'done']]);
  }, 180_000);

  it('kill -9 mid-job: the next run records it as interrupted and does not run its slot again', async () => {
    const { ws, slot } = await workspaceWithDue(['rollups']);
    const holdFile = join(ws, 'hold');
    await writeFile(holdFile, '');
    const victim = startCli(['schedule', 'run', '--once', '--json', '--workspace', ws], {
      ...ENV,
      [HOLD_AT_ENV]: 'rollups:refresh',
      [HOLD_FILE_ENV]: holdFile,
    });
    await waitForStderr(victim, /rollups: started/);
    victim.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');

    const next = await runCli(['schedule', 'run', '--once', '--json', '--workspace', ws], ENV);
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as RunOnce).runs).toEqual([]);
    const runs = await history(ws);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ job: 'rollups', slot, outcome: 'failed' });
    expect(runs[0].message).toMatch(/^Interrupted: process \d+ on .* ended while it ran/);
  }, 180_000);

  it('set refuses a bad cron expression or time zone with the reason, and stores nothing', async () => {
    const { ws } = await workspaceWithDue([]);
    const badCron = await runCli(['schedule', 'set', '--job', 'features', '--cron', '0 2 * *', '--workspace', ws], ENV);
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toMatch(/"0 2 \* \*" is not a cron expression: give 5 fields/);
    const badZone = await runCli(['schedule', 'set', '--job', 'features', '--enable', '--tz', 'Berlin', '--workspace', ws], ENV);
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toMatch(/"Berlin" is not a time zone/);
    const list = await runCli(['schedule', 'list', '--json', '--workspace', ws], ENV);
    const features = (JSON.parse(list.stdout) as { schedules: ScheduleInfo[] }).schedules.find((s) => s.job === 'features');
    expect(features).toMatchObject({ enabled: false, cron: '30 3 * * *', timeZone: 'UTC' });
    const usage = await runCli(['schedule', 'run', '--job', 'x', '--workspace', ws], ENV);
    expect(usage.code).toBe(2);
  }, 120_000);

  it('run without --once keeps ticking, prints each run as a JSON line, and stops on Ctrl+C', async () => {
    const { ws, slot } = await workspaceWithDue(['rollups']);
    const cli = startCli(['schedule', 'run', '--json', '--workspace', ws], ENV);
    await cli.waitForOutput(/"outcome":"done"/);
    cli.interrupt();
    const end = await cli.done;
    expect(end.code, end.stderr).toBe(0);
    const lines = end.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScheduleRun);
    expect(lines.map((r) => [r.job, r.slot, r.outcome])).toEqual([['rollups', slot, 'done']]);
  }, 120_000);
});
