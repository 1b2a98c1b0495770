import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSummary } from '../../shared/api/jobs';
import { callHost } from '../support/host-api';
import { startWebHostProcess, type RunningWebHost } from '../support/web-host-process';
import { test, expect } from '../support/fixtures';

/**
 * A site page opened while the gold rollups build: the panels that read them say so, with progress, never
 * "No data". The demo feeds the rollups each lake day as it lands, so by its closing refresh (held at its start
 * with BW_HOLD_AT until the test lets it go) the site's panels draw the landed days and say the rollups are
 * updating. (A panel whose rollups hold no rows yet says "Building rollups…": dashboard.test.ts.)
 */
test.describe('dashboards while the rollups build', () => {
  test.setTimeout(420_000);
  let host: RunningWebHost | null = null;
  let dir: string | null = null;

  test.afterEach(async () => {
    await host?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the site page says the rollups are updating, never "No data", then draws without the note when they are built', async ({
    page,
  }) => {
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
    await expect(children).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(children.getByTestId('panel-rollup-note')).toHaveText(/^Rollups updating… \d+%$/);
    for (const id of ['scope.stringVoltage', 'scope.stringCurrent', 'scope.balance', 'scope.temperature']) {
      // A panel in error names its message, so that a failure here says what the panel said.
      const panel = page.getByTestId(`panel-${id}`);
      const state = async (): Promise<string> => {
        const s = (await panel.getAttribute('data-state')) ?? '';
        return s === 'error' ? `error: ${await panel.innerText()}` : s;
      };
      await expect.poll(state).toMatch(/^(building|ready)$/);
    }
    await expect(page.getByText('No data in this range')).toHaveCount(0);
    // What the site's health table says while the rollups update is what it says once they are built.
    const whileUpdating = await page.getByTestId('children-table').innerText();

    // Let the refresh go: the panels re-read when it ends and draw the site.
    await rm(hold, { force: true });
    await expect(children.getByTestId('panel-rollup-note')).toHaveCount(0, { timeout: 180_000 });
    await expect(children).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('children-table')).toBeVisible();
    expect(await page.getByTestId('children-table').innerText()).toBe(whileUpdating);
    await expect.poll(demoPhase, { timeout: 60_000 }).toMatch(/^done:/);
    await expect(page.getByTestId('panel-building')).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  });
});
