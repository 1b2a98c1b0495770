import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureDrift, FeatureMaterializeReport, FeatureVectors, FeatureSetInfo } from '../../shared/api/features';
import { qualifiedName } from '../../shared/sql';
import { queryNumber } from '../core/engine/duck-query';
import { HOT_MIRROR_SCHEMA } from '../core/mirror/meta';
import { FIXTURE, fixtureSplitMs, seedFixture } from '../core/rollups/fleet-fixture';
import { lakeCheck, runCli, withTestWorkbench } from '../core/testing/cli-process.fixture';
import { openWorkbench } from '../core/workbench';

const DAY = 86_400_000;
const mirror = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');

describe('battery-workbench features (real DuckDB, real process)', () => {
  let ws: string;
  beforeAll(async () => {
    ws = await mkdtemp(join(tmpdir(), 'bw-cli-features-'));
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      await seedFixture(wb);
    } finally {
      await wb.close();
    }
  }, 60_000);
  afterAll(async () => {
    await rm(ws, { recursive: true, force: true });
  });

  async function json<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
    const r = await runCli([...args, '--workspace', ws, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  it('materializes the demo sets, lists them, and serves the latest vector of a jar', async () => {
    const m = await json<FeatureMaterializeReport>(['features', 'materialize']);
    const days = FIXTURE.coldDays + FIXTURE.hotDays;
    expect(m.sets.map((s) => [s.set, s.version, s.recomputed, s.rows])).toEqual([
      ['jar_daily_stats', 1, days, 6 * days],
      ['string_daily_spread', 1, days, 2 * days],
    ]);
    const list = await json<{ sets: FeatureSetInfo[] }>(['features', 'list']);
    const jar = list.sets.find((s) => s.name === 'jar_daily_stats');
    expect(jar?.versions).toEqual([
      expect.objectContaining({ version: 1, current: true, days, rows: 6 * days, view: 'features.jar_daily_stats_v1' }),
    ]);
    expect(jar?.columns.find((c) => c.name === 'voltage_max')).toMatchObject({ unit: 'V', quantity: 'voltage' });

    const got = await json<FeatureVectors>(['features', 'get', '--set', 'jar_daily_stats', '--battery', '2']);
    expect(got.rows).toHaveLength(1);
    expect(got.rows[0]).toMatchObject({ battery_id: 2, day: new Date(fixtureSplitMs()).toISOString().slice(0, 10), readings: 288 });

    const text = await runCli(['features', 'get', '--set', 'string_daily_spread', '--workspace', ws]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/string_daily_spread v1: latest values of 2 string_id\(s\)/);
    expect(text.stdout).toContain('voltage_spread_max [V]');

    const bad = await runCli(['features', 'get', '--set', 'no_such_set', '--workspace', ws]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no feature set no_such_set|There is no feature set no_such_set/);
    const usage = await runCli(['features', 'get', '--workspace', ws]);
    expect(usage.code).toBe(2);

    // Drift: every numeric column by UTC week against the first 28 days (the whole fixture here: PSI 0 throughout).
    // The 7-day slope has no value in a 4-day history (NULL until its window's first day has readings): not measured.
    const drift = await json<FeatureDrift>(['features', 'drift', '--set', 'jar_daily_stats']);
    const first = new Date(FIXTURE.startMs).toISOString().slice(0, 10);
    expect(drift).toMatchObject({ set: 'jar_daily_stats', version: 1, threshold: 0.25, bins: 10, reference: { from: first } });
    expect(drift.columns.map((c) => c.name)).toEqual(jar?.columns.map((c) => c.name));
    for (const c of drift.columns) {
      expect(
        c.weeks.reduce((n, w) => n + w.rows, 0),
        c.name,
      ).toBe(c.name === 'resistance_slope_7d' ? 0 : days * 6);
      expect(c.shiftedWeeks).toEqual([]);
    }
    expect(drift.columns.find((c) => c.name === 'resistance_slope_7d')?.maxPsi).toBeNull();
    const driftText = await runCli(['features', 'drift', '--set', 'jar_daily_stats', '--threshold', '0.1', '--workspace', ws]);
    expect(driftText.code, driftText.stderr).toBe(0);
    expect(driftText.stdout).toMatch(
      /jar_daily_stats v1: PSI by week against \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(10 bins; shifted at >= 0.1\)/,
    );
    // The whole history lies in the reference window: nothing after it to measure yet.
    expect(driftText.stdout).toContain('resistance_slope_7d [mOhm/day]: not measured, no values after the reference window');
    expect(driftText.stdout).toContain('voltage_max [V]: not measured, no values after the reference window');
    for (const args of [
      ['--threshold', '0'],
      ['--reference-from', first],
      ['--threshold', 'lots'],
    ]) {
      const r = await runCli(['features', 'drift', '--set', 'jar_daily_stats', ...args, '--workspace', ws]);
      expect(r.code, args.join(' ')).toBe(2);
    }
    const refused = await runCli([
      'features',
      'drift',
      '--set',
      'jar_daily_stats',
      '--reference-from',
      '2026-02-01',
      '--reference-to',
      '2026-01-01',
      '--workspace',
      ws,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/must end after it starts/);
  }, 120_000);

  it('after a new reading is materialized, get returns its value', async () => {
    const next = fixtureSplitMs() + FIXTURE.hotDays * DAY;
    await withTestWorkbench(ws, async (_wb, conn) => {
      const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
      await conn.run(`INSERT INTO ${mirror} VALUES (2, to_timestamp(${(next + 300_000) / 1000}), 12.777, 29.5, 3.4, ${maxIngest + 1})`);
    });
    const m = await json<FeatureMaterializeReport>(['features', 'materialize', '--set', 'jar_daily_stats']);
    expect(m.sets[0].recomputedDays).toEqual([new Date(next).toISOString().slice(0, 10)]);
    const got = await json<FeatureVectors>(['features', 'get', '--set', 'jar_daily_stats', '--battery', '2']);
    expect(got.rows).toEqual([
      expect.objectContaining({ battery_id: 2, day: new Date(next).toISOString().slice(0, 10), voltage_max: '12.777', readings: 1 }),
    ]);
  }, 120_000);

  it('killed mid-write, it leaves a lake that lake check --repair makes clean; the next run catches up', async () => {
    // A late row for the first day: its 7-day window is recomputed, each day's file replaced.
    await withTestWorkbench(ws, async (_wb, conn) => {
      const maxIngest = await queryNumber(conn, `SELECT max(ingest_id) FROM ${mirror}`);
      await conn.run(
        `INSERT INTO ${mirror} VALUES (5, to_timestamp(${(FIXTURE.startMs + 60_000) / 1000}), 13.0, 31.5, 3.3, ${maxIngest + 1})`,
      );
    });
    for (const step of ['publish', 'cleanup']) {
      const killed = await runCli(['features', 'materialize', '--set', 'jar_daily_stats', '--workspace', ws], {
        BW_KILL_AT: `features:${step}`,
      });
      expect(killed.signal, `${step}: ${killed.stderr}`).toBe('SIGKILL');
      const found = await lakeCheck(ws);
      expect(found.problems.map((p) => p.kind)).toContain('unfinished-job');
      const repaired = await lakeCheck(ws, ['--repair']);
      expect(repaired.problems, step).toEqual([]);
      expect((await lakeCheck(ws)).problems).toEqual([]);
    }
    const m = await json<FeatureMaterializeReport>(['features', 'materialize', '--set', 'jar_daily_stats']);
    expect(m.sets[0].recomputedDays[0]).toBe(new Date(FIXTURE.startMs).toISOString().slice(0, 10));
    // One live file per day, and the late row's minutes above 30 degC are in.
    await withTestWorkbench(ws, async (wb, conn) => {
      const files = (await wb.data.lake.list('features')).filter((f) => f.key.startsWith('features/jar_daily_stats/v1/'));
      expect(new Set(files.map((f) => f.partition.date)).size).toBe(files.length);
      expect(
        await queryNumber(
          conn,
          `SELECT minutes_above_30c FROM features.jar_daily_stats_v1 WHERE battery_id = 5 AND day = DATE '2024-03-01'`,
        ),
      ).toBe(5);
    });
    expect((await lakeCheck(ws)).problems).toEqual([]);
  }, 240_000);
});
