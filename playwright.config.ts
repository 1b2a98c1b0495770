import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/chromium';

/**
 * e2e: "web" drives the real renderer in Debian's Chromium against the real web host
 * (a child process per worker on a temp workspace); "electron" drives the desktop app
 * when an Electron binary exists and says plainly when it is skipped.
 * Build first: `npm run test:e2e` (= electron-vite build && playwright test).
 */
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  // Two cores, and each worker runs DuckDB plus PostgreSQL: one worker.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'playwright-report/results.json' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'web',
      testDir: 'e2e/web',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
        viewport: { width: 1400, height: 900 },
      },
    },
    {
      name: 'electron',
      testDir: 'e2e/electron',
    },
  ],
});
