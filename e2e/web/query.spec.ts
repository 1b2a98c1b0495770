import { expect, test } from '../support/fixtures';

test.describe('SQL view against the web host', () => {
  test('type a query and see its rows', async ({ app }) => {
    await app.run("SELECT 42::BIGINT AS answer, 'volt' AS unit UNION ALL SELECT 9223372036854775807, 'max'");
    await expect(app.cell('42')).toBeVisible();
    await expect(app.cell('volt')).toBeVisible();
    // BIGINT max keeps every digit through Arrow, the envelope and the grid.
    await expect(app.cell('9223372036854775807')).toBeVisible();
    await expect(app.statusBar).toContainText('2');
  });

  test('cancel a long query; the next query still works', async ({ app }) => {
    await app.run('SELECT count(*) FROM range(300000) a, range(300000) b WHERE (a.range * 7 + b.range) % 1000003 = 17');
    await expect(app.cancelButton).toBeEnabled({ timeout: 10_000 });
    await app.page.waitForTimeout(800);
    await app.cancelButton.click();
    await expect(app.error).toContainText(/cancel/i, { timeout: 30_000 });
    await app.run('SELECT 7 * 6 AS after_cancel');
    await expect(app.cell('42')).toBeVisible({ timeout: 30_000 });
    await expect(app.error).toHaveCount(0);
  });

  test('scroll a 5,000,000-row result to its last row', async ({ app }) => {
    await app.run('SELECT range AS n FROM range(5000000)');
    await expect(app.cell('0')).toBeVisible({ timeout: 60_000 });
    await expect(app.statusBar).toContainText(/5[,.\u202f\u00a0 ]?000[,.\u202f\u00a0 ]?000/);
    await app.scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(app.cell('4999999')).toBeVisible({ timeout: 30_000 });
    await expect(app.cell('0')).toHaveCount(0);
  });

  test('a cell holding HTML shows as text: no element, no dialog', async ({ app, page }) => {
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    const payload = '<img src=x onerror=alert(1)>';
    await app.run(`SELECT '${payload}' AS "<b>col</b>", '<script>alert(2)</script>' AS s`);
    await expect(app.cell(payload)).toBeVisible();
    await expect(app.cell(payload)).toHaveText(payload);
    await expect(app.grid.getByText('<b>col</b>')).toBeVisible();
    await expect(app.grid.locator('img, script, b')).toHaveCount(0);
    await page.waitForTimeout(500);
    expect(dialogs).toBe(0);
  });

  test('an SQL error is shown as text with the engine message', async ({ app }) => {
    await app.run('SELECT * FROM no_such_table_<i>x</i>');
    await expect(app.error).toBeVisible();
    await expect(app.error).toContainText('no_such_table');
    await expect(app.error.locator('i')).toHaveCount(0);
  });
});
