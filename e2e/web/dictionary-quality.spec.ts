import { openView, pickInputFile, removeTempDirs, writeTempCsv } from '../support/convert-ui';
import { expect, test } from '../support/fixtures';

/** A jar far outside the demo fleet (its model unknown: the generic voltage range), a repeated time and a 95 degC reading. */
const READINGS =
  'battery_id,ts,voltage_v,temperature_c,resistance_mohm\n' +
  '990001,2024-05-01 00:00:00,13.5,25.0,3.2\n' +
  '990001,2024-05-01 00:05:00,13.5,95.0,3.2\n' +
  '990001,2024-05-01 00:05:00,13.5,25.0,3.2\n';

test.describe('data dictionary and conversion quality checks', () => {
  test.afterAll(removeTempDirs);

  test('a conversion of readings reports its quality warnings; Strict fails it', async ({ page, webHost }) => {
    const csv = await writeTempCsv('quality_readings.csv', READINGS);
    await openView(page, webHost, 'convert');
    await pickInputFile(page, csv);
    await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('convert-dataset').fill('e2e_quality');
    await expect(page.getByTestId('convert-strict')).not.toBeChecked();
    await page.getByTestId('convert-run').click();
    await expect(page.getByTestId('convert-report')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('report-rows')).toContainText('3');
    const warnings = page.getByTestId('convert-warnings');
    await expect(warnings.getByTestId('warning-check')).toHaveText(['time_duplicate', 'temperature_range']);
    await expect(warnings.getByTestId('warning-count')).toHaveText(['1', '1']);
    await expect(warnings).toContainText('row 2: battery_id 990001 at 2024-05-01 00:05:00: 95.0 degC');

    await openView(page, webHost, 'convert');
    await pickInputFile(page, csv);
    await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('convert-dataset').fill('e2e_quality_strict');
    await page.getByTestId('convert-strict').check();
    await page.getByTestId('convert-run').click();
    await expect(page.getByTestId('convert-error')).toContainText('failed the quality checks (strict)', { timeout: 60_000 });
    await expect(page.getByTestId('convert-warnings').getByTestId('warning-check')).toHaveText(['time_duplicate', 'temperature_range']);
  });

  test('the schema browser shows a column’s unit and meaning on hover; the Export view lists them', async ({ page, webHost }) => {
    await openView(page, webHost, 'sql');
    await page.getByLabel('Filter tables').fill('telemetry');
    const object = page
      .getByTestId('schema-object')
      .filter({ hasText: /^telemetry$/ })
      .first();
    await expect(object).toBeVisible({ timeout: 60_000 });
    await page.locator('.tree-row.depth-2', { has: object }).getByRole('button', { name: 'Expand' }).first().click();
    const column = page.getByTestId('schema-column').filter({ hasText: 'resistance_mohm' }).first();
    await expect(column).toHaveAttribute('title', /^resistance, mOhm: Jar internal resistance, 0\.01 mOhm resolution\./);

    await openView(page, webHost, 'export');
    const dictionary = page.getByTestId('slice-dictionary');
    await expect(dictionary).toBeAttached({ timeout: 60_000 });
    await dictionary.getByText('Units and meanings').click();
    await expect(dictionary.getByRole('row', { name: /resistance_mohm/ })).toContainText('mOhm');
    await expect(dictionary.getByRole('row', { name: /resistance_mohm/ })).toContainText('Jar internal resistance');
    await expect(page.getByTestId('slice-format')).toHaveValue('parquet');
  });
});
