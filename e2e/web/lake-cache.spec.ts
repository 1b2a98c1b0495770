import { decodeEnvelope } from '../../shared/api/envelope';
import type { LakeStatus } from '../../shared/api/storage';
import { expect, SqlPage, test } from '../support/fixtures';

/**
 * A local folder lake is complete: the schema browser's cold tiers, the dashboard panels and the SQL results show no
 * "cold: N of M days cached" note, Settings names the lake's kind and shows no S3 cache panel, and the Compression
 * view has no lake cache card. (An incomplete cache needs an S3 lake; the S3 end-to-end tests cover the core.)
 */
test.describe('the lake cache on a local lake', () => {
  test.setTimeout(420_000);

  test('no coverage note anywhere cold data is shown; the status names the lake kind', async ({ page, webHost }) => {
    await page.goto(webHost.link('fleet'));
    // First start seeds the small demo, syncs the mirror and builds the rollups.
    await expect(page.getByTestId('panel-fleet.sites')).toHaveAttribute('data-state', 'ready', { timeout: 300_000 });

    const res = await page.request.post(`${webHost.origin}/api/storage.lakeStatus`, {
      data: {},
      headers: { authorization: `Bearer ${webHost.token}` },
    });
    const answer = decodeEnvelope(new Uint8Array(await res.body())) as { ok: boolean; value?: LakeStatus };
    expect(answer.ok).toBe(true);
    expect(answer.value).toMatchObject({ kind: 'local', online: true, complete: true, cache: null });
    expect(answer.value?.datasets.map((d) => d.dataset)).toContain('telemetry');

    // Dashboards: every panel has drawn (its footer is there), and none carries the note.
    await expect(page.locator('.dash-panel-foot').first()).toContainText('rows');
    await expect(page.getByTestId('cold-coverage')).toHaveCount(0);

    // SQL over the cold tier: rows, and a status bar without the note; the schema browser's cold tier neither.
    await page.goto(webHost.url);
    const app = new SqlPage(page);
    await expect(app.editor).toBeVisible({ timeout: 30_000 });
    await app.run('SELECT count(*) AS n FROM cold.telemetry');
    await expect(app.statusBar).toContainText('1 row');
    const telemetry = page.locator('[data-testid="battery-dataset"][data-dataset="telemetry"]');
    await telemetry.getByRole('button', { name: 'Expand' }).click();
    await expect(telemetry.getByTestId('tier-cold')).toContainText(/\d+ files?/);
    await expect(page.getByTestId('cold-coverage')).toHaveCount(0);

    // Settings: the lake's kind, and no S3 cache panel; Compression: no lake cache card.
    await page.goto(webHost.link('settings'));
    const status = page.getByTestId('settings-status');
    await expect(status.getByTestId('status-lake-kind')).toHaveText('local folder');
    await expect(status.getByTestId('lake-cache')).toHaveCount(0);
    await page.goto(webHost.link('compression'));
    await expect(page.getByTestId('tier-totals')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('lake-cache-card')).toHaveCount(0);
  });
});
