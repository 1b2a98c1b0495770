import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertToLake, makeTempDir, openView, pickInputFile, readingsCsv, removeTempDirs, writeTempCsv } from '../support/convert-ui';
import { expect, test } from '../support/fixtures';

test.describe('Compression view and Parquet inspector', () => {
  test.afterAll(removeTempDirs);

  test('the compression view lists a converted dataset with its ratio, columns and codec lab', async ({ page, webHost }) => {
    const csv = await writeTempCsv('pack.csv', readingsCsv(['2024-07-01', '2024-07-02'], 200));
    await convertToLake(page, webHost, csv, 'e2e_pack');

    await openView(page, webHost, 'compression');
    const table = page.getByTestId('compression-datasets');
    await expect(table).toBeVisible({ timeout: 60_000 });
    const row = table.getByTestId('dataset-row').filter({ hasText: 'e2e_pack' });
    await expect(row).toBeVisible();
    await expect(row).toContainText('400');
    await expect(row).toContainText(/\d+\.\d×/);
    await expect(row).toContainText(/\d+(\.\d+)? KB/);
    await expect(page.getByTestId('tier-totals')).toContainText('Cold: Parquet');

    await row.click();
    const columns = page.getByTestId('compression-columns');
    await expect(columns).toBeVisible({ timeout: 30_000 });
    await expect(columns).toContainText('voltage');
    await expect(columns).toContainText('ZSTD');

    await page.getByTestId('codec-lab-dataset').selectOption('e2e_pack');
    await page.getByTestId('codec-lab-run').click();
    await expect(page.getByTestId('codec-lab-chart')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('codec-lab-chart').locator('canvas')).toHaveCount(1);
    const results = page.getByTestId('codec-lab-results');
    for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd 1', 'zstd 19']) await expect(results).toContainText(codec);
    // The chart wrapper's toPng() saves the chart as a real PNG.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('codec-lab-png').click()]);
    expect(download.suggestedFilename()).toBe('codec-lab-e2e_pack.png');
    const png = await readFile(await download.path());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(5_000);

    // Prices are editable; the projection follows.
    await page.getByTestId('price-cold').fill('abc');
    await expect(page.getByTestId('cost-projection')).toContainText('Prices must be numbers');
    await page.getByTestId('price-cold').fill('0.02');
    await expect(page.getByTestId('cost-total')).toContainText('$');
  });

  test('the inspector shows the schema, statistics and the partition calendar with a missing day', async ({ page, webHost }) => {
    const csv = await writeTempCsv('cal.csv', readingsCsv(['2024-08-01', '2024-08-02', '2024-08-04'], 50));
    await convertToLake(page, webHost, csv, 'e2e_cal', { partitionBy: 'ts' });

    await openView(page, webHost, 'inspect/e2e_cal');
    const schema = page.getByTestId('inspector-schema');
    await expect(schema).toBeVisible({ timeout: 30_000 });
    for (const name of ['ts', 'battery_id', 'voltage', 'temp_c'])
      await expect(schema.getByRole('cell', { name, exact: true })).toBeVisible();
    await expect(page.getByTestId('inspector-rows')).toHaveText('150');

    const calendar = page.getByTestId('partition-calendar');
    await expect(calendar).toBeVisible();
    await expect(page.getByTestId('partitions-present')).toContainText('3 days present');
    await expect(page.getByTestId('partitions-missing')).toContainText('1 missing');
    await expect(calendar.locator('[data-day="2024-08-03"]')).toHaveClass(/missing/);
    await expect(calendar.locator('[data-day="2024-08-04"]')).toHaveClass(/present/);

    const stats = page.getByTestId('inspector-columns');
    await expect(stats).toContainText('2024-08-01 00:00:00');
    await expect(page.getByTestId('inspector-row-groups')).toContainText('date=2024-08-01');
  });

  test('small files are flagged and compacted in one click', async ({ page, webHost }) => {
    // Two conversions into one dataset: two small files in the same partition.
    for (const name of ['one.csv', 'two.csv']) {
      const csv = await writeTempCsv(name, readingsCsv(['2024-09-01'], 20));
      await convertToLake(page, webHost, csv, 'e2e_small', { partitionBy: 'ts' });
    }
    await openView(page, webHost, 'inspect/e2e_small');
    const panel = page.getByTestId('small-files');
    await expect(panel).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('compact-run').click();
    const result = page.getByTestId('compact-result');
    await expect(result).toBeVisible({ timeout: 60_000 });
    await expect(result).toContainText('2 → 1 files');
    await expect(result).toContainText('40 rows');
    await expect(page.getByTestId('inspector-rows')).toHaveText('40');

    // The lake check of the dataset agrees: the merged file is recorded, the originals are gone.
    await page.getByTestId('lake-check-run').click();
    await expect(page.getByTestId('lake-check-result')).toContainText('Healthy', { timeout: 60_000 });
    await expect(page.getByTestId('lake-check-result')).toContainText('1 files, 40 rows');
  });

  test('the lake check names a leftover temp file and the repair removes it, touching nothing else', async ({ page, webHost }) => {
    const csv = await writeTempCsv('leftover.csv', readingsCsv(['2024-11-01'], 10));
    await convertToLake(page, webHost, csv, 'e2e_leftover', { partitionBy: 'ts' });
    // A writer killed long ago (pid 2^22 + 1 cannot exist) left half a file in the partition folder.
    const stray = join(webHost.workspace, 'lake', 'e2e_leftover', 'date=2024-11-01', `.bw-tmp-${2 ** 22 + 1}-deadbeef-part-x.parquet.tmp`);
    await writeFile(stray, 'PAR1 half written');
    await openView(page, webHost, 'inspect/e2e_leftover');
    await page.getByTestId('lake-check-run').click();
    const problems = page.getByTestId('lake-check-problems');
    await expect(problems).toBeVisible({ timeout: 60_000 });
    await expect(problems).toContainText('stray-temp');
    await expect(problems).toContainText('e2e_leftover/date=2024-11-01/.bw-tmp-');
    await page.getByTestId('lake-check-repair').click();
    await expect(page.getByTestId('lake-check-repaired')).toContainText('not a complete Parquet file', { timeout: 60_000 });
    await expect(page.getByTestId('lake-check-result')).toContainText('Healthy');
    await expect(page.getByTestId('inspector-rows')).toHaveText('10');
  });

  test('hostile dataset content shows as text in tables and chart tooltips', async ({ page, webHost }) => {
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    const hostile = '<img src=x onerror=alert(1)>';
    const csv = await writeTempCsv('hostile.csv', `"${hostile}",n\n"<b>bold</b>",1\n"<script>alert(2)</script>",2\n`);
    await convertToLake(page, webHost, csv, 'e2e_hostile');

    await openView(page, webHost, 'inspect/e2e_hostile');
    const schema = page.getByTestId('inspector-schema');
    await expect(schema.getByRole('cell', { name: hostile, exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('inspector-columns')).toContainText('<b>bold</b>');

    await openView(page, webHost, 'compression');
    await page.getByTestId('dataset-row').filter({ hasText: 'e2e_hostile' }).click();
    const chart = page.getByTestId('columns-chart');
    await expect(chart).toBeVisible({ timeout: 30_000 });
    // Hover each bar row until the tooltip names the hostile column.
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('no chart box');
    let tooltipText = '';
    for (let y = box.y + 35; y < box.y + box.height - 30 && !tooltipText.includes('<img'); y += 8) {
      await page.mouse.move(box.x + box.width / 2, y);
      await page.waitForTimeout(120);
      tooltipText = (await chart.evaluate((el) => el.textContent ?? '')) || '';
    }
    expect(tooltipText).toContain(hostile);
    await expect(page.locator('img, script:not([src]), b:text("bold")')).toHaveCount(0);
    await expect(chart.locator('img')).toHaveCount(0);
    expect(dialogs).toBe(0);
  });

  test('a conversion into any folder, then that folder and its file opened in the inspector', async ({ page, webHost }) => {
    const csv = await writeTempCsv('loose.csv', readingsCsv(['2024-10-01'], 30));
    const out = await makeTempDir('bw-e2e-out-');
    await openView(page, webHost, 'convert');
    await pickInputFile(page, csv);
    await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
    await page.getByRole('radio', { name: 'Folder' }).check();
    await page.getByTestId('convert-folder').fill(out);
    await page.getByTestId('convert-codec').selectOption('snappy');
    await page.getByTestId('convert-run').click();
    const report = page.getByTestId('convert-report');
    await expect(report).toContainText(out, { timeout: 60_000 });
    await expect(page.getByTestId('report-rows')).toContainText('30');

    // "Inspect output" deep-links to the folder by its encoded path.
    await report.getByRole('link', { name: 'Inspect output' }).click();
    await expect(page).toHaveURL(/#\/inspect\/path\/%2F/);
    await expect(page.getByTestId('inspector-schema')).toContainText('voltage', { timeout: 30_000 });
    await expect(page.getByTestId('inspector-columns')).toContainText('SNAPPY');
    await expect(page.getByTestId('partition-calendar')).toHaveCount(0);

    // Open the file itself through the picker (only .parquet files are listed).
    await page.getByTestId('inspector-open-file').click();
    await page.getByTestId('picker-path').fill(out);
    await page.getByTestId('picker-path').press('Enter');
    const entry = page.getByTestId('picker-entry').filter({ hasText: 'loose.parquet' });
    await expect(entry).toBeVisible();
    await entry.click();
    await page.getByTestId('picker-choose').click();
    await expect(page.getByTestId('inspector-files')).toContainText('loose.parquet', { timeout: 30_000 });
    await expect(page.getByTestId('inspector-rows')).toHaveText('30');
    await expect(page.getByTestId('inspector-kv').or(page.getByText('No key-value metadata.'))).toBeVisible();
  });
});
