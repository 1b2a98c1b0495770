import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../support/electron-binary';
import { REPO_ROOT } from '../support/web-host-process';

const binary = electronBinary();
if (binary === null) process.stdout.write('Electron binary not present: skipped\n');

test.describe('desktop app (Electron)', () => {
  test.skip(binary === null, 'Electron binary not present: skipped');

  test('opens a sandboxed window that runs a query over IPC', async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'bw-electron-'));
    const app = await electron.launch({
      executablePath: binary ?? undefined,
      args: [REPO_ROOT, '--no-sandbox'],
      env: { ...process.env, BATTERY_WORKBENCH_WORKSPACE: workspace },
    });
    try {
      const page = await app.firstWindow();
      // The renderer sees the bridge and nothing of Node.
      expect(await page.evaluate(() => typeof (globalThis as { workbench?: unknown }).workbench)).toBe('object');
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      // Served from app://bundle/, not file://, under the desktop CSP header: no WebSocket to any host.
      expect(page.url()).toMatch(/^app:\/\/bundle\/index\.html(#.*)?$/);
      const blocked = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            // The violation is reported on the document and bubbles to the window.
            const win = globalThis as unknown as EventTarget & { WebSocket: new (url: string) => unknown };
            const report = (e: Event): void => resolve((e as Event & { effectiveDirective: string }).effectiveDirective);
            win.addEventListener('securitypolicyviolation', report, { once: true });
            try {
              new win.WebSocket('ws://127.0.0.1:9/');
            } catch {
              // Some engines throw as well as report.
            }
          }),
      );
      expect(blocked).toBe('connect-src');
      // Reveal shows nothing outside the workspace, the lake and the chosen export folders.
      const revealed = await page.evaluate(() =>
        (globalThis as unknown as { workbench: { revealPath(path: string): Promise<boolean> } }).workbench.revealPath('/etc/passwd'),
      );
      expect(revealed).toBe(false);
      await page.locator('.cm-editor .cm-content').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText('SELECT 6 * 7 AS answer');
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('results-grid').getByRole('gridcell', { name: '42', exact: true })).toBeVisible({ timeout: 60_000 });
    } finally {
      await app.close();
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
