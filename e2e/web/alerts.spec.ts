import type { AlertRule } from '../../shared/api/alerts';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';
import { watchPage } from '../support/page-watch';

/** The Alerts view on the demo: the shipped rules, a dry run that shows what would have fired, a rule switched off, a run now. */
test.describe('alert rules', () => {
  test.setTimeout(300_000);

  test('lists the shipped rules, tests one over the last week, switches one off and runs the rules now', async ({
    page,
    webHost,
    request,
  }) => {
    const { pageErrors, dialogs } = watchPage(page);
    await waitForDemo(webHost, request);
    await page.goto(webHost.link('alerts'));
    const rules = page.getByTestId('alert-rules');
    for (const id of ['jar-hotspot', 'jar-voltage-low', 'string-spread-high'])
      await expect(rules.locator(`tr[data-rule="${id}"]`)).toBeVisible();

    // The demo's hotspot jars run hot all along: a dry run over the last 7 days shows each of them, with links to the jar.
    await rules.locator('tr[data-rule="jar-hotspot"]').click();
    await expect(page.getByTestId('alert-rule-sql')).toContainText('string_telemetry');
    await page.getByTestId('alert-test').click();
    await expect(page.getByTestId('alert-test-summary')).toContainText('would have fired', { timeout: 60_000 });
    const episodes = page.getByTestId('alert-test-episodes');
    expect(await episodes.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    await expect(episodes.locator('tbody tr').first().getByRole('link').first()).toHaveAttribute('href', /^#\/battery\/\d+$/);

    // An empty range says so, in words. Times are typed (here with a T, as a datetime-local value has it); each field's
    // calendar button is named after it.
    await expect(page.getByRole('button', { name: 'Test from: pick from a calendar' })).toBeVisible();
    await page.getByLabel('Test from', { exact: true }).fill('2024-01-02T00:00');
    await expect(page.getByLabel('Test from', { exact: true })).toHaveValue('2024-01-02T00:00');
    await page.getByLabel('Test to', { exact: true }).fill('2024-01-01T00:00');
    await page.getByTestId('alert-test').click();
    await expect(page.getByText(/The range is empty/)).toBeVisible();

    // Switched off in the view, off in the core.
    await rules.locator('tr[data-rule="string-spread-high"]').getByRole('checkbox').uncheck();
    await expect
      .poll(
        async () =>
          (await callHost<{ rules: AlertRule[] }>(webHost, request, 'alerts.rules', {})).rules.find((r) => r.id === 'string-spread-high')
            ?.enabled,
      )
      .toBe(false);

    // Run now: the enabled rules raise their alerts in the hot store, said in a line.
    await page.getByTestId('alerts-run').click();
    await expect(page.getByTestId('alerts-run-summary')).toContainText(/2 rule\(s\): \d+ raised/, { timeout: 60_000 });
    // ... and the app tells of them in a notice, each with a link to its jar.
    const notice = page.getByTestId('alerts-raised-notice');
    await expect(notice).toBeVisible();
    await expect(notice.getByRole('link').first()).toHaveAttribute('href', /^#\/battery\/\d+$/);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
