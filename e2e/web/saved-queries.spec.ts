import { expect, test } from '../support/fixtures';
import { openView } from '../support/convert-ui';

const HOSTILE = "x'; DROP TABLE e2e_site; --";

test.describe('Saved queries with parameters', () => {
  test('saves a query with a parameter, opens it from a deep link with the value filled in, and runs it', async ({ app, webHost }) => {
    const page = app.page;
    await app.run(
      `CREATE OR REPLACE TABLE e2e_site AS SELECT * FROM (VALUES ('FRA1', 1), ('AMS2', 2), ('x''; DROP TABLE e2e_site; --', 3)) t(site, v)`,
    );
    await app.run(`SELECT 'rows:' || count(*) AS n FROM e2e_site`);
    await expect(app.cell('rows:3')).toBeVisible({ timeout: 30_000 });

    await app.setSql('SELECT site, v * 10 AS v10 FROM e2e_site WHERE site = $site');
    const form = page.getByTestId('params-form');
    await expect(form.getByText('$site')).toBeVisible();
    // No value: the run is refused and names the parameter.
    await app.runButton.click();
    await expect(app.error).toContainText('$site');

    await page.getByTestId('saved-toggle').click();
    const panel = page.getByTestId('saved-panel');
    await panel.getByTestId('saved-name').fill('e2e/by site');
    await panel.getByTestId('saved-save').click();
    await expect(panel.getByTestId('saved-item')).toContainText(['by site']);
    await expect(panel.getByTestId('saved-error')).toHaveCount(0);

    // The link's value is a value: bound, never SQL.
    await openView(page, webHost, `sql/saved/e2e/by%20site?site=${encodeURIComponent(HOSTILE)}`);
    await expect(page.locator('[data-testid="editor-tab"][aria-selected="true"]')).toContainText('by site');
    await expect(page.getByLabel('Value of $site')).toHaveValue(HOSTILE);
    await expect(page).toHaveURL(/#\/sql$/);
    await app.runButton.click();
    await expect(app.cell('30')).toBeVisible({ timeout: 30_000 });
    await expect(app.grid.getByRole('row')).toHaveCount(2);

    await page.getByLabel('Value of $site').fill('FRA1');
    await app.runButton.click();
    await expect(app.cell('10')).toBeVisible({ timeout: 30_000 });
    await app.run(`SELECT 'rows:' || count(*) AS n FROM e2e_site`);
    await expect(app.cell('rows:3')).toBeVisible({ timeout: 30_000 });

    // The Saved panel renames (the open tab follows) and deletes (a second click confirms).
    await page.getByTestId('saved-toggle').click();
    const list = page.getByTestId('saved-panel');
    await list.getByRole('button', { name: 'Rename e2e/by site' }).click();
    await list.getByLabel('New name of e2e/by site').fill('e2e/site rows');
    await list.getByLabel('New name of e2e/by site').press('Enter');
    await expect(list.getByTestId('saved-item')).toHaveText([/site rows/]);
    await expect(list.getByTestId('saved-save')).toHaveText('Save');
    await expect(list.getByTestId('saved-name')).toHaveValue('e2e/site rows');
    await list.getByRole('button', { name: 'Delete e2e/site rows' }).click();
    await list.getByRole('button', { name: 'Really delete e2e/site rows' }).click();
    await expect(list.getByTestId('saved-item')).toHaveCount(0);

    // An unknown name says so.
    await openView(page, webHost, 'sql/saved/nope');
    await expect(page.getByText('Could not open the saved query')).toContainText('no saved query named "nope"');
  });
});
