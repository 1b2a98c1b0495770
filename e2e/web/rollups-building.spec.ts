import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSummary } from '../../shared/api/jobs';
import { callHost } from '../support/host-api';
import { startWebHostProcess, type RunningWebHost } from '../support/web-host-process';
import { test, expect } from '../support/fixtures';

/**
 * A site page opened while the gold rollups build: the panels that read them say so, with progress, never
 * "No data". The web host's first rollup refresh is held at its start (BW_HOLD_AT) until the test lets it go.
 */
test.describe('dashboards while the rollups build', () => {
  test.setTimeout(420_000);
  let host: RunningWebHost | null = null;
  let dir: string | null = null;

  test.afterEach(async () => {
    await host?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the site page shows "Building rollups…" instead of "No data", then draws when they are built', async ({ page }) => {
    dir = await mkdtemp(join(tmpdir(), 'bw-e2e-hold-'));
    const hold = join(dir, 'hold');
    await writeFile(hold, '');
    host = await startWebHostProcess({ env: { BW_HOLD_AT: 'rollups:refresh', BW_HOLD_FILE: hold } });
    const running = host;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // The first start seeds the small demo; it ends by waiting for the rollups, which are held.
    const demoPhase = async (): Promise<string> => {
      const { jobs } = await callHost<{ jobs: JobSummary[] }>(running, page.request, 'jobs.list', {});
      const demo = jobs.find((j) => j.kind === 'demo');
      if (demo?.state === 'failed') throw new Error(`The demo failed: ${demo.error?.message ?? ''}`);
      return demo ? `${demo.state}:${demo.phase}` : 'not started';
    };
    await expect.poll(demoPhase, { timeout: 300_000, intervals: [1000] }).toBe('running:rollups');

    await page.goto(running.link('location/1'));
    const children = page.getByTestId('panel-scope.children');
    await expect(children).toHaveAttribute('data-state', 'building', { timeout: 60_000 });
    await expect(children.getByTestId('panel-building')).toHaveText(/^Building rollups… \d+%$/);
    for (const id of ['scope.stringVoltage', 'scope.stringCurrent', 'scope.balance', 'scope.temperature']) {
      await expect(page.getByTestId(`panel-${id}`)).toHaveAttribute('data-state', /building|ready/);
    }
    await expect(page.getByText('No data in this range')).toHaveCount(0);
    await expect(page.getByText('No baseline')).toHaveCount(0);

    // Let the refresh go: the panels re-read when it ends and draw the site.
    await rm(hold, { force: true });
    await expect(children).toHaveAttribute('data-state', 'ready', { timeout: 180_000 });
    await expect(page.getByTestId('children-table')).toBeVisible();
    await expect.poll(demoPhase, { timeout: 60_000 }).toMatch(/^done:/);
    await expect(page.getByTestId('panel-building')).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  });
});
