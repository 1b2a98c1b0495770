import { expect, test } from '../support/fixtures';

test.describe('Run history against the web host', () => {
  test('compare two runs: same result, then differs after the data changed; re-run and open in a new tab', async ({ app, page }) => {
    const table = `hist_e2e_${Date.now().toString(36)}`;
    const select = `SELECT i, i * 2 AS twice FROM ${table} ORDER BY i`;
    await page.getByTestId('history-toggle').click();
    const panel = page.getByTestId('history-panel');
    // Every statement of this test names the table: the list grows by one as each run ends.
    await panel.getByLabel('Search history').fill(table);
    const entries = panel.getByTestId('history-entry');
    const runAndWait = async (sql: string, count: number) => {
      await app.run(sql);
      await expect(entries).toHaveCount(count, { timeout: 60_000 });
    };

    await runAndWait(`CREATE TABLE ${table} AS SELECT range AS i FROM range(1204)`, 1);
    await runAndWait(select, 2);
    await runAndWait(select, 3);
    await entries.nth(0).getByTestId('history-pick').check();
    await entries.nth(1).getByTestId('history-pick').check();
    await panel.getByTestId('history-compare-button').click();
    await expect(panel.getByTestId('history-compare-result')).toHaveText('same result');
    // When it ran, written the way the rest of the app writes a moment (not the browser's locale).
    await expect(entries.nth(0).locator('.history-meta').first()).toHaveText(/^#\d+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC · DuckDB · /);
    // The fingerprint shows shortened.
    await expect(entries.nth(0).locator('.history-fingerprint')).toHaveText(/^fingerprint [0-9a-f]{12}$/);

    // Change the data, run the same query again, and compare the newest run with the first.
    await runAndWait(`DELETE FROM ${table} WHERE i >= 1198`, 4);
    await runAndWait(select, 5);
    // Newest first: the new select, the delete, the second select, the first select, the create.
    await entries.nth(2).getByTestId('history-pick').uncheck();
    await entries.nth(0).getByTestId('history-pick').check();
    await panel.getByTestId('history-compare-button').click();
    await expect(panel.getByTestId('history-compare-result')).toHaveText('differs: rows 1,204 vs 1,198');

    // Re-run the first select: one more run, over today's data.
    await entries.nth(3).getByTestId('history-rerun').click();
    await expect(entries).toHaveCount(6, { timeout: 60_000 });
    await expect(page.getByTestId('status-rows')).toHaveText('1,198 rows');

    // Open a run's SQL in a new tab.
    const tabs = page.getByRole('tab');
    const before = await tabs.count();
    await entries.nth(0).getByTestId('history-open-tab').click();
    await expect(tabs).toHaveCount(before + 1);
    await expect(app.editor).toContainText(select);
  });
});
