import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { RetentionPlan, RetentionReport } from '../../shared/api/lifecycle';
import { FIXTURE, fixtureWorkspace as seedWorkspace } from '../core/rollups/fleet-fixture';
import { lakeCheck, runCli } from '../core/testing/cli-process.fixture';

const DAY = 86_400_000;
const coldDays = Array.from({ length: FIXTURE.coldDays }, (_, d) => new Date(FIXTURE.startMs + d * DAY).toISOString().slice(0, 10));
const ROWS_PER_DAY = 6 * 288;
const made: string[] = [];

function fixtureWorkspace(): Promise<string> {
  return seedWorkspace('bw-cli-lifecycle-', made);
}

/** Per UTC day: rows of the unified view and readings of the jar rollups (with a digest of the rollup rows). */
const PER_DAY_SQL =
  `SELECT d, coalesce(r.n, 0) AS raw, coalesce(g.n, 0) AS gold, g.h AS digest FROM ` +
  `(SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, count(*) AS n FROM telemetry GROUP BY 1) r ` +
  `FULL JOIN (SELECT strftime(bucket AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, sum(n) AS n, sum(hash(COLUMNS(*)))::VARCHAR AS h FROM gold.jar_hourly GROUP BY 1) g USING (d) ORDER BY d`;

async function perDay(ws: string): Promise<{ d: string; raw: number; gold: number; digest: string }[]> {
  const r = await runCli(['query', PER_DAY_SQL, '--json', '--workspace', ws]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { d: string; raw: number; gold: number; digest: string }[];
}

/** What every day must look like once the cold days are retired: no raw rows, their rollups as they were. */
function retired(before: Awaited<ReturnType<typeof perDay>>): Awaited<ReturnType<typeof perDay>> {
  return before.map((x) => (coldDays.includes(x.d) ? { ...x, raw: 0 } : x));
}

describe('battery-workbench lifecycle (real DuckDB, real process)', () => {
  afterAll(async () => {
    for (const ws of made) await rm(ws, { recursive: true, force: true });
  });

  it('sets a policy, dry-runs, refuses bad usage with exit 2, and deletes only with --apply', async () => {
    const ws = await fixtureWorkspace();
    for (const [args, why] of [
      [['lifecycle', 'retention'], /needs --dataset D/],
      [['lifecycle', 'policy', '--dataset', 'telemetry', '--legal-hold', 'maybe'], /--legal-hold takes on or off, not maybe/],
      [['lifecycle', 'policy', '--dataset', 'telemetry', '--retain-days', '0'], /--retain-days must be a whole number of days, 1 or more/],
      [['lifecycle', 'policy', '--retain-days', '30'], /needs --dataset D/],
      [['lifecycle', 'policy', '--apply'], /--apply/],
    ] as const) {
      const r = await runCli([...args, '--workspace', ws]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    const set = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--retain-days', '365', '--workspace', ws]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/telemetry\s+│?\s*job default\s+│?\s*-\s+│?\s*365 days/);
    const before = await perDay(ws);
    const dry = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--workspace', ws]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/3 day\(s\) of telemetry before \d{4}-\d{2}-\d{2} would be deleted \(5,184 rows, 3 file\(s\)/);
    for (const d of coldDays) expect(dry.stdout).toContain(d);
    expect(await perDay(ws)).toEqual(before);

    const applied = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--apply', '--json', '--workspace', ws]);
    expect(applied.code, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as RetentionReport;
    expect(report).toMatchObject({ dataset: 'telemetry', days: coldDays, rows: 3 * ROWS_PER_DAY, files: 3, kept: [] });
    expect(await perDay(ws)).toEqual(retired(before));
    expect((await lakeCheck(ws)).problems).toEqual([]);
    const again = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(again.code, again.stderr).toBe(0);
    const plan = JSON.parse(again.stdout) as RetentionPlan;
    expect(plan.days).toEqual([]);
    expect(plan.retired).toEqual({ days: 3, first: coldDays[0], last: coldDays[2] });
  }, 240_000);

  it('killed at every step, the lake check names the unfinished retention, the repair or the next run finishes it, and nothing else changes', async () => {
    for (const step of ['hide', 'withdraw', 'unhide']) {
      const ws = await fixtureWorkspace();
      const set = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--retain-days', '365', '--workspace', ws]);
      expect(set.code, set.stderr).toBe(0);
      const before = await perDay(ws);
      const killed = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--apply', '--workspace', ws], {
        BW_KILL_AT: `retention:${step}`,
      });
      expect(killed.signal, `retention:${step}: ${killed.stderr}`).toBe('SIGKILL');
      // Before the hide nothing shows any different; from the hide on, the days are gone from the views and their rollups kept.
      expect(await perDay(ws), `after a kill at retention:${step}`).toEqual(step === 'hide' ? before : retired(before));
      const found = await lakeCheck(ws);
      expect(found.problems.map((p) => p.kind)).toContain('unfinished-job');
      expect(found.problems.find((p) => p.kind === 'unfinished-job')?.detail).toMatch(
        /^retention retention-[\w-]+ stopped at "(planned|withdrawing)"/,
      );
      if (step === 'unhide') {
        // The next run finishes it before it plans anything.
        const next = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--apply', '--json', '--workspace', ws]);
        expect(next.code, next.stderr).toBe(0);
      } else {
        const repaired = await lakeCheck(ws, ['--repair']);
        expect(repaired.repaired.join('\n'), JSON.stringify(repaired)).toMatch(step === 'hide' ? /planned → undone/ : /withdrawing → done/);
        expect(repaired.problems).toEqual([]);
        expect(await perDay(ws)).toEqual(step === 'hide' ? before : retired(before));
        const next = await runCli(['lifecycle', 'retention', '--dataset', 'telemetry', '--apply', '--json', '--workspace', ws]);
        expect(next.code, next.stderr).toBe(0);
      }
      expect(await perDay(ws), `in the end (retention:${step})`).toEqual(retired(before));
      expect((await lakeCheck(ws)).problems, `in the end (retention:${step})`).toEqual([]);
      await rm(ws, { recursive: true, force: true });
    }
  }, 600_000);
});
