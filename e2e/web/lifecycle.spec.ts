import { expect, test } from '@playwright/test';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetentionPlan, TierPlan } from '../../shared/api/lifecycle';
import { callHost, startDemoHost } from '../support/host-api';
import { watchPage } from '../support/page-watch';
import type { RunningWebHost } from '../support/web-host-process';

/**
 * The Lifecycle view against its own web host: retention deletes the demo's oldest raw days, so it gets a workspace of
 * its own instead of the worker's shared one (other specs read the demo).
 */
test.describe.configure({ mode: 'serial', timeout: 300_000 });

let host: RunningWebHost;
let workspace: string;
let archive: string;

test.beforeAll(async ({ playwright }) => {
  // The lake has an archive folder: its colder tier.
  workspace = await mkdtemp(join(tmpdir(), 'bw-e2e-lifecycle-'));
  archive = await mkdtemp(join(tmpdir(), 'bw-e2e-archive-'));
  await writeFile(join(workspace, 'settings.json'), JSON.stringify({ hot: { kind: 'embedded' }, lake: { archivePath: archive } }));
  host = await startDemoHost(playwright, { workspace });
});

test.afterAll(async () => {
  await host?.stop();
  // The spec's own workspace (the host removes only one it made): once it is gone, the next embedded PostgreSQL start
  // sweeps its cluster.
  if (workspace) await rm(workspace, { recursive: true, force: true });
  if (archive) await rm(archive, { recursive: true, force: true });
});

test('a tier step set in the view; the dry run says what would move; Move now moves it to the archive folder; the cost shows both tiers', async ({
  page,
  request,
}) => {
  const { pageErrors, dialogs } = watchPage(page);
  await page.goto(host.link('lifecycle'));
  const row = page.getByTestId('policy-telemetry');
  await expect(row).toBeVisible({ timeout: 30_000 });
  // A dataset without its own hot window keeps the archive job's "older than" (7 days unless changed): the field shows it.
  await expect(page.getByTestId('policy-string_telemetry').getByLabel('string_telemetry hot days')).toHaveAttribute('placeholder', '7');
  await row.getByLabel('telemetry archive after days').fill('0');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.locator('.inline-error')).toContainText('The days before archive is a whole number of days, 1 or more');
  await row.getByLabel('telemetry archive after days').fill('3');
  await row.getByLabel('telemetry hot days').fill('2');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('policy-telemetry').getByLabel('telemetry archive after days')).toHaveValue('3');
  await expect(page.getByTestId('policy-telemetry').getByLabel('telemetry hot days')).toHaveValue('2');
  // A dataset the archive never moves from PostgreSQL has no hot window.
  await expect(page.getByTestId('policy-calc_telemetry').getByLabel('calc_telemetry hot days')).toBeDisabled();

  const card = page.getByTestId('tiers-card');
  await expect(card).toContainText('folders: standard → archive');
  await card.getByLabel('tier dataset').selectOption('telemetry');
  await card.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByTestId('tiers-summary')).toContainText(
    /^\d+ file\(s\) \(.+, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\) to archive\.$/,
  );
  const plan = await callHost<TierPlan>(host, request, 'lifecycle.tierPlan', { dataset: 'telemetry' });
  const moving = plan.moves[0].files;
  expect(moving).toBeGreaterThan(0);
  await card.getByRole('button', { name: 'Move now' }).click();
  await expect(page.getByTestId('tiers-report')).toContainText(`Moved ${moving} file(s)`, { timeout: 60_000 });
  await expect(page.getByTestId('tiers-summary')).toContainText('nothing to move');
  const inArchive = (await readdir(join(archive, 'telemetry'), { recursive: true })).filter((f) => String(f).endsWith('.parquet'));
  expect(inArchive.length).toBe(moving);

  // The cost projection: per tier today (after the move) and with the policies applied, prices editable.
  await page.goto(host.link('compression'));
  const tiers = page.getByTestId('cost-tiers');
  await expect(tiers).toBeVisible({ timeout: 30_000 });
  await expect(tiers.locator('tbody tr')).toHaveCount(3);
  await page.getByTestId('price-tier-archive').fill('abc');
  await expect(tiers).toContainText('Prices must be numbers of dollars');
  await page.getByTestId('price-tier-archive').fill('0.001');
  await expect(page.getByTestId('cost-tier-saving')).toContainText('$');
  expect(pageErrors).toEqual([]);
  expect(dialogs).toEqual([]);
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
