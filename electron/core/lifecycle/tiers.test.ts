import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScheduleRun } from '../../../shared/api/schedule';
import { fixtureWorkspace } from '../rollups/fleet-fixture';
import { openWorkbench } from '../workbench';
import { tierStepsProblem } from './tiers';

const made: string[] = [];

describe('lake tier policies', () => {
  afterAll(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });

  it('refuses steps that are not colder step by step, later step by step, or not the lake’s', () => {
    const s3 = { kind: 's3' as const, tiers: ['STANDARD', 'STANDARD_IA', 'GLACIER_IR'] };
    const local = { kind: 'local' as const, tiers: ['standard'] };
    expect(tierStepsProblem(s3, [])).toBeNull();
    expect(
      tierStepsProblem(s3, [
        { tier: 'STANDARD_IA', afterDays: 30 },
        { tier: 'GLACIER_IR', afterDays: 90 },
      ]),
    ).toBeNull();
    expect(tierStepsProblem(s3, [{ tier: 'STANDARD', afterDays: 30 }])).toMatch(/"STANDARD" is not a colder tier/);
    expect(tierStepsProblem(s3, [{ tier: 'DEEP_ARCHIVE', afterDays: 30 }])).toMatch(/colder tiers are STANDARD_IA, GLACIER_IR/);
    expect(
      tierStepsProblem(s3, [
        { tier: 'GLACIER_IR', afterDays: 30 },
        { tier: 'STANDARD_IA', afterDays: 90 },
      ]),
    ).toMatch(/must go colder step by step/);
    expect(
      tierStepsProblem(s3, [
        { tier: 'STANDARD_IA', afterDays: 90 },
        { tier: 'GLACIER_IR', afterDays: 30 },
      ]),
    ).toMatch(/must come later than the one before/);
    expect(tierStepsProblem(local, [{ tier: 'archive', afterDays: 30 }])).toMatch(/set an archive folder for it in Settings/);
  });

  it('the scheduled lifecycle job moves what the policies say, and says so in the schedule history; a second run moves nothing', async () => {
    const ws = await fixtureWorkspace('bw-tiers-', made);
    const archive = await mkdtemp(join(tmpdir(), 'bw-tiers-archive-'));
    made.push(archive);
    await writeFile(
      join(ws, 'settings.json'),
      JSON.stringify({
        hot: { kind: 'embedded' },
        lake: { archivePath: archive },
        lifecycle: { telemetry: { tiers: [{ tier: 'archive', afterDays: 30 }] } },
      }),
    );
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const ctx = { transport: 'test' } as const;
      /** Run now, then wait for its line in the history to end. */
      const runNow = async (): Promise<ScheduleRun> => {
        const started = await wb.core.schedule.runNow({ job: 'lifecycle' }, ctx);
        for (let i = 0; i < 600; i++) {
          const run = (await wb.core.schedule.history({ job: 'lifecycle', limit: 5 }, ctx)).runs.find((r) => r.runId === started.runId);
          if (run && run.outcome !== 'running') return run;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('the lifecycle run did not end in 60 s');
      };
      const first = await runNow();
      expect(first.outcome, first.message).toBe('done');
      expect(first.message).toMatch(/^Moved 3 file\(s\) \(.+\) to colder tiers: telemetry 3 → archive\.$/);
      expect((await readdir(join(archive, 'telemetry'))).sort()).toEqual(['date=2024-03-01', 'date=2024-03-02', 'date=2024-03-03']);
      const second = await runNow();
      expect(second.message).toBe('Every file is in the tier its policy says.');
      const history = await wb.core.schedule.history({ job: 'lifecycle', limit: 5 }, ctx);
      expect(history.runs.map((r: ScheduleRun) => r.outcome)).toEqual(['done', 'done']);
    } finally {
      await wb.close();
    }
  }, 180_000);
});
