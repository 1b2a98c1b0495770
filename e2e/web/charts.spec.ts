import type { Locator, Page } from '@playwright/test';
import type { RollupStatus } from '../../shared/api/dashboard';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';

/**
 * Panels whose empty state is a fact about the data, not a gap: a range without alerts or maintenance says so.
 * Every other panel must draw in the default range of the small demo.
 */
const MAY_BE_EMPTY = new Set(['fleet.alerts', 'scope.alerts', 'scope.events', 'battery.alerts', 'battery.events']);

/** What a chart draws, as the renderer's `window.describeChart` reads it from ECharts' model (renderer/lib/echarts/drawn.ts). */
interface DrawnChart {
  axes: { axis: string; type: string; name: string; labels: string[] }[];
  marks: number;
}

async function drawnOf(chart: Locator): Promise<DrawnChart | null> {
  return chart.evaluate(
    (el) => (globalThis as unknown as { describeChart?: (e: unknown) => DrawnChart | null }).describeChart?.(el) ?? null,
  );
}

/** The element a view's dashboard renders in, where its name here differs (a site is a location, a jar a battery). */
const VIEW_ELEMENT: Record<string, string> = { site: 'location', jar: 'battery' };

/**
 * Waits until the routed view has rendered and none of its panels is loading (or building its source), then
 * checks its panels and charts. Everything is read inside the view's own element (`<kind>-view`): the address
 * changes before the page handles it, so the view drilled from may still be on screen, all of it drawn.
 */
async function sweep(page: Page, view: string, minCharts: number): Promise<void> {
  const root = page.getByTestId(`${VIEW_ELEMENT[view] ?? view}-view`);
  await expect(root, `${view}: the view is shown`).toBeVisible({ timeout: 60_000 });
  const panels = root.locator('[data-testid^="panel-"][data-state]');
  await expect(panels.first()).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(
      async () =>
        (await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).filter((s) => s === 'loading' || s === 'building')
          .length,
      {
        message: `${view}: panels still loading`,
        timeout: 120_000,
      },
    )
    .toBe(0);
  for (const panel of await panels.all()) {
    const id = ((await panel.getAttribute('data-testid')) ?? '').replace(/^panel-/, '');
    const state = await panel.getAttribute('data-state');
    expect(state, `${view}: ${id} failed: ${await panel.textContent()}`).not.toBe('error');
    await expect(panel, `${view}: ${id} says "No data" in the default range`).not.toContainText('No data');
    if (!MAY_BE_EMPTY.has(id)) expect(state, `${view}: ${id} is empty in the default range`).toBe('ready');
  }
  expect(await checkCharts(root, view), `${view}: charts drawn`).toBeGreaterThanOrEqual(minCharts);
}

/** Every chart in `within`: at least one visible mark, and no axis with two identical tick labels. */
async function checkCharts(within: Page | Locator, view: string): Promise<number> {
  const charts = within.locator('.echart');
  const count = await charts.count();
  for (let i = 0; i < count; i++) {
    const chart = charts.nth(i);
    const label = `${view}: chart ${(await chart.getAttribute('data-testid')) ?? i}`;
    // The chart draws right after its data arrives: read it once it has been drawn.
    await expect
      .poll(async () => (await drawnOf(chart))?.marks ?? 0, {
        message: `${label} draws no mark`,
      })
      .toBeGreaterThan(0);
    const drawn = (await drawnOf(chart)) as DrawnChart;
    for (const axis of drawn.axes) {
      const seen = axis.labels.filter((l, j) => axis.labels.indexOf(l) !== j);
      expect(seen, `${label} ${axis.axis} (${axis.name}) repeats tick labels: ${axis.labels.join(' | ')}`).toEqual([]);
    }
  }
  return count;
}

/** Follows the first link in a table to the next level down and returns its route. */
async function drillDown(page: Page, link: Locator, route: RegExp): Promise<void> {
  await link.click();
  await expect(page).toHaveURL(route);
}

test.describe('every chart-bearing view of the small demo', () => {
  test.setTimeout(600_000);

  test('draws marks with distinct tick labels, never says "No data" in the default range, and raises no page error', async ({
    page,
    webHost,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
    });

    // The first start seeds the small demo; its rollups must be current before any panel is judged.
    await waitForDemo(webHost, page.request);
    await expect
      .poll(
        async () => {
          const s = await callHost<RollupStatus>(webHost, page.request, 'dashboard.rollups', {});
          if (s.lastError) throw new Error(`The rollups failed: ${s.lastError}`);
          return s.refreshedAt !== null && !s.running;
        },
        { timeout: 300_000, intervals: [1000] },
      )
      .toBe(true);

    await page.goto(webHost.link('fleet'));
    await sweep(page, 'fleet', 5);
    // The ranked charts name jars the one way and label every bar (the at-risk chart's jars may have no life left).
    const atRisk = (await drawnOf(page.getByTestId('chart-at-risk'))) as DrawnChart;
    const jars = atRisk.axes.find((a) => a.type === 'category')?.labels ?? [];
    expect(jars.length).toBeGreaterThan(0);
    for (const jar of jars) expect(jar).toMatch(/^[A-Z]{3}\d [^·]+ · S\d+ · J\d+$/);

    // A site with jars (rows are in site order; another spec may add an empty one later).
    const sites = page.getByTestId('sites-table').locator('tbody tr');
    let site = -1;
    for (let i = 0; i < (await sites.count()) && site < 0; i++)
      if ((await sites.nth(i).locator('td').nth(2).textContent()) !== '0') site = i;
    expect(site, 'a site with jars').toBeGreaterThanOrEqual(0);
    await drillDown(page, sites.nth(site).getByRole('link'), /#\/location\/\d+/);
    await sweep(page, 'site', 4);
    // The alert table names jars like the charts do, with the id on hover and a link to the jar.
    const alertJar = page.getByTestId('alerts-table').locator('a[href^="#/battery/"]').first();
    if ((await alertJar.count()) > 0) {
      await expect(alertJar).toHaveText(/ · S\d+ · J\d+$/);
      await expect(alertJar).toHaveAttribute('title', /^Jar id \d+$/);
    }

    await drillDown(page, page.getByTestId('children-table').getByRole('link').first(), /#\/system\/\d+/);
    await sweep(page, 'system', 4);
    await drillDown(page, page.getByTestId('children-table').getByRole('link').first(), /#\/string\/\d+/);
    await sweep(page, 'string', 4);
    const jarLink = page.getByTestId('jar-link').first();
    const jarName = (await jarLink.textContent()) ?? '';
    expect(jarName).toMatch(/ · S\d+ · J\d+$/);
    await drillDown(page, jarLink, /#\/battery\/\d+/);
    await sweep(page, 'jar', 4);
    await expect(page.getByTestId('dash-title')).toContainText(jarName);

    // The storage view: hot vs cold, the lake's datasets, one dataset's columns.
    await page.goto(webHost.link('compression'));
    await expect(page.getByTestId('datasets-chart')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('tiers-chart')).toBeVisible();
    await page.getByTestId('dataset-row').first().click();
    await expect(page.getByTestId('columns-chart')).toBeVisible({ timeout: 60_000 });
    expect(await checkCharts(page, 'compression')).toBe(3);

    expect(errors).toEqual([]);
  });
});
