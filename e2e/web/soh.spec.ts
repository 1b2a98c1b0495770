import type { SohJarRow, SohResult } from '../../shared/api/soh';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';
import { chartMarkers as markersOf, HOSTILE_TEXT as HOSTILE, watchPage } from '../support/page-watch';

/** State of health on the demo: a degraded jar's trend with its knee and RUL, and the fleet's weakest jars linking to theirs. */
test.describe('state of health', () => {
  test.setTimeout(480_000);

  test('a degraded jar shows its knee and RUL; the fleet ranks the weakest jars and links to them; database text stays text', async ({
    page,
    webHost,
    request,
  }, testInfo) => {
    const { pageErrors, dialogs } = watchPage(page);
    await waitForDemo(webHost, request);

    // The whole small demo (14 days) is inside 30 days: the fit sees every day, as soh.jars over its whole history.
    await page.goto(webHost.link('fleet'));
    await page.getByTestId('range-30d').click();
    const weakest = page.getByTestId('panel-fleet.weakest');
    await expect(weakest).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });
    const links = page.getByTestId('weakest-jar-link');
    expect(await links.count()).toBeGreaterThan(0);
    expect(await links.count()).toBeLessThanOrEqual(20);
    await expect(weakest.getByRole('button', { name: 'SQL', exact: true })).toBeEnabled();

    // A degraded jar: the one with a knee and the lowest SoH, by the analysis itself.
    const { rows } = await callHost<SohResult>(webHost, request, 'soh.jars', {});
    const kneed = rows.filter((r) => r.knee_date !== null && r.soh_pct !== null).sort((a, b) => a.soh_pct! - b.soh_pct!);
    expect(kneed.length).toBeGreaterThan(0);
    const jar: SohJarRow = kneed.find((r) => r.rul.status === 'ok') ?? kneed[0];
    const kneeDay = jar.knee_date!.slice(0, 10);

    // A rul_prediction row whose model_version is markup: its label shows it as text.
    await callHost(webHost, request, 'query.run', {
      sql: `INSERT INTO rul_prediction (battery_id, predicted_at, rul_days, resistance_mohm, confidence, model_version)
        SELECT battery_id, max(predicted_at) + INTERVAL '1 second', 77, 5, 0.5, '${HOSTILE}' FROM rul_prediction WHERE battery_id = ${jar.battery_id} GROUP BY battery_id`,
      target: 'hot',
      runId: 'e2e-soh-hostile',
      allowWrites: true,
    });
    await callHost(webHost, request, 'data.sync', {});

    await page.goto(webHost.link(`battery/${jar.battery_id}`));
    const panel = page.getByTestId('panel-battery.soh');
    await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('soh-knee')).toHaveText(kneeDay);
    await expect.poll(() => markersOf(page.getByTestId('chart-soh')), { timeout: 30_000 }).toContain(`knee ${kneeDay}`);
    const rul = page.getByTestId('soh-rul');
    const days = jar.rul.days ?? 0;
    const daysShown = days < 10 && !Number.isInteger(days) ? days.toFixed(1) : String(Math.round(days));
    if (jar.rul.status === 'ok') await expect(rul).toContainText(new RegExp(`^${daysShown.replace('.', '\\.')} days? \\(`));
    else if (jar.rul.status === 'reached') await expect(rul).toHaveText('end of life reached');
    else await expect(rul).toContainText('not enough history to extrapolate');
    await expect(page.getByTestId('soh-now')).toContainText(`${jar.soh_pct!.toFixed(1)} %`);
    await expect(panel).toContainText(`RUL (${HOSTILE})`);
    await expect(page.getByTestId('soh-rul-table')).toHaveText('77 days');
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await panel.screenshot({ path: testInfo.outputPath('soh-battery-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.screenshot({ path: testInfo.outputPath('soh-battery-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // The fleet's weakest jars: lowest SoH first; a row's link opens that jar's page.
    await page.goto(webHost.link('fleet'));
    await expect(weakest).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await weakest.screenshot({ path: testInfo.outputPath('soh-fleet-weakest.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('soh-fleet-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    const first = links.first();
    const firstName = (await first.textContent()) ?? '';
    const href = (await first.getAttribute('href')) ?? '';
    expect(href).toMatch(/#\/battery\/\d+$/);
    await first.click();
    await expect(page).toHaveURL(new RegExp(`${href.replace(/[#/]/g, (c) => `\\${c}`)}$`));
    await expect(page.getByTestId('panel-battery.soh')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('dash-title')).toContainText(firstName);

    // "Open as SQL": the analysis's own query, in the editor.
    await page.getByTestId('panel-battery.soh').getByRole('button', { name: 'SQL', exact: true }).click();
    const editor = page.locator('.cm-content').first();
    // The editor draws only the lines in view: the query's head (its later CTEs, soh_fit and soh_verdict, are below).
    await expect(editor).toContainText('-- State of health', { timeout: 30_000 });
    await expect(editor).toContainText('WITH soh_daily AS (');

    // The end-of-life thresholds, edited beside the health classes: a bad one is refused, a good one moves the RUL's target.
    await page.goto(webHost.link('fleet'));
    const eol = page.getByTestId('eol-settings');
    await eol.getByLabel('End of life at SoH').fill('120');
    await expect(eol).toContainText('The end-of-life state of health must be above 0 % and below 100 %.');
    await expect(eol.getByRole('button', { name: 'Save end of life' })).toBeDisabled();
    await eol.getByLabel('End of life at SoH').fill('90');
    await eol.getByRole('button', { name: 'Save end of life' }).click();
    await expect(eol).toContainText('Saved.');
    await expect(eol).toContainText('a state of health of 90 %');
    await page.goto(webHost.link(`battery/${jar.battery_id}`));
    await expect(page.getByTestId('panel-battery.soh')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('panel-battery.soh')).toContainText('90 % SoH (+25 % resistance)');
    await page.goto(webHost.link('fleet'));
    await page.getByTestId('eol-settings').getByRole('button', { name: 'Reset to defaults' }).click();
    await expect(page.getByTestId('eol-settings')).toContainText('a state of health of 80 %');

    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
