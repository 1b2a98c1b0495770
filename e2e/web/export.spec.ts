import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';
import { waitForDemo } from '../support/host-api';
import type { RunningWebHost } from '../support/web-host-process';

/** Opens #/export once the first-start demo has filled the workspace (the estimate counts rows). */
async function openExportView(page: Page, host: RunningWebHost): Promise<void> {
  await page.goto(host.link('export'));
  await expect
    .poll(
      async () => {
        // The token stays in this tab's sessionStorage: a reload needs no link.
        await page.reload();
        const rows = page.getByTestId('estimate-rows');
        await rows.waitFor({ timeout: 20_000 }).catch(() => undefined);
        return (await rows.count()) > 0 ? Number((await rows.textContent())?.replace(/\D/g, '') ?? '0') : 0;
      },
      { timeout: 180_000, intervals: [2_000] },
    )
    .toBeGreaterThan(0);
}

test.describe('training-slice export view', () => {
  test('estimate, run with a split by jar, then the manifest summary', async ({ page, webHost }) => {
    await openExportView(page, webHost);
    await page.getByText('By jar').click();
    await page.getByTestId('slice-labels').selectOption('rul_prediction');
    const estimate = page.getByTestId('slice-estimate');
    await expect(estimate.getByText('train', { exact: true })).toBeVisible({ timeout: 30_000 });
    const estimated = Number((await page.getByTestId('estimate-rows').textContent())?.replace(/\D/g, ''));
    await page.getByTestId('slice-run').click();
    const summary = page.getByTestId('slice-summary');
    await expect(summary).toBeVisible({ timeout: 60_000 });
    expect(Number((await page.getByTestId('summary-rows').textContent())?.replace(/\D/g, ''))).toBe(estimated);
    await expect(page.getByTestId('summary-hash')).toHaveText(/^sha256:[0-9a-f]{64}$/);
    const dir = (await page.getByTestId('summary-dir').textContent()) ?? '';
    expect(dir.startsWith(join(webHost.workspace, 'exports'))).toBe(true);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      rows: number;
      files: { path: string }[];
      spec: { split: unknown };
    };
    expect(manifest.rows).toBe(estimated);
    expect(manifest.files.map((f) => f.path)).toEqual(['train/part-0000.parquet', 'test/part-0000.parquet']);
    await page.getByTestId('open-folder').click();
    await expect(page.getByTestId('folder-panel')).toContainText(dir);
    // The link holds no credential; a click fetches a one-time URL with the token header and downloads it.
    const link = page.getByTestId('manifest-download');
    expect(await link.getAttribute('href')).toMatch(/^\/download\/.+\/manifest\.json$/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.url()).toMatch(/\/manifest\.json\?ticket=[A-Za-z0-9_-]+$/);
    expect(download.url()).not.toContain(webHost.token);
    expect(download.suggestedFilename()).toBe('manifest.json');
    expect(JSON.parse(await readFile(await download.path(), 'utf8'))).toEqual(manifest);
    // The ticket was spent by that download: the same URL now refuses.
    expect((await page.request.get(download.url())).status()).toBe(401);
  });

  test('times are typed and shown as YYYY-MM-DD HH:MM (UTC), not in the browser locale', async ({ page, webHost }) => {
    await openExportView(page, webHost);
    const from = page.getByTestId('slice-from');
    await expect(from).toHaveValue(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // "Use all" writes the data's first hour in the same form as the hint beside it.
    await page.getByRole('button', { name: 'Use all' }).click();
    const hint = (await page.getByText(/^Data from /).textContent()) ?? '';
    expect(hint).toContain(`Data from ${(await from.inputValue()).slice(0, 13)}`);
    // A day that does not exist is refused and named, not rolled over to March.
    await from.fill('2026-02-30 00:00');
    await expect(from).toHaveAttribute('aria-invalid', 'true');
    await expect(
      page.getByText('From: "2026-02-30 00:00" is not a date and time; write it as YYYY-MM-DD HH:MM (UTC, 24 h).'),
    ).toBeVisible();
    await from.fill('2026-02-28 00:00');
    await expect(from).toHaveAttribute('aria-invalid', 'false');
    await expect(page.getByText(/is not a date and time/)).toHaveCount(0);
  });

  test('a pasted spec with a bad field names the field', async ({ page, webHost }) => {
    await openExportView(page, webHost);
    await page.getByRole('button', { name: 'Paste spec…' }).click();
    await page
      .getByLabel('Spec or manifest JSON')
      .fill(JSON.stringify({ dataset: 'telemetry', from: '2024-05-02', to: '2024-05-01', columns: ['volts'] }));
    await page.getByRole('button', { name: 'Use this spec' }).click();
    await expect(page.getByText(/columns\[0\]: unknown column "volts"/)).toBeVisible();
    await expect(page.getByText(/to: must be after from/)).toBeVisible();
  });
});

