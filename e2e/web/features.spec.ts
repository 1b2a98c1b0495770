import type { FeatureSetInfo } from '../../shared/api/features';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';
import { chartMarkers, watchPage } from '../support/page-watch';

/** The Features view on the demo: both sets listed, materialized from the view, a set's SQL in the editor, its drift drawn. */
test.describe('feature sets', () => {
  test.setTimeout(480_000);

  test('lists both demo sets, materializes them, opens a definition in the editor and draws the drift with an editable line', async ({
    page,
    webHost,
    request,
  }) => {
    const { pageErrors, dialogs } = watchPage(page);
    await waitForDemo(webHost, request);
    await page.goto(webHost.link('features'));
    const sets = page.getByTestId('features-sets');
    await expect(sets.getByTestId('features-set-jar_daily_stats')).toBeVisible({ timeout: 60_000 });
    await expect(sets.getByTestId('features-set-string_daily_spread')).toBeVisible();

    // Materialize from the view; the versions table then shows v1 with its days, as features.list says.
    await page.getByRole('button', { name: 'Materialize all' }).click();
    const versions = page.getByTestId('features-versions');
    await expect(versions).toContainText('v1 (current)', { timeout: 300_000 });
    const { sets: listed } = await callHost<{ sets: FeatureSetInfo[] }>(webHost, request, 'features.list', {});
    const jar = listed.find((s) => s.name === 'jar_daily_stats')!;
    expect(jar.versions[0]!.days).toBeGreaterThan(7);
    await expect(versions).toContainText('features.jar_daily_stats_v1');
    await expect(page.getByTestId('features-lineage')).toHaveText('reads telemetry');
    await expect(page.getByTestId('features-columns')).toContainText('resistance_slope_7d');

    // The drift chart: a line per numeric column, the alarm line at the workspace's 0.25.
    const chart = page.getByTestId('chart-drift');
    await expect(chart).toBeVisible({ timeout: 60_000 });
    await expect.poll(() => chartMarkers(chart), { timeout: 30_000 }).toContain('shifted at 0.25');
    await expect(page.getByTestId('features-drift-table').locator('tbody tr')).toHaveCount(jar.columns.length);

    // The line is editable and kept: 0.1 is drawn, refused nonsense leaves it, Default brings 0.25 back.
    const line = page.getByLabel('PSI alarm line');
    await line.fill('0.1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => chartMarkers(chart), { timeout: 30_000 }).toContain('shifted at 0.1');
    await page.reload();
    await expect(page.getByLabel('PSI alarm line')).toHaveValue('0.1', { timeout: 60_000 });
    await page.getByLabel('PSI alarm line').fill('-3');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('features-drift')).toContainText('above 0 and at most 10');
    await page.getByRole('button', { name: 'Default', exact: true }).click();
    await expect(page.getByLabel('PSI alarm line')).toHaveValue('0.25');

    // The other set, and its definition in the editor (with its window parameters).
    await sets.getByTestId('features-set-string_daily_spread').click();
    await expect(page.getByTestId('features-lineage')).toHaveText('reads telemetry, battery');
    await page.getByTestId('features-open-sql').click();
    await expect(page).toHaveURL(/#\/sql/);
    const editor = page.locator('.cm-content').first();
    await expect(editor).toContainText('Feature set string_daily_spread');
    await expect(editor).toContainText('$window_start');
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
