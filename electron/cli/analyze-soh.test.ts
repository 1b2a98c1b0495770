import { rm } from 'node:fs/promises';
import { runCli } from '../core/testing/cli-process.fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOH_SETTINGS, type SohJarRow } from '../../shared/api/soh';
import { runSoh } from '../core/analytics/soh-analysis';
import { writeSohEol } from '../core/dashboard/thresholds-store';
import { openDemoWorkbench } from '../core/testing/demo-workbench.fixture';
import { openWorkbench } from '../core/workbench';
import type { AnalysisRow } from './commands/analyze';

/** The CLI run to its end, debug output off. */
const cli = (args: string[]) => runCli(args, { BATTERY_WORKBENCH_DEBUG: '' });

let workspace: string;
let pgData: string | null = null;
/** What the core computed in process, over the whole history, before the workspace was closed. */
let expected: SohJarRow[];

beforeAll(async () => {
  const demo = await openDemoWorkbench('bw-cli-soh-', { scale: 'small' });
  workspace = demo.dir;
  pgData = demo.hot.info.dataDir;
  expect(demo.summary.state).toBe('done');
  await demo.wb.rollups.refreshNow().done;
  expected = (await runSoh(demo.duck, { settings: { ...DEFAULT_SOH_SETTINGS }, toMs: Date.now() + 86_400_000 })).rows;
  demo.duck.closeSync();
  await demo.wb.close();
}, 300_000);

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
  if (pgData) await rm(pgData, { recursive: true, force: true });
});

describe('battery-workbench analyze soh (real process, small demo)', () => {
  it('--json: one soh row per jar with the core figures, the knee and both RUL figures labelled by source', async () => {
    const r = await cli(['analyze', 'soh', '--json', '--workspace', workspace]);
    expect(r.stderr).not.toContain('failed');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as AnalysisRow[];
    expect(rows).toHaveLength(expected.length);
    expect(rows.length).toBeGreaterThan(100);
    for (const [i, row] of rows.entries()) {
      const want = expected[i];
      expect(row).toMatchObject({ battery_id: want.battery_id, kind: 'soh', score: want.soh_pct });
      expect(row.start).toBe(want.first_day);
      expect(row.detail).toMatchObject({ knee_date: want.knee_date, drift_pct: want.drift_pct, rul: want.rul });
    }
    const knees = rows.filter((x) => x.detail.knee_date !== null);
    expect(knees.length).toBeGreaterThan(0);
    expect(rows.some((x) => (x.detail.rul_table as { source: string } | null)?.source === 'rul-trend-v1')).toBe(true);
  }, 120_000);

  it('--battery and a stricter --eol-drift: the same jar, an earlier or equal end of life', async () => {
    const jar = expected.find((x) => x.knee_date !== null && x.rul.days !== null) ?? expected.find((x) => x.rul.days !== null)!;
    const r = await cli(['analyze', 'soh', '--battery', String(jar.battery_id), '--eol-drift', '10', '--json', '--workspace', workspace]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as AnalysisRow[];
    expect(rows.map((x) => 'battery_id' in x && x.battery_id)).toEqual([jar.battery_id]);
    const rul = rows[0].detail.rul as { thresholdDriftPct: number; days: number | null; status: string };
    expect(rul.thresholdDriftPct).toBe(10);
    if (rul.days !== null && jar.rul.days !== null) expect(rul.days).toBeLessThanOrEqual(jar.rul.days);
  }, 120_000);

  it('without flags, the end of life stored for the workspace (as the dashboards set it) applies', async () => {
    const wb = await openWorkbench({ workspaceDir: workspace, entry: 'test', data: { start: 'lazy' } });
    try {
      await wb.engine.withConnection((conn) => writeSohEol(conn, { eolSohPct: 80, eolDriftPct: 15 }));
    } finally {
      await wb.close();
    }
    const r = await cli(['analyze', 'soh', '--battery', String(expected[0].battery_id), '--json', '--workspace', workspace]);
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.stdout) as AnalysisRow[];
    expect((row.detail.rul as { thresholdDriftPct: number }).thresholdDriftPct).toBe(15);
  }, 120_000);

  it('refuses bad end-of-life values and a soh flag on another analysis, exit code 2, naming the flag', async () => {
    for (const [args, says] of [
      [['analyze', 'soh', '--eol-soh', '120'], '--eol-soh'],
      [['analyze', 'soh', '--eol-drift', 'lots'], '--eol-drift'],
      [['analyze', 'soh', '--battery', '0'], '--battery'],
      [['analyze', 'events', '--eol-soh', '70'], '--eol-soh is not an option of analyze events'],
    ] as const) {
      const r = await cli([...args, '--workspace', workspace]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(says);
    }
  }, 120_000);
});
