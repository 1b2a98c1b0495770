import { expect, test, type Page } from '@playwright/test';
import { encodeEnvelope } from '../../shared/api/envelope';
import { ARCHIVABLE_DATASETS } from '../../shared/api/archive';
import { SqlPage } from '../support/fixtures';
import { startDemoHost } from '../support/host-api';
import type { RunningWebHost } from '../support/web-host-process';

/**
 * The Archive view (issue 5) against its own web host: archiving moves the demo's hot rows to the lake,
 * so it gets a workspace of its own instead of the worker's shared one (other specs read the demo).
 */
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let host: RunningWebHost;

function count(text: string | null): number {
  const n = Number((text ?? '').replace(/[^\d]/g, ''));
  if (!Number.isFinite(n)) throw new Error(`Not a count: ${text}`);
  return n;
}

/**
 * Runs the tier query in the SQL view and reads the grid: rows per tier. The count column is named
 * per call (`label`), so the rows read are this query's and never a result still shown from before.
 */
async function telemetryByTier(page: Page, label: string): Promise<Map<string, number>> {
  await page.goto(host.link('sql'));
  const sql = new SqlPage(page);
  await expect(sql.editor).toBeVisible({ timeout: 30_000 });
  await sql.run(`SELECT tier, count(*) AS ${label} FROM telemetry GROUP BY tier ORDER BY tier`);
  await expect(sql.grid.getByRole('columnheader').filter({ hasText: label })).toBeVisible({ timeout: 30_000 });
  const rows = sql.grid.locator('[role="row"][aria-rowindex]');
  // Both tiers: the demo has cold days in the lake and hot days in PostgreSQL, before and after.
  await expect(rows).toHaveCount(2);
  const out = new Map<string, number>();
  for (const row of await rows.all()) {
    // A row is drawn before its window of data arrives: wait until it shows its tier and count.
    await expect(row.getByRole('gridcell').nth(0)).toHaveText(/^(hot|cold)$/);
    await expect(row.getByRole('gridcell').nth(1)).toHaveText(/\d/);
    const cells = await row.getByRole('gridcell').allTextContents();
    out.set(cells[0], count(cells[1]));
  }
  return out;
}

function total(byTier: Map<string, number>): number {
  return [...byTier.values()].reduce((a, b) => a + b, 0);
}

async function openArchive(page: Page): Promise<void> {
  await page.goto(host.link('archive'));
  await expect(page.getByTestId('archive-history')).toBeVisible({ timeout: 30_000 });
}

test.beforeAll(async ({ playwright }) => {
  host = await startDemoHost(playwright);
});

test.afterAll(async () => {
  await host?.stop();
});

test('the form: every dataset on, 7 days by default; a bad cut-off disables both actions and says why', async ({ page }) => {
  await openArchive(page);
  const boxes = page.getByTestId('archive-datasets').getByRole('checkbox');
  // One per dataset that archives (telemetry, string and ambient readings, cleared alerts, maintenance events).
  await expect(boxes).toHaveCount(ARCHIVABLE_DATASETS.length);
  for (const box of await boxes.all()) await expect(box).toBeChecked();
  await expect(page.getByTestId('archive-datasets')).toContainText('Cleared alerts');
  await expect(page.getByTestId('archive-days')).toHaveValue('7');

  await page.getByTestId('archive-days').fill('0');
  await expect(page.getByTestId('archive-dry-run')).toBeDisabled();
  await expect(page.getByTestId('archive-run')).toBeDisabled();
  await expect(page.getByText('at least 1 day')).toBeVisible();

  await page.getByTestId('archive-days').fill('3');
  for (const box of await boxes.all()) await box.uncheck();
  await expect(page.getByTestId('archive-run')).toBeDisabled();
  await expect(page.getByText('Choose at least one dataset.')).toBeVisible();
  await boxes.first().check();
  await expect(page.getByTestId('archive-run')).toBeEnabled();

  // Run asks first; Cancel in the dialog starts nothing.
  await page.getByTestId('archive-run').click();
  await expect(page.getByTestId('archive-confirm')).toContainText('delete');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByTestId('archive-confirm')).toHaveCount(0);
  await expect(page.getByTestId('archive-progress')).toHaveCount(0);
});

test('dry run, run with a report where every batch is done, the history, and the same telemetry total in SQL', async ({ page }) => {
  const before = await telemetryByTier(page, 'rows_before');
  expect(before.get('hot') ?? 0).toBeGreaterThan(0);

  await openArchive(page);
  await page.getByTestId('archive-days').fill('3');

  // Dry run: per dataset rows, days, bytes; telemetry has rows older than 3 days.
  await page.getByTestId('archive-dry-run').click();
  const plan = page.getByTestId('archive-plan');
  await expect(plan).toBeVisible({ timeout: 60_000 });
  const planned = count(await page.getByTestId('plan-rows-telemetry').textContent());
  expect(planned).toBeGreaterThan(0);
  await expect(plan).toContainText('Telemetry');
  await expect(plan).toContainText(/\d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2}/);
  await expect(plan).toContainText(/\d+(\.\d+)? (KB|MB)/);

  let plannedAll = 0;
  for (const cell of await plan.locator('[data-testid^="plan-rows-"]').all()) plannedAll += count(await cell.textContent());

  // Run: confirm (it quotes the dry run), then the report.
  await page.getByTestId('archive-run').click();
  await expect(page.getByTestId('archive-confirm')).toContainText(`${plannedAll.toLocaleString('en-US')} rows`);
  await page.getByTestId('archive-confirm-run').click();
  const report = page.getByTestId('archive-report');
  await expect(report).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('archive-error')).toHaveCount(0);
  const archived = count(await page.getByTestId('report-rows-archived').locator('.lake-stat-value').textContent());
  expect(archived).toBe(plannedAll);
  const batches = report.getByTestId('archive-batch');
  const n = await batches.count();
  expect(n).toBeGreaterThanOrEqual(3);
  for (const b of await batches.all()) await expect(b).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('report-batches')).toContainText(`${n} of ${n}`);
  await expect(page.getByTestId('archive-vacuum')).toContainText('telemetry');
  await expect(page.getByTestId('archive-master')).toContainText('master/battery/snapshot=');

  // The history lists the run, newest first, and expands to its report.
  const first = page.getByTestId('archive-history-item').first();
  await expect(first).toContainText('done');
  await expect(first).toContainText(`${archived.toLocaleString('en-US')} rows archived`);
  await first.getByRole('button').first().click();
  await expect(first.getByTestId('archive-batch')).toHaveCount(n);

  // Nothing lost, nothing counted twice: the same total, the archived telemetry rows now cold.
  const after = await telemetryByTier(page, 'rows_after');
  expect(total(after)).toBe(total(before));
  expect((after.get('cold') ?? 0) - (before.get('cold') ?? 0)).toBe(planned);
});

test('an error from the core shows as text with its message', async ({ page }) => {
  const hostile = 'PostgreSQL is not reachable <img src=x onerror=alert(1)>. Start it and run the archive again.';
  await page.route('**/api/archive.start', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/octet-stream',
      body: Buffer.from(encodeEnvelope({ ok: false, error: { code: 'HOT_UNAVAILABLE', message: hostile } })),
    }),
  );
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openArchive(page);
  await page.getByTestId('archive-dry-run').click();
  const error = page.getByTestId('archive-error');
  await expect(error).toContainText(hostile);
  await expect(error).toContainText('HOT_UNAVAILABLE');
  await expect(error.locator('img')).toHaveCount(0);
  expect(dialogs).toBe(0);
});
