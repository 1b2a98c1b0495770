import type { AnomaliesResult, EventsResult } from '../../shared/api/analytics';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';
import { chartMarkers as markersOf, HOSTILE_TEXT as HOSTILE, watchPage } from '../support/page-watch';

/** Discharge events and sibling anomalies on the demo: a string's seeded outage, a jar's z-scores, the fleet's Anomalies now. */
test.describe('events and anomalies', () => {
  test.setTimeout(480_000);

  test('a string shows its outage in the events table, a jar its z-scores, and the fleet its anomalies linking to jars', async ({
    page,
    webHost,
    request,
  }, testInfo) => {
    const { pageErrors, dialogs } = watchPage(page);
    await waitForDemo(webHost, request);

    // The analysis over the whole demo says which strings discharged (every string of a site with a seeded outage).
    const all = await callHost<EventsResult>(webHost, request, 'analytics.events', {
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
      kinds: ['discharge'],
    });
    const outage = all.events.find((e) => e.weakest_battery_id !== null && e.depth_pct > 1);
    expect(outage, 'a seeded outage').toBeDefined();
    const mine = all.events.filter((e) => e.string_id === outage!.string_id);

    // The string page over 30 days (the small demo is 14): the timeline and one table row per discharge.
    await page.goto(webHost.link(`string/${outage!.string_id}`));
    await page.getByTestId('range-30d').click();
    const table = page.getByTestId('panel-string.discharges');
    await expect(table).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('discharge-row')).toHaveCount(mine.length);
    const row = page.getByTestId('discharge-row').nth(mine.indexOf(outage!));
    await expect(row).toContainText(outage!.depth_pct.toFixed(1));
    await expect(row).toContainText(outage!.min_voltage_v.toFixed(2));
    const weakest = row.getByTestId('weakest-jar');
    await expect(weakest).toHaveAttribute('href', new RegExp(`#/battery/${outage!.weakest_battery_id}$`));
    await expect(weakest).toHaveText(/ · S\d+ · J\d+$/);
    await expect(page.getByTestId('panel-string.events')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('panel-string.efc')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('efc-string')).toContainText('equivalent full cycles');
    await expect(page.getByTestId('panel-string.spread')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(table.getByRole('button', { name: 'SQL', exact: true })).toBeEnabled();
    // The app scrolls inside its own pane: each panel is shot on its own, in both themes.
    const shots = ['string.events', 'string.discharges', 'string.efc', 'string.spread'];
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      for (const id of shots) await page.getByTestId(`panel-${id}`).screenshot({ path: testInfo.outputPath(`events-${id}-${theme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // "Open as SQL": the events analysis's own query, in the editor.
    await table.getByRole('button', { name: 'SQL', exact: true }).click();
    const editor = page.locator('.cm-content').first();
    await expect(editor).toContainText('-- Discharge events', { timeout: 30_000 });
    await expect(editor).toContainText('classed AS (');

    // The fleet's Anomalies now: ranked, each row linking to its jar; the first one's page shows its z-scores.
    await page.goto(webHost.link('fleet'));
    await page.getByTestId('range-30d').click();
    const anomalies = page.getByTestId('panel-fleet.anomalies');
    await expect(anomalies).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
    const analysis = await callHost<AnomaliesResult>(webHost, request, 'analytics.anomalies', {
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
    });
    expect(analysis.anomalies.some((a) => a.kind === 'hotspot')).toBe(true);
    await expect(anomalies.getByRole('cell', { name: 'Hotspot', exact: true }).first()).toBeVisible();

    // A site named with markup: the table shows its name as text.
    const top = analysis.anomalies[0];
    const rename = async (sql: string, runId: string): Promise<void> => {
      await callHost(webHost, request, 'query.run', { sql, target: 'hot', runId, allowWrites: true });
      await callHost(webHost, request, 'data.sync', {});
    };
    const siteOfTop = `(SELECT y.location_id FROM battery b JOIN battery_string s ON s.string_id = b.string_id
      JOIN battery_system y ON y.system_id = s.system_id WHERE b.battery_id = ${top.battery_id})`;
    await rename(`UPDATE location SET name = name || ' ${HOSTILE}' WHERE location_id = ${siteOfTop}`, 'e2e-events-hostile');
    await page.reload();
    await expect(anomalies).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(anomalies.getByRole('cell', { name: HOSTILE }).first()).toBeVisible();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await rename(`UPDATE location SET name = replace(name, ' ${HOSTILE}', '') WHERE location_id = ${siteOfTop}`, 'e2e-events-hostile-undo');
    await page.reload();
    await expect(anomalies).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await anomalies.screenshot({ path: testInfo.outputPath('events-fleet-anomalies.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await anomalies.screenshot({ path: testInfo.outputPath('events-fleet-anomalies-dark.png') });
    await page.getByTestId('anomaly-settings').screenshot({ path: testInfo.outputPath('events-fleet-settings-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    const outlier = anomalies.getByTestId('anomaly-row').filter({ hasText: 'Voltage outlier' }).first();
    const link = outlier.getByTestId('anomaly-jar-link');
    const name = (await link.textContent()) ?? '';
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/#\/battery\/\d+$/);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${href.replace(/[#/]/g, (c) => `\\${c}`)}$`));
    await expect(page.getByTestId('dash-title')).toContainText(name);
    const z = page.getByTestId('panel-battery.zscore');
    await expect(z).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('z-facts')).toContainText('Persistent outlier: |z| ≥ 3 for at least 6 h');
    // The jar's largest voltage |z| in range is past the threshold.
    const facts = (await page.getByTestId('z-facts').textContent()) ?? '';
    expect(Math.abs(Number(/voltage (-?\d+\.\d)/.exec(facts)?.[1]))).toBeGreaterThanOrEqual(3);
    await expect.poll(() => markersOf(page.getByTestId('chart-zscore')), { timeout: 30_000 }).toContain('|z| ≥ 3');
    await z.screenshot({ path: testInfo.outputPath('events-jar-zscore.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await z.screenshot({ path: testInfo.outputPath('events-jar-zscore-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // The thresholds, edited on the fleet page: a bad one is refused; a saved one moves the jar's threshold line.
    await page.goto(webHost.link('fleet'));
    const settings = page.getByTestId('anomaly-settings');
    const zInput = settings.getByRole('spinbutton', { name: 'Outlier at |z| ≥' });
    await zInput.fill('0');
    await expect(settings.locator('.inline-error')).toContainText('These thresholds cannot be used (Outlier at |z| ≥:');
    await expect(settings.getByRole('button', { name: 'Save thresholds' })).toBeDisabled();
    await zInput.fill('4');
    await settings.getByRole('button', { name: 'Save thresholds' }).click();
    await expect(settings).toContainText('Saved.');
    await page.goto(webHost.link(href.replace(/^#\//, '')));
    await expect(page.getByTestId('z-facts')).toContainText('|z| ≥ 4 for at least 6 h', { timeout: 120_000 });
    await callHost(webHost, request, 'analytics.setAnomalyThresholds', { thresholds: null });

    // The site's sign convention, set on its page: read as "positive = discharge", the outage is a charge and
    // leaves the string's table; back to the fleet default, it is there again.
    // Links and buttons are taken inside the view routed to: the address changes before the page handles it, and
    // the page left (a jar's, a site's) has a site link and a range picker of its own.
    const stringView = page.getByTestId('string-view');
    const outageRow = () => stringView.getByTestId('discharge-row').filter({ hasText: outage!.min_voltage_v.toFixed(2) });
    const sign = page.getByTestId('location-view').getByTestId('site-sign');
    const setSign = async (convention: string): Promise<void> => {
      await page.goto(webHost.link(`string/${outage!.string_id}`));
      await stringView.locator('a[href*="#/location/"]').first().click();
      await sign.getByRole('combobox', { name: 'Sign convention of this site' }).selectOption(convention);
      await expect(sign).toContainText('Saved.');
      await page.goto(webHost.link(`string/${outage!.string_id}`));
      await stringView.getByTestId('range-30d').click();
      await expect(stringView.getByTestId('panel-string.discharges')).toHaveAttribute('data-state', /^(ready|empty)$/, {
        timeout: 120_000,
      });
    };
    await setSign('positive_discharge');
    await expect(outageRow()).toHaveCount(0);
    await setSign('default');
    await expect(outageRow()).toHaveCount(1, { timeout: 120_000 });

    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
