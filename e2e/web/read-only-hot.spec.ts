import { expect, test } from '../support/fixtures';
import { waitForDemo } from '../support/host-api';

/** The PostgreSQL target of the SQL view is read-only until "Allow writes" is turned on, for that tab only. */
test.describe('writes to PostgreSQL from the SQL view', () => {
  test.setTimeout(300_000);

  test('a write is refused until "Allow writes" is on for the tab; another tab stays read-only', async ({ app, page, webHost }) => {
    await waitForDemo(webHost, page.request);
    // Deletes no row, but is a write all the same.
    const write = 'DELETE FROM location WHERE location_id = -1';
    const toggle = page.getByTestId('allow-writes');
    await expect(toggle).toHaveCount(0);
    await page.getByTestId('target-select').selectOption('hot');
    await expect(toggle).not.toBeChecked();

    await app.run(write);
    await expect(app.error).toContainText('PostgreSQL refused the write: the editor is read-only.', { timeout: 30_000 });
    await expect(app.error).toContainText('Allow writes');

    await toggle.check();
    await app.run(write);
    await expect(app.cell('DELETE 0')).toBeVisible({ timeout: 30_000 });
    await expect(app.error).toHaveCount(0);

    // Even with writes allowed, the session is no superuser.
    await app.run("COPY (SELECT 1) TO PROGRAM 'id'");
    await expect(app.error).toContainText('permission denied', { timeout: 30_000 });

    // A new tab starts read-only; going back to the first finds its choice kept.
    await page.getByTestId('add-tab').click();
    await expect(toggle).not.toBeChecked();
    await app.run(write);
    await expect(app.error).toContainText('Allow writes', { timeout: 30_000 });
    await page.getByTestId('editor-tab').first().click();
    await expect(toggle).toBeChecked();
  });
});