test.describe('result grid export', () => {
  test('Export… writes the whole result, not only the loaded rows', async ({ app, webHost }) => {
    await app.run('SELECT range AS n, range * 2 AS twice FROM range(70000)');
    await expect(app.cell('0').first()).toBeVisible({ timeout: 30_000 });
    await app.page.getByTestId('export-result').click();
    const dialog = app.page.getByTestId('export-dialog');
    await expect(dialog).toContainText(/70[,.\u202f\u00a0 ]?000/);
    await dialog.getByText('JSON', { exact: true }).click();
    await app.page.getByTestId('export-start').click();
    const path = app.page.getByTestId('export-path');
    await expect(path).toBeVisible({ timeout: 60_000 });
    const file = (await path.textContent()) ?? '';
    expect(file.startsWith(join(webHost.workspace, 'exports'))).toBe(true);
    const rows = JSON.parse(await readFile(file, 'utf8')) as { n: number; twice: number }[];
    expect(rows).toHaveLength(70000);
    expect(rows[69999]).toEqual({ n: 69999, twice: 139998 });
    const link = app.page.getByTestId('export-download');
    await expect(link).toHaveAttribute('href', /^\/download\/result-.*\.json$/);
    const [download] = await Promise.all([app.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(basename(file));
    expect(await readFile(await download.path(), 'utf8')).toBe(await readFile(file, 'utf8'));
  });

  test('an export that cannot hold its memory budget says so in the job list', async ({ app, webHost, request }) => {
    // The first-start demo holds a budget of its own, which a job started meanwhile shares: it ends first.
    await waitForDemo(webHost, request);
    const runAll = async (sql: string): Promise<void> => {
      await app.setSql(sql);
      await app.page.getByRole('button', { name: 'Run all' }).click();
    };
    // Memory DuckDB can neither free nor spill: a temporary table of this session (384 MB) far above the budget, and a
    // temp folder capped with room for what earlier specs left in it (the host is shared, and that grows meanwhile),
    // not for the 256 MB the table would have to move there.
    await app.run(`SELECT CAST(ceil(coalesce(sum(size), 0) / 1048576) * 2 + 64 AS BIGINT) || 'MiB' AS cap FROM duckdb_temporary_files()`);
    const capCell = app.grid.getByRole('gridcell', { name: /^\d+MiB$/ }).first();
    await expect(capCell).toBeVisible({ timeout: 30_000 });
    const cap = (await capCell.textContent()) ?? '';
    await runAll(
      `SET max_temp_directory_size = '${cap}'; CREATE TEMP TABLE pinned AS SELECT range AS x FROM range(48000000); SELECT 'pinned' AS state`,
    );
    await expect(app.cell('pinned').first()).toBeVisible({ timeout: 60_000 });
    try {
      await app.run('SELECT range AS n FROM range(1000)');
      await expect(app.cell('0').first()).toBeVisible({ timeout: 30_000 });
      await app.page.getByTestId('export-result').click();
      await app.page.getByTestId('export-start').click();
      await expect(app.page.getByTestId('export-path')).toBeVisible({ timeout: 60_000 });
      await app.page.getByTestId('export-dialog').getByRole('button', { name: 'Close' }).last().click();
      await app.page.getByTestId('activity').click();
      const note = app.page.getByRole('dialog', { name: 'Jobs' }).getByTestId('job-note').first();
      await expect(note).toContainText(/Ran under the workspace's memory limit \(.+\) instead of its 128MB budget/);
    } finally {
      await app.page.keyboard.press('Escape');
      await runAll(`RESET max_temp_directory_size; DROP TABLE IF EXISTS pinned; SELECT 'released' AS state`);
      await expect(app.cell('released').first()).toBeVisible({ timeout: 30_000 });
    }
  });
});
