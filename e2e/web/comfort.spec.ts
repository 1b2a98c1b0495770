import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

/**
 * Every visible element's own text against the background it is drawn on (the nearest ancestor with an opaque
 * background): the WCAG contrast ratio, lowest first. Disabled controls are left out (they are meant to be dim).
 */
async function lowContrast(page: Page, minimum: number): Promise<string[]> {
  // A script string: this file is type-checked without the DOM library.
  return page.evaluate(`(() => {
    const min = ${Number(minimum)};
    const parse = (c) => (c.match(/[\\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
      if (!own || el.closest('[disabled], [aria-disabled="true"]')) continue;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || Number(style.opacity) < 0.5) continue;
      const [a, b] = [lum(parse(style.color).slice(0, 3)), lum(background(el))].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < min) out.push(ratio.toFixed(2) + ' ' + el.tagName.toLowerCase() + '.' + el.className + ': ' + (el.textContent ?? '').trim().slice(0, 40));
    }
    return out;
  })()`);
}

test.describe('everyday comfort', () => {
  test('Format SQL lays out the statement (undoable) and it runs the same', async ({ app, page }) => {
    await app.setSql(`select 6 * 7 as answer, 'it''s' as s where 1 = 1`);
    await page.getByTestId('format-button').click();
    await expect(app.editor.locator('.cm-content')).toHaveText(
      ['SELECT', '  6 * 7 AS answer,', "  'it''s' AS s", 'WHERE', '  1 = 1'].join(''),
    );
    // One undo brings the text back as typed; redo formats it again.
    await page.keyboard.press('ControlOrMeta+Z');
    await expect(app.editor.locator('.cm-content')).toHaveText(`select 6 * 7 as answer, 'it''s' as s where 1 = 1`);
    await page.keyboard.press('ControlOrMeta+Shift+Z');
    await expect(app.editor.locator('.cm-content')).toHaveText(
      ['SELECT', '  6 * 7 AS answer,', "  'it''s' AS s", 'WHERE', '  1 = 1'].join(''),
    );
    await page.getByTestId('run-all-button').click();
    await expect(app.cell('42')).toBeVisible();
    await expect(app.cell("it's")).toBeVisible();
    // Unparseable text is left alone, with the reason.
    await app.setSql(`select 'unterminated`);
    await page.keyboard.press('Shift+Alt+F');
    await expect(page.getByTestId('format-problem')).toContainText('Cannot format this SQL');
    await expect(app.editor.locator('.cm-content')).toHaveText(`select 'unterminated`);
  });

  test('? shows the keyboard shortcuts outside the editor; in the editor it is a character', async ({ app, page }) => {
    await app.setSql('SELECT ');
    await page.keyboard.press('?');
    await expect(app.editor.locator('.cm-content')).toHaveText('SELECT ?');
    await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
    await page.locator('.app-name').click();
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcut-sheet');
    await expect(sheet).toBeVisible();
    await expect(sheet).toContainText('Run the statement under the cursor');
    await page.keyboard.press('Escape');
    await expect(sheet).toHaveCount(0);
  });

  test('dark follows the OS by default or is chosen; the SQL view, grid, plan and fleet have no unreadable text', async ({
    app,
    page,
  }, testInfo) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.getByTestId('theme-select').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

    await app.run(`SELECT i AS n, 'jar ' || i AS name, NULL AS empty FROM range(30) t(i)`);
    await expect(app.cell('jar 3')).toBeVisible();
    await page.getByTestId('history-toggle').click();
    expect(await lowContrast(page, 3)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath('dark-sql.png') });

    await page.getByTestId('explain-button').click();
    await expect(page.getByTestId('explain-status')).toHaveText(/^Analyzed/);
    expect(await lowContrast(page, 3)).toEqual([]);

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Fleet' }).click();
    await expect(page.getByTestId('panel-fleet.sites')).toHaveAttribute('data-state', /ready|empty|building/, { timeout: 120_000 });
    expect(await lowContrast(page, 3)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath('dark-fleet.png') });

    // The choice is remembered; back to following the system.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByTestId('theme-select').selectOption('system');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });
});
