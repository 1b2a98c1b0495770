import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startWebHostProcess, type RunningWebHost } from './web-host-process';

/**
 * `webHost`: one web host child process per worker, on its own temp workspace.
 * `app`: a page opened on the host's tokened URL with the SQL view loaded.
 */
export const test = base.extend<{ app: SqlPage }, { webHost: RunningWebHost }>({
  webHost: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const host = await startWebHostProcess();
      await use(host);
      await host.stop();
    },
    { scope: 'worker', timeout: 240_000 },
  ],
  app: async ({ page, webHost }, use) => {
    const app = new SqlPage(page);
    await page.goto(webHost.url);
    await expect(app.editor).toBeVisible({ timeout: 30_000 });
    await use(app);
  },
});

export { expect };

/** Page object for the SQL view: the hooks the renderer provides (data-testid, role=gridcell, .cm-editor). */
export class SqlPage {
  readonly editor: Locator;
  readonly runButton: Locator;
  readonly cancelButton: Locator;
  readonly grid: Locator;
  readonly scroller: Locator;
  readonly statusBar: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.editor = page.locator('.cm-editor').first();
    this.runButton = page.getByTestId('run-button');
    this.cancelButton = page.getByTestId('cancel-button');
    this.grid = page.getByTestId('results-grid');
    this.scroller = page.getByTestId('grid-scroller');
    this.statusBar = page.getByTestId('status-bar');
    this.error = page.getByTestId('query-error');
  }

  /** Replaces the editor's text. */
  async setSql(sql: string): Promise<void> {
    await this.editor.locator('.cm-content').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(sql);
  }

  async run(sql: string): Promise<void> {
    await this.setSql(sql);
    await this.runButton.click();
  }

  cell(text: string): Locator {
    return this.grid.getByRole('gridcell', { name: text, exact: true });
  }
}
