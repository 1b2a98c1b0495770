import { PANEL_IDS, type PanelId } from '../shared/api/dashboard';
import { DEFAULT_HEALTH_THRESHOLDS } from '../shared/domain/health';
import { queryNumber } from '../electron/core/engine/duck-query';
import type { Workbench } from '../electron/core/workbench';
import { panelP95 } from './panel-timing';
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

/** p95 of every fleet panel over the last 7 days (the fleet page's default range). */
async function fleetP95s(wb: Workbench, toMs: number): Promise<Map<PanelId, { p95: number; source: string }>> {
  const out = new Map<PanelId, { p95: number; source: string }>();
  const range = { from: new Date(toMs - 7 * DAY_MS).toISOString(), to: new Date(toMs).toISOString() };
  for (const panel of FLEET_PANELS) {
    const req = { panel, scope: { kind: 'fleet' as const }, ...range, width: WIDTH, thresholds: { ...DEFAULT_HEALTH_THRESHOLDS } };
    const { p95, data } = await panelP95(wb, () => req, panel, FLEET_RUNS);
    out.set(panel, { p95, source: data.source });
  }
  return out;
}

async function measure(
  which: ScaleWorkspace,
  measureCurve: boolean,
): Promise<{
  fleet: Map<PanelId, { p95: number; source: string }>;
  curve: { p95: number; points: number; source: string } | null;
}> {
  const { wb } = await openScaleWorkspace(which);
  try {
    const toMs = await dataEnd(wb);
    const fleet = await fleetP95s(wb, toMs);
    if (!measureCurve) return { fleet, curve: null };
    const year = { from: new Date(toMs - 365 * DAY_MS).toISOString(), to: new Date(toMs).toISOString(), width: WIDTH };
    const { p95, data } = await panelP95(
      wb,
      (i) => ({ panel: 'battery.voltage', scope: { kind: 'battery', id: CURVE_JARS[i % CURVE_JARS.length] }, ...year }),
      'one-jar year curve',
    );
    return { fleet, curve: { p95, points: data.rows.length, source: data.source } };
  } finally {
    await wb.close();
  }
}

/**
 * Panels at a year against 90 days, in one run: each fleet panel's p95 (7-day range, as the fleet page opens)
 * as a ratio of its 90-day p95, and one jar's voltage over a year, M4 to 1,200 px (a different jar each run).
 */
export async function scalePanels(): Promise<ScaleFigure[]> {
  const base = await measure('90d', false);
  const year = await measure('year', true);
  const figures: ScaleFigure[] = [];
  for (const panel of FLEET_PANELS) {
    const a = base.fleet.get(panel);
    const b = year.fleet.get(panel);
    if (!a || !b) continue;
    figures.push(
      atMost(`panels: ${panel} p95, year / 90 days`, b.p95 / Math.max(0.1, a.p95), 'ratio', FLEET_RATIO_LIMIT, {
        p95Ms90d: a.p95,
        p95MsYear: b.p95,
        source: b.source,
      }),
    );
  }
  if (year.curve) {
    figures.push(
      atMost('panels: one jar, one year, voltage M4 to 1,200 px, p95', year.curve.p95, 'ms', YEAR_CURVE_LIMIT_MS, {
        points: year.curve.points,
        source: year.curve.source,
      }),
    );
  }
  return figures;
}
