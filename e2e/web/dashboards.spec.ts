import { test, expect } from '../support/fixtures';

const XSS_NAME = '<img src=x onerror=alert(1)>';

/** Dashboards on the demo the web host seeds on first start: draw, drill down, change range, stay safe. */
test.describe('battery dashboards', () => {
  test.setTimeout(420_000);

  test('fleet and jar pages draw, drill down by clicking, redraw on a range change, and show a hostile site name as text', async ({
    page,
    webHost,
  }) => {
    const pageErrors: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    await page.goto(webHost.link('fleet'));
    const sites = page.getByTestId('panel-fleet.sites');
    // First start seeds the small demo, syncs the mirror and builds the rollups.
    await expect(sites).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
    for (const id of ['fleet.sites', 'fleet.alerts', 'fleet.atRisk', 'fleet.hotspots', 'fleet.drift', 'fleet.freshness']) {
      await expect(page.getByTestId(`panel-${id}`)).toHaveAttribute('data-state', /ready|empty/);
    }
    await expect(page.getByTestId('chart-sites').locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId('chart-at-risk').locator('canvas')).toHaveCount(1);

    // Data freshness in site time: each site's newest reading in its own zone (Frankfurt is an hour ahead of London
    // in December), and in UTC once the picker says so.
    const freshness = page.getByTestId('freshness-table');
    const newest = async (site: string): Promise<string> =>
      (await freshness.getByRole('row').filter({ hasText: site }).getByRole('cell').nth(1).innerText()).trim();
    await expect(freshness.getByRole('columnheader').nth(1)).toHaveText('Newest reading (site time)');
    const hourOf = (s: string): number => Number(/(\d{2}):\d{2}$/.exec(s)?.[1]);
    expect((hourOf(await newest('Frankfurt')) - hourOf(await newest('London')) + 24) % 24).toBe(1);
    await page.getByLabel('Time zone').selectOption('utc');
    await expect(freshness.getByRole('columnheader').nth(1)).toHaveText('Newest reading (UTC)');
    expect(await newest('Frankfurt')).toBe(await newest('London'));
    await page.getByLabel('Time zone').selectOption('site');

    // A site named with markup, added to the hot store and synced: it shows as text.
    const api = async (channel: string, body: unknown): Promise<void> => {
      const res = await page.request.post(`${webHost.origin}/api/${channel}`, {
        data: body,
        headers: { authorization: `Bearer ${webHost.token}` },
      });
      expect(res.status(), `${channel}`).toBe(200);
    };
    await api('query.run', {
      sql: `INSERT INTO location VALUES (99, 'XSS1', '${XSS_NAME}', 'Nowhere', 'NL', 'UTC', 52.3, 4.9)`,
      target: 'hot',
      runId: 'e2e-xss-site',
      allowWrites: true,
    });
    await api('data.sync', {});
    await page.reload();
    await expect(page.getByTestId('sites-table')).toContainText(XSS_NAME, { timeout: 60_000 });
    await expect(page.locator('img[src="x"]')).toHaveCount(0);

    // Drill down by clicking: fleet → site → system → string → jar. Each level is read inside its own view: the
    // address changes before the page handles it, and the level above has the same panels, drawn.
    await page.getByTestId('sites-table').getByRole('link').first().click();
    await expect(page).toHaveURL(/#\/location\/\d+/);
    const site = page.getByTestId('location-view');
    await expect(site.getByTestId('panel-scope.children')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await site.getByTestId('children-table').getByRole('link').first().click();
    await expect(page).toHaveURL(/#\/system\/\d+/);
    const system = page.getByTestId('system-view');
    await expect(system.getByTestId('panel-scope.children')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await system.getByTestId('children-table').getByRole('link').first().click();
    await expect(page).toHaveURL(/#\/string\/\d+/);
    const string = page.getByTestId('string-view');
    await expect(string.getByTestId('panel-scope.stringVoltage')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(string.getByTestId('chart-string-voltage').locator('canvas')).toHaveCount(1);
    await string.getByTestId('jar-link').first().click();
    await expect(page).toHaveURL(/#\/battery\/\d+/);

    const voltage = page.getByTestId('panel-battery.voltage');
    await expect(voltage).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    for (const id of ['battery.temperature', 'battery.resistance', 'battery.rul', 'battery.health']) {
      await expect(page.getByTestId(`panel-${id}`)).toHaveAttribute('data-state', 'ready');
    }
    await expect(page.getByTestId('chart-voltage').locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId('health-badge').first()).toBeVisible();

    // Range change: 7 d → 24 h redraws with fewer readings.
    await page.getByTestId('range-7d').click();
    await expect(voltage).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    const footer = voltage.locator('.dash-panel-foot');
    const rowsOf = async (): Promise<number> =>
      Number(/([\d,]+) rows/.exec((await footer.textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? NaN);
    const weekRows = await rowsOf();
    const weekText = await page.getByTestId('range-text').textContent();
    await page.getByTestId('range-24h').click();
    await expect(page.getByTestId('range-text')).not.toHaveText(weekText ?? '');
    await expect(voltage).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect.poll(rowsOf).toBeLessThan(weekRows);
    await expect(page.getByTestId('chart-voltage').locator('canvas')).toHaveCount(1);

    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  test('opening the fleet page asks each panel once: at its drawn width, for the range it shows', async ({ page, webHost }) => {
    const FLEET_PANELS = ['fleet.sites', 'fleet.alerts', 'fleet.atRisk', 'fleet.hotspots', 'fleet.drift', 'fleet.freshness'];
    await page.goto(webHost.link('fleet'));
    await expect(page.getByTestId('panel-fleet.sites')).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });

    // A fresh page on the running host, every request of the panels recorded.
    const asked = new Map<string, Set<string>>();
    const lakeStatus: unknown[] = [];
    page.on('request', (r) => {
      // The fleet page's cold-coverage notes ask what a local lake answers without listing its files.
      if (r.url().endsWith('/api/storage.lakeStatus')) lakeStatus.push(JSON.parse(r.postData() ?? '{}'));
      if (!r.url().endsWith('/api/dashboard.panel')) return;
      const body = JSON.parse(r.postData() ?? '{}') as { panel: string; from: string; to: string; width: number };
      const seen = asked.get(body.panel) ?? new Set<string>();
      seen.add(`${body.from}/${body.to} at ${body.width} px`);
      asked.set(body.panel, seen);
    });
    await page.reload();
    for (const id of FLEET_PANELS)
      await expect(page.getByTestId(`panel-${id}`)).toHaveAttribute('data-state', /ready|empty/, { timeout: 60_000 });
    const shown = await page
      .getByTestId('panel-fleet.alerts')
      .locator('.dash-panel-body')
      .evaluate((el) => el.clientWidth);

    // Asked again only when the data changed (a rollup refresh), never for another width or range.
    for (const id of FLEET_PANELS) expect([...(asked.get(id) ?? [])], id).toHaveLength(1);
    const alerts = [...(asked.get('fleet.alerts') ?? [])][0];
    expect(alerts).toContain(`at ${Math.max(100, Math.round(shown / 50) * 50)} px`);
    // Nothing at start lists the lake.
    expect(lakeStatus.length).toBeGreaterThan(0);
    expect(lakeStatus).toEqual(lakeStatus.map(() => ({ coverageOnly: true })));
  });
});
