import { expect, test } from '@playwright/test';
import type { RetentionPlan } from '../../shared/api/lifecycle';
import { callHost, startDemoHost } from '../support/host-api';
import { watchPage } from '../support/page-watch';
import type { RunningWebHost } from '../support/web-host-process';

/**
 * The Lifecycle view against its own web host: retention deletes the demo's oldest raw days, so it gets a workspace of
 * its own instead of the worker's shared one (other specs read the demo).
 */
test.describe.configure({ mode: 'serial', timeout: 300_000 });

let host: RunningWebHost;

test.beforeAll(async ({ playwright }) => {
  host = await startDemoHost(playwright);
});

test.afterAll(async () => {
  await host?.stop();
});

test('a retention period and a legal hold set in the view; the dry run lists the days; deleting asks first, then the rollups keep them', async ({
  page,
  request,
}) => {
  const { pageErrors, dialogs } = watchPage(page);
  await page.goto(host.link('lifecycle'));
  const row = page.getByTestId('policy-telemetry');
  await expect(row).toBeVisible({ timeout: 30_000 });
  // A dataset no rollup is built from says why it takes no period.
  await expect(page.getByTestId('policy-maintenance_event')).toContainText('kept whole: no gold rollup is built from it');
  await expect(page.getByTestId('policy-maintenance_event').getByLabel('maintenance_event retention days')).toBeDisabled();

  await row.getByLabel('telemetry retention days').fill('ten');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.locator('.inline-error')).toContainText('whole number of days');
  await row.getByLabel('telemetry retention days').fill('10');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('policy-telemetry').getByLabel('telemetry retention days')).toHaveValue('10');

  // The demo's rollups are built in the background after it lands: wait until they cover every old day.
  await expect
    .poll(
      async () => {
        const plan = await callHost<RetentionPlan>(host, request, 'lifecycle.retention', { dataset: 'telemetry' });
        return plan.days.length > 0 && plan.days.every((d) => d.status === 'retire');
      },
      { timeout: 120_000 },
    )
    .toBe(true);

  // The Compression view's cost projection says what the policy would delete and save.
  await page.goto(host.link('compression'));
  await expect(page.getByTestId('cost-retention')).toContainText('With the retention policies applied (telemetry: 10 days)', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('cost-retention-saving')).toContainText('$');
  await page.goto(host.link('lifecycle'));

  await page.getByTestId('policy-telemetry').getByLabel('telemetry legal hold').click();
  const card = page.getByTestId('retention-card');
  await card.getByLabel('retention dataset').selectOption('telemetry');
  await card.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByTestId('retention-summary')).toContainText('A legal hold is on for telemetry');
  await expect(card.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
  await page.getByTestId('policy-telemetry').getByLabel('telemetry legal hold').click();
  await expect(page.getByTestId('policy-telemetry').getByLabel('telemetry legal hold')).not.toBeChecked();

  await card.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByTestId('retention-summary')).toContainText(/^\d+ day\(s\) of telemetry before \d{4}-\d{2}-\d{2} would be deleted/);
  const days = await page.getByTestId('retention-days').locator('tbody tr').count();
  expect(days).toBeGreaterThan(0);
  await card.getByRole('button', { name: `Delete ${days} day(s)…` }).click();
  const confirm = page.getByRole('alertdialog', { name: 'confirm retention' });
  await expect(confirm).toContainText('cannot be brought back');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  const before = await callHost<RetentionPlan>(host, request, 'lifecycle.retention', { dataset: 'telemetry' });
  expect(before.retired.days).toBe(0);

  await card.getByRole('button', { name: `Delete ${days} day(s)…` }).click();
  await confirm.getByRole('button', { name: 'Yes, delete them' }).click();
  await expect(page.getByTestId('retention-report')).toContainText(`Deleted the raw rows of ${days} day(s)`, { timeout: 60_000 });
  await expect(page.getByTestId('retention-summary')).toContainText('nothing to delete');
  await expect(card).toContainText(`Retired earlier: ${days} day(s)`);
  const after = await callHost<RetentionPlan>(host, request, 'lifecycle.retention', { dataset: 'telemetry' });
  expect(after.retired).toEqual({ days, first: before.days[0].date, last: before.days[days - 1].date });
  expect(pageErrors).toEqual([]);
  expect(dialogs).toEqual([]);
});
