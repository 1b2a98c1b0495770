import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../shared/sql';
import { HOT_MIRROR_SCHEMA } from '../core/mirror/meta';
import { SERIES_SLOTS, SERIES_T0, seedAnalyticsSeries, seriesAt } from '../core/testing/analytics-series.fixture';
import { runCli, startCli } from '../core/testing/cli-process.fixture';
import { openWorkbench } from '../core/workbench';
import type { AnalysisRow } from './commands/analyze';

/** The CLI run to its end, debug output off. */
const cli = (args: string[]) => runCli(args, { BATTERY_WORKBENCH_DEBUG: '' });

let workspace: string;
const RANGE = ['--from', seriesAt(0), '--to', seriesAt(SERIES_SLOTS)];

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'bw-cli-analyze-'));
  const wb = await openWorkbench({ workspaceDir: workspace, entry: 'test' });
  try {
    await seedAnalyticsSeries(wb);
  } finally {
    await wb.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('battery-workbench analyze (real process, real workspace)', () => {
  it('events --json: the discharge of string 1 and the EFC rows, each naming string_id or battery_id', async () => {
    const r = await cli(['analyze', 'events', ...RANGE, '--string', '1', '--json', '--workspace', workspace]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('analyze events:');
    const rows = JSON.parse(r.stdout) as AnalysisRow[];
    expect(rows[0]).toEqual({
      string_id: 1,
      kind: 'discharge',
      start: seriesAt(6),
      end: seriesAt(12),
      score: 10,
      detail: {
        depth_pct: 10,
        duration_s: 1800,
        readings: 6,
        ah: 10,
        energy_wh: 480,
        min_voltage_v: 48,
        weakest_battery_id: 3,
        weakest_voltage_v: 11.8,
        efc_cumulative: 0.1,
      },
    });
    const efc = rows.filter((x) => x.kind === 'efc');
    expect(efc).toHaveLength(5);
    expect(efc[0]).toMatchObject({ string_id: 1, score: 0.1, detail: { discharged_ah: 10, rated_ah: 100 } });
    expect(efc.slice(1).map((x) => ('battery_id' in x ? x.battery_id : null))).toEqual([1, 2, 3, 4]);
    const all = await cli(['analyze', 'events', ...RANGE, '--string', '1', '--kind', 'all', '--json', '--workspace', workspace]);
    expect((JSON.parse(all.stdout) as AnalysisRow[]).filter((x) => x.kind !== 'efc').map((x) => x.kind)).toEqual([
      'float',
      'discharge',
      'charge',
      'rest',
      'float',
    ]);
  });

  it('anomalies --json: jar 8 ranked by score, and the voltage spread per string; a table without --json', async () => {
    const r = await cli(['analyze', 'anomalies', ...RANGE, '--json', '--workspace', workspace]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as AnalysisRow[];
    expect(rows.filter((x) => 'battery_id' in x).map((x) => [x.kind, x.score, x.start, x.end])).toEqual([
      ['temperature_outlier', 29, seriesAt(0), seriesAt(84)],
      ['voltage_outlier', 9, seriesAt(0), seriesAt(84)],
      ['hotspot', 8, seriesAt(0), seriesAt(84)],
    ]);
    expect(rows.find((x) => x.kind === 'voltage_outlier')?.detail).toEqual({ string_id: 2, mean_z: 9, readings: 84, resolution: 'raw' });
    expect(rows.filter((x) => x.kind === 'voltage_spread').map((x) => ('string_id' in x ? x.string_id : null))).toEqual([2, 1]);
    const strict = await cli(['analyze', 'anomalies', ...RANGE, '--hours', '8', '--json', '--workspace', workspace]);
    expect((JSON.parse(strict.stdout) as AnalysisRow[]).filter((x) => 'battery_id' in x)).toEqual([]);
    const table = await cli(['analyze', 'anomalies', ...RANGE, '--workspace', workspace]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('jar 8');
    expect(table.stdout).toContain('voltage_outlier');
  });

  it('bad flags exit 2 with a clear sentence, before anything runs', async () => {
    const cases: [string[], RegExp][] = [
      [['analyze'], /Name an analysis: events, anomalies/],
      [['analyze', 'weather'], /There is no analysis "weather"/],
      [['analyze', 'events', '--from', 'yesterday-ish'], /--from must be an ISO date or time/],
      [['analyze', 'events', '--from', '2024-03-02', '--to', '2024-03-01'], /--from must be before --to/],
      [['analyze', 'events', '--string', 'two'], /--string must be a whole number/],
      [['analyze', 'events', '--kind', 'boil'], /--kind must be all or a list of charge, discharge, float, rest/],
      [['analyze', 'events', '--z', '4'], /--z is not an option of analyze events/],
      [['analyze', 'anomalies', '--z=-1'], /--z must be a positive number/],
      [['analyze', 'anomalies', '--resolution', 'daily'], /--resolution must be one of auto, raw, hourly/],
      [['analyze', 'anomalies', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--workspace', workspace]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('Ctrl+C stops a long analysis: exit 130, nothing on stdout', async () => {
    // 2,000 jars in one string for 5 days, read raw: long enough to be stopped midway.
    const big = await mkdtemp(join(tmpdir(), 'bw-cli-analyze-big-'));
    try {
      const wb = await openWorkbench({ workspaceDir: big, entry: 'test' });
      try {
        await seedAnalyticsSeries(wb);
        const conn = await wb.engine.connect();
        try {
          const t = (name: string): string => qualifiedName(HOT_MIRROR_SCHEMA, name);
          await conn.run(
            `INSERT INTO ${t('battery')} (battery_id, string_id, position, serial_no, model_id, installed_on) ` +
              `SELECT i, 2, i, printf('BIG-%06d', i), 1, DATE '2022-01-01' FROM range(100, 2100) r(i)`,
          );
          await conn.run(
            `INSERT INTO ${t('telemetry')} SELECT b, to_timestamp(${SERIES_T0 / 1000} + s * 300), 13.5 + (hash(b, s) % 100) / 1000.0, ` +
              `24 + (hash(s, b) % 10) / 10.0, 3.1, CAST(1000000 + b * 10000 + s AS BIGINT) FROM range(100, 2100) x(b), range(0, 1440) y(s)`,
          );
        } finally {
          conn.closeSync();
        }
        await wb.data.refresh();
      } finally {
        await wb.close();
      }
      const run = startCli([
        'analyze',
        'anomalies',
        '--resolution',
        'raw',
        '--from',
        seriesAt(0),
        '--to',
        seriesAt(1440),
        '--workspace',
        big,
      ]);
      const deadline = Date.now() + 60_000;
      while (!run.stderr().includes('analyze anomalies: z-scores') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      run.interrupt();
      const r = await run.done;
      expect(r.stderr).toContain('Cancelled.');
      expect(r.code).toBe(130);
      expect(r.stdout).toBe('');
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  }, 180_000);

  it('--help lists every analysis and its options', async () => {
    const r = await cli(['analyze', '--help']);
    expect(r.code).toBe(0);
    for (const text of ['events', 'anomalies', '--kind', '--hotspot-c', '--resolution', '--json']) expect(r.stdout).toContain(text);
  });
});
