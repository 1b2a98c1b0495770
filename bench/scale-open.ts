import { chromium, type Browser } from 'playwright-core';
import { assertChromium, CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium';
import { startWebHostProcess } from '../e2e/support/web-host-process';
import { median } from './panel-timing';
import { atMost, openScaleWorkspace, type ScaleFigure, type ScaleWorkspace } from './scale-kit';
import { buildWebHost } from './web-build';

const RUNS = 3;
const OPEN_LIMIT_MS = 2500;
const OPEN_RATIO_LIMIT = 1.2;
const DRAWN_TIMEOUT_MS = 180_000;

/**
 * True once a chart of a fleet panel has drawn a visible mark: ECharts' own layout, read through the renderer's
 * `window.describeChart` (renderer/lib/echarts/drawn.ts), as the chart checks of e2e/web/charts.spec.ts read it.
 * A function, not a string: Playwright sends a function over the protocol, while a string would be `eval`ed in
 * the page, which the app's CSP (no 'unsafe-eval') refuses. Typed without DOM types, as this file is Node code.
 */
function fleetChartDrawn(): boolean {
  const page = globalThis as unknown as {
    document: { querySelectorAll: (selector: string) => ArrayLike<unknown> };
    describeChart?: (el: unknown) => { marks: number } | null;
  };
  return Array.from(page.document.querySelectorAll('[data-testid^="panel-fleet."] .echart')).some(
    (el) => (page.describeChart?.(el)?.marks ?? 0) > 0,
  );
}

interface OpenRun {
  /** From spawning the web host to its ready line. */
  readyMs: number;
  /** From spawning the web host to the first fleet chart drawn in the page opened on its link. */
  drawnMs: number;
}

/** One start of the web host on a workspace, timed from the spawn to the first fleet chart drawn in Chromium. */
async function openOnce(browser: Browser, dir: string): Promise<OpenRun> {
  const t0 = performance.now();
  const host = await startWebHostProcess({ workspace: dir });
  const readyMs = performance.now() - t0;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(host.link('fleet'));
    await page.waitForFunction(fleetChartDrawn, null, { polling: 20, timeout: DRAWN_TIMEOUT_MS });
    return { readyMs: Math.round(readyMs), drawnMs: Math.round(performance.now() - t0) };
  } finally {
    await page.close();
    await host.stop();
  }
}

/**
 * Opening the app on an existing workspace: the web host started as a child process on the cached 90-day and
 * year workspaces in turn (RUNS times each, interleaved so load on the machine hits both alike), timed from
 * the spawn to the first fleet chart drawn; the median of each, the year's against 2.5 s and the 90 days'.
 */
export async function scaleOpen(): Promise<ScaleFigure[]> {
  buildWebHost();
  assertChromium();
  const dirs = {} as Record<ScaleWorkspace, string>;
  for (const which of ['90d', 'year'] as const) {
    // Built (or found) here, then closed: the workspace database opens in one process at a time.
    const opened = await openScaleWorkspace(which);
    await opened.wb.close();
    dirs[which] = opened.dir;
  }
  const runs: Record<ScaleWorkspace, OpenRun[]> = { '90d': [], year: [] };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    for (let i = 0; i < RUNS; i++) for (const which of ['90d', 'year'] as const) runs[which].push(await openOnce(browser, dirs[which]));
  } finally {
    await browser.close();
  }
  const drawn = (which: ScaleWorkspace): number => median(runs[which].map((r) => r.drawnMs));
  const detail = { runs90d: runs['90d'], runsYear: runs.year };
  return [
    atMost('open: web host start to first fleet chart drawn, year, median', drawn('year'), 'ms', OPEN_LIMIT_MS, detail),
    atMost('open: year / 90 days', drawn('year') / Math.max(1, drawn('90d')), 'ratio', OPEN_RATIO_LIMIT, {
      median90dMs: drawn('90d'),
      medianYearMs: drawn('year'),
    }),
  ];
}
