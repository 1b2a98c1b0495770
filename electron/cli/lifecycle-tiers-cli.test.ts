import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TierMoveReport, TierPlan } from '../../shared/api/lifecycle';
import { fixtureWorkspace as seedWorkspace } from '../core/rollups/fleet-fixture';
import { lakeCheck, runCli, unifiedViewDigests, withTestWorkbench } from '../core/testing/cli-process.fixture';

const made: string[] = [];

/** A fixture workspace (3 cold days of telemetry in the lake) whose lake has an archive folder. */
async function fixtureWorkspace(): Promise<{ ws: string; archive: string }> {
  const ws = await seedWorkspace('bw-cli-tiers-', made);
  const archive = await mkdtemp(join(tmpdir(), 'bw-cli-tiers-archive-'));
  made.push(archive);
  const settingsFile = join(ws, 'settings.json');
  const settings = JSON.parse(await readFile(settingsFile, 'utf8').catch(() => '{"hot":{"kind":"embedded"}}')) as Record<string, unknown>;
  await writeFile(settingsFile, JSON.stringify({ ...settings, lake: { archivePath: archive } }, null, 2));
  return { ws, archive };
}

/** The Parquet files under a folder, as keys relative to it. */
async function parquetUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile() && e.name.endsWith('.parquet') && !e.name.startsWith('.')) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

async function digests(ws: string): Promise<Record<string, string>> {
  return withTestWorkbench(ws, async (_wb, conn) => unifiedViewDigests(conn));
}

async function telemetryIn(dir: string): Promise<string[]> {
  return (await parquetUnder(dir)).filter((k) => k.startsWith('telemetry/'));
}

describe('battery-workbench lifecycle tiers on a local lake (real DuckDB, real files, real process)', () => {
  afterAll(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });

  it('refuses a tier the lake does not have, dry-runs, and moves to the archive folder only with --apply; the views read it there', async () => {
    const { ws, archive } = await fixtureWorkspace();
    const lake = join(ws, 'lake');
    for (const [args, why] of [
      [['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', 'archive'], /--tiers takes TIER:DAYS/],
      [['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', 'archive:0'], /--tiers takes TIER:DAYS/],
      [['lifecycle', 'policy', '--dataset', 'telemetry', '--hot-days', 'x'], /--hot-days must be a whole number/],
      [['lifecycle', 'tiers', '--retain-days', '3'], /--retain-days/],
    ] as const) {
      const r = await runCli([...args, '--workspace', ws]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    const wrong = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', 'GLACIER_IR:30', '--workspace', ws]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/"GLACIER_IR" is not a colder tier of this lake; its colder tiers are archive/);

    const before = await digests(ws);
    const files = await telemetryIn(lake);
    expect(files.length).toBe(3);
    const set = await runCli([
      'lifecycle',
      'policy',
      '--dataset',
      'telemetry',
      '--tiers',
      'archive:30',
      '--hot-days',
      '3',
      '--workspace',
      ws,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/telemetry\s+│?\s*3 days\s+│?\s*archive after 30d/);
    const dry = await runCli(['lifecycle', 'tiers', '--json', '--workspace', ws]);
    expect(dry.code, dry.stderr).toBe(0);
    const [plan] = (JSON.parse(dry.stdout) as { plans: TierPlan[] }).plans;
    expect(plan.dataset).toBe('telemetry');
    expect(plan.today.map((t) => [t.tier, t.files])).toEqual([
      ['standard', 3],
      ['archive', 0],
    ]);
    expect(plan.applied.map((t) => [t.tier, t.files])).toEqual([
      ['standard', 0],
      ['archive', 3],
    ]);
    expect(plan.moves).toMatchObject([{ tier: 'archive', files: 3, first: '2024-03-01', last: '2024-03-03' }]);
    // The dry run moved nothing.
    expect(await telemetryIn(lake)).toEqual(files);
    expect(await telemetryIn(archive)).toEqual([]);

    const applied = await runCli(['lifecycle', 'tiers', '--apply', '--json', '--workspace', ws]);
    expect(applied.code, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as TierMoveReport;
    expect(report.files).toBe(3);
    expect(report.datasets).toMatchObject([{ dataset: 'telemetry', moves: [{ tier: 'archive', files: 3 }] }]);
    expect(await telemetryIn(lake)).toEqual([]);
    expect(await telemetryIn(archive)).toEqual(files);
    expect(await digests(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
    // The lake's record of the move: a lifecycle manifest naming each file's tier.
    const manifests = await readdir(join(lake, '_manifests', 'telemetry'));
    const record = JSON.parse(
      await readFile(join(lake, '_manifests', 'telemetry', manifests.find((m) => m.startsWith('lifecycle-')) ?? ''), 'utf8'),
    ) as {
      tiers: Record<string, string>;
    };
    expect(Object.entries(record.tiers).sort()).toEqual(files.map((f) => [f, 'archive']));
    const again = await runCli(['lifecycle', 'tiers', '--json', '--workspace', ws]);
    expect((JSON.parse(again.stdout) as { plans: TierPlan[] }).plans[0].moves).toEqual([]);

    // A file in both folders with no move under way is reported, and the repair drops the lake folder's copy.
    const one = files[0];
    await writeFile(join(lake, one), await readFile(join(archive, one)));
    const found = await lakeCheck(ws);
    expect(found.problems.map((p) => [p.kind, p.path])).toEqual([['two-tiers', one]]);
    const repaired = await lakeCheck(ws, ['--repair']);
    expect(repaired.repaired.join('\n')).toMatch(/dropped the standard copy of telemetry\/date=2024-03-01/);
    expect(await telemetryIn(lake)).toEqual([]);
    expect(await digests(ws)).toEqual(before);
  }, 300_000);

  it('killed mid-move at every step, the views stay whole, the lake check names the move, and the next run finishes it', async () => {
    for (const step of ['copy', 'record', 'settle']) {
      const { ws, archive } = await fixtureWorkspace();
      const lake = join(ws, 'lake');
      const files = await telemetryIn(lake);
      const set = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', 'archive:30', '--workspace', ws]);
      expect(set.code, set.stderr).toBe(0);
      const before = await digests(ws);
      const killed = await runCli(['lifecycle', 'tiers', '--apply', '--workspace', ws], { BW_KILL_AT: `move:${step}` });
      expect(killed.signal, `move:${step}: ${killed.stderr}`).toBe('SIGKILL');
      // Every file is readable from one folder or the other: the views show exactly what they did.
      expect(await digests(ws), `after a kill at move:${step}`).toEqual(before);
      const found = await lakeCheck(ws);
      expect(found.problems.map((p) => p.kind)).toEqual(['unfinished-job']);
      expect(found.problems[0].detail).toMatch(/^tier tier-[\w-]+ stopped at "(copying|settling)"/);
      if (step === 'record') {
        const repaired = await lakeCheck(ws, ['--repair']);
        expect(repaired.repaired.join('\n'), JSON.stringify(repaired)).toMatch(/copying → done/);
      } else {
        const next = await runCli(['lifecycle', 'tiers', '--apply', '--json', '--workspace', ws]);
        expect(next.code, next.stderr).toBe(0);
      }
      expect(await telemetryIn(lake), `in the end (move:${step})`).toEqual([]);
      expect(await telemetryIn(archive)).toEqual(files);
      expect(await digests(ws), `in the end (move:${step})`).toEqual(before);
      expect((await lakeCheck(ws)).problems, `in the end (move:${step})`).toEqual([]);
    }
  }, 900_000);
});
