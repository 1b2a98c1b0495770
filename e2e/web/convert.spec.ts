import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { convertToLake, openView, pickInputFile, readingsCsv, removeTempDirs, writeLargeCsv, writeTempCsv } from '../support/convert-ui';
import { expect, test } from '../support/fixtures';

test.describe('Convert view: CSV to Parquet', () => {
  test.afterAll(removeTempDirs);

  test('converts a CSV picked by path into a partitioned lake dataset and shows the report', async ({ page, webHost }) => {
    const csv = await writeTempCsv('cell_readings.csv', readingsCsv(['2024-05-01', '2024-05-02', '2024-05-04'], 100));
    await openView(page, webHost, 'convert');
    // Before a file, step 2 says what it will show (the steps read 1, 2, 3, not 1 then 3).
    await expect(page.getByTestId('preview-empty')).toContainText('Add a file');
    await pickInputFile(page, csv);

    // The preview shows the sniffed dialect and the column types.
    const preview = page.getByTestId('convert-preview');
    await expect(preview).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('preview-empty')).toHaveCount(0);
    await expect(page.getByTestId('sniffed-dialect')).toContainText('comma');
    await expect(preview.getByRole('cell', { name: 'voltage', exact: true })).toBeVisible();
    await expect(preview.getByRole('cell', { name: 'TIMESTAMP', exact: true })).toBeVisible();
    // The dataset name is suggested from the file name.
    await expect(page.getByTestId('convert-dataset')).toHaveValue('cell_readings');

    await page.getByTestId('convert-dataset').fill('e2e_readings');
    await page.getByTestId('convert-partition').selectOption('ts');
    await page.getByTestId('convert-run').click();

    const report = page.getByTestId('convert-report');
    await expect(report).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('report-rows-in')).toContainText('300');
    await expect(page.getByTestId('report-rows')).toContainText('300');
    await expect(page.getByTestId('report-rejected')).toContainText('0');
    await expect(page.getByTestId('report-ratio')).toContainText(/^\d+\.\d×/);
    await expect(report).toContainText('lake dataset e2e_readings');
    await expect(report).toContainText(basename(csv));

    // The run is kept in the conversion history.
    await expect(page.getByTestId('convert-history-item').first()).toContainText('e2e_readings');
    await expect(page.getByTestId('convert-history-item').first()).toContainText('300 rows');
  });

  test('a CSV with a bad row fails by default and names the line; skip writes the good rows', async ({ page, webHost }) => {
    const csv = await writeTempCsv('bad_values.csv', 'id,value\n1,1.5\n2,2.5\n3,abc\n4,4.5\n');
    await openView(page, webHost, 'convert');
    await pickInputFile(page, csv);
    await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
    // Say the value column is a number: line 4 ("abc") cannot be one.
    await page.getByLabel('Type for value').fill('DOUBLE');
    await page.getByTestId('convert-dataset').fill('e2e_bad');
    await expect(page.getByTestId('bad-rows-fail')).toBeChecked();
    await page.getByTestId('convert-run').click();

    const error = page.getByTestId('convert-error');
    await expect(error).toBeVisible({ timeout: 60_000 });
    await expect(error).toContainText('line 4');
    const rejects = page.getByTestId('convert-rejects');
    await expect(rejects).toBeVisible();
    await expect(rejects.getByTestId('reject-line')).toHaveText(['4']);
    await expect(rejects).toContainText('value');
    await expect(rejects).toContainText('3,abc');

    await page.getByTestId('bad-rows-skip').check();
    await page.getByTestId('convert-run').click();
    await expect(page.getByTestId('report-rows')).toContainText('3', { timeout: 60_000 });
    await expect(page.getByTestId('report-rows-in')).toContainText('4');
    await expect(page.getByTestId('report-rejected')).toContainText('1');
    await expect(page.getByTestId('reject-line')).toHaveText(['4']);
  });

  test('a path that does not exist is an error in the picker, not a crash', async ({ page, webHost }) => {
    await openView(page, webHost, 'convert');
    await page.getByTestId('add-files').click();
    await page.getByTestId('picker-path').fill('/no/such/folder/anywhere');
    await page.getByTestId('picker-path').press('Enter');
    await expect(page.getByTestId('file-picker').getByRole('alert')).toContainText('does not exist');
    await expect(page.getByTestId('picker-choose')).toBeDisabled();
  });

  test('the history keeps a conversion across a reload', async ({ page, webHost }) => {
    const csv = await writeTempCsv('again.csv', readingsCsv(['2024-06-01'], 10));
    await convertToLake(page, webHost, csv, 'e2e_again');
    await page.reload();
    await expect(page.getByTestId('convert-history-item').filter({ hasText: 'e2e_again' }).first()).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('convert-history-item').filter({ hasText: 'e2e_again' }).first().click();
    await expect(page.getByTestId('report-rows')).toContainText('10');
  });

  test('a running conversion shows progress in bytes and can be cancelled; nothing is kept', async ({ page, webHost }) => {
    const csv = await writeLargeCsv(200);
    try {
      await openView(page, webHost, 'convert');
      await pickInputFile(page, csv);
      await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
      await page.getByTestId('convert-dataset').fill('e2e_cancelled');
      await page.getByTestId('convert-partition').selectOption('ts');
      await page.getByTestId('convert-run').click();
      const progress = page.getByTestId('convert-progress');
      await expect(progress).toBeVisible({ timeout: 30_000 });
      await expect(progress).toContainText(/MB of 20\d MB/);
      await page.getByTestId('convert-cancel').click();
      await expect(page.getByTestId('convert-error')).toContainText('CANCELLED', { timeout: 60_000 });
      await expect(page.getByTestId('convert-report')).toContainText('Conversion cancelled');
      // Nothing reached the lake.
      await openView(page, webHost, 'compression');
      await expect(page.getByTestId('compression-datasets')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('dataset-row').filter({ hasText: 'e2e_cancelled' })).toHaveCount(0);
    } finally {
      await rm(dirname(csv), { recursive: true, force: true });
    }
  });

  test('a CSV dropped onto the view is uploaded to the host and converted; other files are named and skipped', async ({
    page,
    webHost,
  }) => {
    await openView(page, webHost, 'convert');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    // The browser has no path for a dropped file: the view uploads it (PUT /upload) and uses the path the host answers.
    // (A script string: this file is type-checked without the DOM library.)
    await page.evaluate(`(() => {
      const target = document.querySelector('[data-testid="convert-drop-target"]');
      const dt = new DataTransfer();
      dt.items.add(new File(['ts,v\\n2024-01-01 00:00:00,1.5\\n2024-01-02 00:00:00,2.5\\n'], 'dropped.csv', { type: 'text/csv' }));
      dt.items.add(new File(['not a csv'], 'picture.png', { type: 'image/png' }));
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await expect(page.getByTestId('convert-inputs')).toContainText('dropped.csv');
    await expect(page.getByText('picture.png: not a CSV')).toBeVisible();
    await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('convert-dataset')).toHaveValue('dropped');
    await page.getByTestId('convert-dataset').fill('e2e_dropped');
    await page.getByTestId('convert-run').click();
    await expect(page.getByTestId('report-rows')).toContainText('2', { timeout: 60_000 });
  });
});
