import { expect, test } from '../support/fixtures';
import { waitForDemo } from '../support/host-api';

test.describe('Explain', () => {
  test('a unified-view query: the plan tree with rows and times, the lake files it reads and the hot mirror rows', async ({
    app,
    webHost,
    page,
  }) => {
    await waitForDemo(webHost, page.request);
    await app.setSql('SELECT battery_id, count(*) AS n FROM telemetry GROUP BY ALL');
    await page.getByTestId('explain-button').click();
    const panel = page.getByTestId('explain-panel');
    await expect(page.getByTestId('result-view-plan')).toHaveAttribute('aria-selected', 'true');
    await expect(panel.getByTestId('explain-status')).toHaveText(/^Analyzed: ran in /, { timeout: 60_000 });
    // Both tiers: the lake's telemetry files with their bytes, the hot mirror's telemetry rows.
    await expect(panel.getByTestId('explain-cold')).toContainText(/telemetry \d{4}-\d{2}: [\d,]+ files?, [\d.,]+ [kKMG]?B/);
    await expect(panel.getByTestId('explain-hot')).toContainText(/hot\.telemetry: [\d,]+ of [\d,]+ rows/);
    const nodes = panel.getByTestId('plan-node');
    await expect(nodes.filter({ hasText: 'READ_PARQUET' }).first()).toContainText(/est\. [\d,]+.*[\d,]+ rows/);
    await expect(nodes.filter({ hasText: 'SEQ_SCAN' }).first()).toBeVisible();

    // Off: the optimizer's plan only, nothing runs.
    await panel.getByTestId('explain-analyze').uncheck();
    await expect(panel.getByTestId('explain-status')).toHaveText('Estimated plan: nothing ran');
    await expect(nodes.first()).not.toContainText(' rows');

    // A bad statement is an error shown as text; running a query shows its grid again.
    await app.setSql('SELECT * FROM no_such_table');
    await page.getByTestId('explain-button').click();
    await expect(panel).toContainText('no_such_table');
    await app.run('SELECT 42 AS answer');
    await expect(app.cell('42')).toBeVisible();
  });
});
