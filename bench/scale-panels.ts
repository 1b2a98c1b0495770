import { PANEL_IDS, type PanelId } from '../shared/api/dashboard';
import { DEFAULT_HEALTH_THRESHOLDS } from '../shared/domain/health';
import { queryNumber } from '../electron/core/engine/duck-query';
import type { Workbench } from '../electron/core/workbench';
import { p95, panelP95, timedPanel } from './panel-timing';
import { atMost, openScaleWorkspace, type ScaleFigure, type ScaleWorkspace } from './scale-kit';

const FLEET_PANELS: readonly PanelId[] = PANEL_IDS.filter((id) => id.startsWith('fleet.'));
const DAY_MS = 86_400_000;
const WIDTH = 1200;
/** A fleet panel at a year may cost this much more than at 90 days. */
const FLEET_RATIO_LIMIT = 1.2;
const YEAR_CURVE_LIMIT_MS = 60;
/**
 * Timed runs per fleet panel. The panels take 3 to 90 ms, so the p95 of 20 runs moved a year / 90-day ratio by 20 to
 * 50% between runs with nothing changed; 100 runs make the 95th percentile a statistic rather than the worst run or two.
 */
const FLEET_RUNS = 100;
/** Jars the one-year curve rotates through (one per run, spread over the fleet's sites). */
const CURVE_JARS = Array.from({ length: 20 }, (_, i) => 3 + i * 117);

/** The end of the workspace's data, on a 5-minute boundary (the fleet page's default range ends there). */
export async function dataEnd(wb: Workbench): Promise<number> {
  const conn = await wb.engine.connect();
  try {
    const last = await queryNumber(conn, 'SELECT CAST(epoch_ms(max(last_ts)) AS DOUBLE) FROM gold.site_daily');
    return Math.ceil((last + 1) / 300_000) * 300_000;
  } finally {
    conn.closeSync();
  }
}

type BothP95 = Record<ScaleWorkspace, { p95: number; source: string }>;

/**
 * p95 of every fleet panel over the last 7 days (the fleet page's default range), on both workspaces at once: the
 * runs alternate between them (one warm-up each first), so a change in the machine's load hits both alike.
 */
async function fleetP95s(sides: Record<ScaleWorkspace, { wb: Workbench; toMs: number }>): Promise<Map<PanelId, BothP95>> {
  const out = new Map<PanelId, BothP95>();
  const reqOf = (panel: PanelId, toMs: number): Record<string, unknown> => ({
    panel,
    scope: { kind: 'fleet' as const },
    from: new Date(toMs - 7 * DAY_MS).toISOString(),
    to: new Date(toMs).toISOString(),
    width: WIDTH,
    thresholds: { ...DEFAULT_HEALTH_THRESHOLDS },
  });
  for (const panel of FLEET_PANELS) {
    const ms: Record<ScaleWorkspace, number[]> = { '90d': [], year: [] };
    let source = '';
    for (let i = 0; i < FLEET_RUNS + 1; i++) {
      for (const which of ['90d', 'year'] as const) {
        const run = await timedPanel(sides[which].wb, reqOf(panel, sides[which].toMs), panel);
        if (i > 0) ms[which].push(run.ms);
        source = run.data.source;
      }
    }
    out.set(panel, { '90d': { p95: p95(ms['90d']), source }, year: { p95: p95(ms.year), source } });
  }
  return out;
}

/**
 * Panels at a year against 90 days, in one run: each fleet panel's p95 (7-day range, as the fleet page opens)
 * as a ratio of its 90-day p95, and one jar's voltage over a year, M4 to 1,200 px (a different jar each run).
 */
export async function scalePanels(): Promise<ScaleFigure[]> {
  const opened = { '90d': await openScaleWorkspace('90d'), year: await openScaleWorkspace('year') };
  let fleet: Map<PanelId, BothP95>;
  let curve: { p95: number; points: number; source: string };
  try {
    const sides = {
      '90d': { wb: opened['90d'].wb, toMs: await dataEnd(opened['90d'].wb) },
      year: { wb: opened.year.wb, toMs: await dataEnd(opened.year.wb) },
    };
    fleet = await fleetP95s(sides);
    const { wb, toMs } = sides.year;
    const year = { from: new Date(toMs - 365 * DAY_MS).toISOString(), to: new Date(toMs).toISOString(), width: WIDTH };
    const r = await panelP95(
      wb,
      (i) => ({ panel: 'battery.voltage', scope: { kind: 'battery', id: CURVE_JARS[i % CURVE_JARS.length] }, ...year }),
      'one-jar year curve',
    );
    curve = { p95: r.p95, points: r.data.rows.length, source: r.data.source };
  } finally {
    await opened['90d'].wb.close();
    await opened.year.wb.close();
  }
  const figures: ScaleFigure[] = [];
  for (const panel of FLEET_PANELS) {
    const both = fleet.get(panel);
    if (!both) continue;
    const [a, b] = [both['90d'], both.year];
    figures.push(
      atMost(`panels: ${panel} p95, year / 90 days`, b.p95 / Math.max(0.1, a.p95), 'ratio', FLEET_RATIO_LIMIT, {
        p95Ms90d: a.p95,
        p95MsYear: b.p95,
        source: b.source,
      }),
    );
  }
  figures.push(
    atMost('panels: one jar, one year, voltage M4 to 1,200 px, p95', curve.p95, 'ms', YEAR_CURVE_LIMIT_MS, {
      points: curve.points,
      source: curve.source,
    }),
  );
  return figures;
}
