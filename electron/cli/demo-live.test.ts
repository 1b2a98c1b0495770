import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { queryNumber } from '../core/engine/duck-query';
import { demoWorkspace, runCli, startCli } from '../core/testing/cli-process.fixture';
import { openWorkbench } from '../core/workbench';

const made: string[] = [];

afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('demo --live', () => {
  it('refuses a bad --speed, and --speed without --live, with a clear message before touching the workspace', async () => {
    for (const [args, message] of [
      [['--live', '--speed', '0'], /--speed: The live feed's speed must be a number above 0/],
      [['--live', '--speed', 'fast'], /not "fast"/],
      [['--live', '--speed=-5'], /not "-5"/],
      [['--live', '--speed', '100000'], /at most 3600/],
      [['--speed', '60'], /--speed goes with --live/],
    ] as const) {
      const r = await runCli(['demo', ...args, '--workspace', '/nonexistent/never-created']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  it('--speed 60 feeds the existing demo fleet until Ctrl+C; the next sync shows the new rows', async () => {
    const ws = await demoWorkspace(made, 2, 0);
    const before = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
    let lastDemoTs: number;
    let jars: number;
    try {
      const conn = await before.engine.connect();
      lastDemoTs = await queryNumber(conn, 'SELECT epoch_ms(max(ts)) FROM hot.telemetry');
      jars = await queryNumber(conn, 'SELECT count(*) FROM hot.battery');
      conn.closeSync();
    } finally {
      await before.close();
    }

    const startedAt = Date.now();
    const cli = startCli(['demo', '--live', '--speed', '60', '--workspace', ws]);
    // Two ticks: the first at once, the second 5 s later (readings every 5 s).
    await cli.waitForOutput(/(jar \+ \d+ string readings[^\n]*\n[\s\S]*){2}/, 240_000);
    cli.interrupt();
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Live feed at 60x: readings for the whole fleet every 5\.00 s/);
    // No new demo: the existing fleet was fed.
    expect(run.stdout).not.toMatch(/Demo fleet \(/);
    const ticks = Number(/Live feed stopped: (\d+) ticks/.exec(run.stdout)?.[1]);
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toMatch(/alerts \+1/);

    const after = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
    try {
      await after.data.syncNow();
      const conn = await after.engine.connect();
      const fed = await queryNumber(conn, `SELECT count(*) FROM telemetry WHERE ts > make_timestamptz(${lastDemoTs} * 1000)`);
      expect(fed).toBe(ticks * jars);
      const slots = await queryNumber(
        conn,
        `SELECT count(DISTINCT ts) FROM string_telemetry WHERE ts > make_timestamptz(${lastDemoTs} * 1000)`,
      );
      expect(slots).toBe(ticks);
      // The fed readings are stamped when written: after the demo's last reading, never ahead of the clock.
      const fedFrom = await queryNumber(conn, `SELECT epoch_ms(min(ts)) FROM telemetry WHERE ts > make_timestamptz(${lastDemoTs} * 1000)`);
      const fedTo = await queryNumber(conn, `SELECT epoch_ms(max(ts)) FROM telemetry`);
      expect(fedFrom).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(fedTo).toBeLessThanOrEqual(Date.now());
      expect(
        await queryNumber(
          conn,
          `SELECT count(*) FROM alert WHERE alert_type = 'temperature_high' AND raised_at > make_timestamptz(${lastDemoTs} * 1000)`,
        ),
      ).toBeGreaterThanOrEqual(1);
      conn.closeSync();
    } finally {
      await after.close();
    }
  }, 600_000);
});
