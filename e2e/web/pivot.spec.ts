import { readFile } from 'node:fs/promises';
import { expect, test } from '../support/fixtures';

test.describe('Pivot tab', () => {
  test('pivots a result with DuckDB PIVOT, re-pivots when the tab re-runs, and exports the pivot as CSV', async ({ app }) => {
    await app.run(`SELECT 'S' || (i % 3) AS site, 'h' || (i % 2) AS half, i AS v FROM range(10) t(i)`);
    await expect(app.cell('S0').first()).toBeVisible({ timeout: 30_000 });
    const page = app.page;
    await page.getByTestId('result-view-pivot').click();
    const panel = page.getByTestId('pivot-panel');
    // Guessed from the types: the first text column as rows, the second spread into columns, the number summed.
    await expect(panel.getByRole('group', { name: 'Pivot rows' }).getByLabel('site')).toBeChecked();
    await expect(panel.getByRole('group', { name: 'Pivot columns' }).getByLabel('half')).toBeChecked();
    await expect(panel.getByTestId('pivot-value')).toHaveText(['sum(v)×']);
    await panel.getByTestId('pivot-run').click();
    await expect(panel.getByTestId('pivot-status')).toHaveText(/^3 rows × 3 columns in /);
    // S0 holds 0, 3, 6, 9: h0 = 0 + 6, h1 = 3 + 9.
    const grid = panel.getByTestId('results-grid');
    await expect(grid.getByRole('columnheader')).toContainText(['site', 'h0', 'h1']);
    await expect(grid.getByRole('row').nth(1)).toContainText(['S0', '6', '12'].join(''));

    // The setup is the tab's: it stays across views, and the tab's next result is pivoted with it at once.
    await panel.getByRole('group', { name: 'Pivot values' }).getByLabel('Aggregate').selectOption('count');
    await panel.getByTestId('pivot-add-value').click();
    await expect(panel.getByTestId('pivot-value')).toHaveText(['sum(v)×', 'count(v)×']);
    await panel.getByRole('button', { name: 'Remove sum of v' }).click();
    await page.getByTestId('result-view-grid').click();
    await page.getByTestId('result-view-pivot').click();
    await expect(panel.getByTestId('pivot-value')).toHaveText(['count(v)×']);
    await panel.getByTestId('pivot-run').click();
    await expect(grid.getByRole('row').nth(1)).toContainText(['S0', '2', '2'].join(''));
    await app.run(`SELECT 'S' || (i % 3) AS site, 'h' || (i % 2) AS half, i AS v FROM range(100) t(i)`);
    await expect(grid.getByRole('row').nth(1)).toContainText(['S0', '17', '17'].join(''));
    await panel.getByRole('button', { name: 'Remove count of v' }).click();
    await panel.getByLabel('Aggregate').selectOption('sum');
    await panel.getByLabel('Value column').selectOption('v');
    await panel.getByTestId('pivot-add-value').click();
    await panel.getByTestId('pivot-run').click();
    await expect(grid.getByRole('row').nth(1)).toContainText(['S0', '816', '867'].join(''));

    await panel.getByTestId('export-result').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByText('CSV', { exact: true }).click();
    await page.getByTestId('export-start').click();
    const path = page.getByTestId('export-path');
    await expect(path).toBeVisible({ timeout: 60_000 });
    const csv = await readFile((await path.textContent()) ?? '', 'utf8');
    expect(csv.trim().split('\n')).toEqual(['site,h0,h1', 'S0,816,867', 'S1,784,833', 'S2,850,800']);
  });
});
