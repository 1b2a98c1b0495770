import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { REPO_ROOT, startWebHostProcess } from '../support/web-host-process';

// `npm start` is `node bin/start.js` (after the build, which the e2e run has done already).
const START = [join(REPO_ROOT, 'bin', 'start.js')];
const NO_HOT = { BW_START_SKIP_BUILD: '1', BATTERY_WORKBENCH_HOT: 'off', DISPLAY: ':99' };

test('npm start without an Electron binary says so in one line and starts the web host', async ({ page }) => {
  const host = await startWebHostProcess({ entry: START, env: { ...NO_HOT, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron' } });
  try {
    const said = host
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('Electron cannot run here'));
    expect(said).toEqual([
      'Electron cannot run here (its binary /nonexistent-electron/electron is missing); starting the web host instead.',
    ]);
    await page.goto(host.url);
    await expect(page.getByRole('link', { name: 'SQL' })).toBeVisible();
  } finally {
    await host.stop();
  }
});

test('npm start -- --web starts the web host without trying Electron', async ({ page }) => {
  const host = await startWebHostProcess({
    entry: [...START, '--web'],
    env: { ...NO_HOT, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron' },
  });
  try {
    expect(host.stderr()).not.toContain('Electron cannot run here');
    await page.goto(host.url);
    await expect(page.getByText('Battery Workbench').first()).toBeVisible();
  } finally {
    await host.stop();
  }
});
