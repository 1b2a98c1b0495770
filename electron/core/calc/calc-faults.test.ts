import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../shared/domain/demo-fleet';
import { queryRows } from '../engine/duck-query';
import { fixtureWorkspace } from '../rollups/fleet-fixture';
import { lakeCheck, startScript, withTestWorkbench, type CliRun } from '../testing/cli-process.fixture';
import { CALC_COLUMNS } from './calc-sql';
import type { CalcRefreshReport } from './calc-refresh';

const RUN = join(import.meta.dirname, 'calc-run.fixture.ts');
const made: string[] = [];
let ws: string;

interface Run extends CliRun {
  /** From the line `calculating` (the workspace open) to the process's end, or null when it never got there. */
  calculatingMs: number | null;
}

/**
 * A full recompute in a process of its own, two lake days per publish; SIGKILLed `killAfterMs` after it begins to
 * calculate, if given (start-up, which opens the workspace and writes nothing, is not what the kills are for).
 */
async function recompute(env: Record<string, string> = {}, killAfterMs?: number): Promise<Run> {
  const child = startScript(RUN, [ws], { BATTERY_WORKBENCH_HOT: 'off', ...env });
  let calculating: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  void child
    .waitForOutput(/^calculating$/m)
    .then(() => {
      calculating = Date.now();
      if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    })
    .catch(() => undefined);
  const run = await child.done;
  if (timer) clearTimeout(timer);
  return { ...run, calculatingMs: calculating === null ? null : Date.now() - calculating };
}

/** The report a finished run printed (its last line). */
function reportOf(run: Run): CalcRefreshReport {
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as CalcRefreshReport;
}

/**
 * What the views show of the calculated metrics: the rows and a hash of all of them with their tier, the readings of
 * `telemetry`, the (jar, time) pairs shown twice, and the readings whose metrics are in another tier or missing.
 */
async function shown(): Promise<Record<string, string>> {
  return withTestWorkbench(ws, async (_wb, conn) => {
    const [r] = await queryRows(
      conn,
      `SELECT (SELECT count(*) || ':' || sum(hash(${CALC_COLUMNS.join(', ')}, tier)) FROM calc_telemetry) AS calc, ` +
        '(SELECT count(*) FROM telemetry) AS telemetry, ' +
        '(SELECT count(*) FROM (SELECT battery_id, ts FROM calc_telemetry GROUP BY ALL HAVING count(*) > 1)) AS twice, ' +
        '(SELECT count(*) FROM telemetry t LEFT JOIN calc_telemetry c USING (battery_id, ts) WHERE c.tier IS DISTINCT FROM t.tier) AS astray',
    );
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]));
  });
}

beforeAll(async () => {
  ws = await fixtureWorkspace('bw-calc-faults-', made);
}, 120_000);
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('calculated metrics under kill -9 (real processes, real lake)', () => {
  it('killed at each step of a publish: the views never change, lake check names the job, the next run finishes it', async () => {
    const before = await shown();
    expect(before.twice).toBe('0');
    expect(before.astray).toBe('0');
    expect(before.calc.split(':')[0]).toBe(before.telemetry);
    for (const step of ['publish', 'manifest', 'cleanup']) {
      const killed = await recompute({ BW_KILL_AT: `calc:${step}` });
      expect(killed.signal, `kill at calc:${step}: ${killed.stderr}`).toBe('SIGKILL');
      const check = await lakeCheck(ws);
      expect(
        check.problems.map((p) => p.kind),
        `lake check after a kill at calc:${step}`,
      ).toEqual(['unfinished-job']);
      expect(await shown(), `views after a kill at calc:${step}`).toEqual(before);
      const next = await recompute();
      expect(next.code, next.stderr).toBe(0);
      const report = reportOf(next);
      expect(report.recovered, `what the run after calc:${step} found`).toHaveLength(1);
      expect(report.published).toBe(3);
      expect((await lakeCheck(ws)).problems, `lake check after the run that followed calc:${step}`).toEqual([]);
      expect(await shown()).toEqual(before);
    }
  }, 300_000);

  it('killed at random moments: the views never change, and lake check --repair leaves a clean lake', async () => {
    const before = await shown();
    // How long the calculation takes here (from the workspace open), so the kills land across it: calculation,
    // staging, publish, manifest, views and clean-up. The kills at each step are the test above.
    const timing = await recompute();
    expect(timing.code, timing.stderr).toBe(0);
    const whole = timing.calculatingMs ?? 0;
    const random = seededRandom(20261206);
    for (let i = 0; i < 5; i++) {
      const delay = Math.floor(whole * random());
      const killed = await recompute({}, delay);
      const what = `a kill at ${delay} of ${whole} ms (${killed.signal ?? `exit ${String(killed.code)}`})`;
      expect(await shown(), `views after ${what}`).toEqual(before);
      const check = await lakeCheck(ws);
      expect(
        check.problems.every((p) => p.kind === 'unfinished-job'),
        `lake check after ${what}: ${JSON.stringify(check.problems)}`,
      ).toBe(true);
      const repaired = await lakeCheck(ws, ['--repair']);
      expect(repaired.exitCode, `repair after ${what}: ${repaired.stderr}`).not.toBeNull();
      if (check.problems.length > 0) expect(repaired.repaired, `repair after ${what}`).not.toEqual([]);
      expect((await lakeCheck(ws)).problems, `lake check after the repair that followed ${what}`).toEqual([]);
      expect(await shown()).toEqual(before);
    }
    const last = await recompute();
    expect(last.code, last.stderr).toBe(0);
    expect(reportOf(last).recovered).toEqual([]);
    expect((await lakeCheck(ws)).problems).toEqual([]);
    expect(await shown()).toEqual(before);
  }, 600_000);
});
