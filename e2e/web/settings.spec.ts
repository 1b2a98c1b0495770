import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { decodeEnvelope } from '../../shared/api/envelope';
import type { JobSummary } from '../../shared/api/jobs';
import type { StorageOverview } from '../../shared/api/storage';
import { formatBytes, formatCount } from '../../shared/format';
import { callHost } from '../support/host-api';
import { expect, test } from '../support/fixtures';
import type { RunningWebHost } from '../support/web-host-process';

/**
 * #/settings and the schema browser's "Battery data" section against the real web host: the
 * embedded store is shown as what runs, the web host refuses to keep a password, telemetry shows
 * "synced ... ago", and Sync now syncs.
 */
test.describe.configure({ mode: 'serial', timeout: 240_000 });

async function jobs(request: APIRequestContext, host: RunningWebHost): Promise<JobSummary[]> {
  const res = await request.post(`${host.origin}/api/jobs.list`, { data: {}, headers: { authorization: `Bearer ${host.token}` } });
  const result = decodeEnvelope(new Uint8Array(await res.body())) as { ok: boolean; value?: { jobs: JobSummary[] } };
  if (!result.ok || !result.value) throw new Error('jobs.list failed');
  return result.value.jobs;
}

/** The first start seeds the small demo as a job; wait for it to end. */
async function waitForDemo(request: APIRequestContext, host: RunningWebHost): Promise<void> {
  await expect
    .poll(
      async () => {
        const demo = (await jobs(request, host)).find((j) => j.kind === 'demo');
        if (demo?.state === 'failed') throw new Error(`The demo failed: ${demo.error?.message ?? ''}`);
        return demo?.state ?? 'not started';
      },
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe('done');
}

/** The demo seeded, then #/settings open. */
async function openSettings(page: Page, request: APIRequestContext, host: RunningWebHost): Promise<void> {
  await waitForDemo(request, host);
  await page.goto(host.link('settings'));
  await expect(page.getByTestId('settings-view')).toBeVisible({ timeout: 30_000 });
}

test('the settings view shows the embedded store that runs, and the web host refuses to keep a password', async ({
  page,
  webHost,
  request,
}) => {
  await openSettings(page, request, webHost);
  await expect(page.getByTestId('hot-embedded')).toBeChecked();
  const status = page.getByTestId('settings-status');
  await expect(status.getByTestId('status-hot')).toContainText('PostgreSQL, embedded');
  await expect(status.getByTestId('status-reachable')).toHaveText('reachable');
  await expect(status.getByTestId('status-lake')).toHaveText(join(webHost.workspace, 'lake'));

  // An external URL with a password: the web host has no keychain, so nothing is saved.
  await page.getByTestId('hot-external').check();
  await page.getByTestId('settings-url').fill('postgres://fleet@127.0.0.1:1/fleet');
  await page.getByTestId('settings-password').fill('never-on-disk');
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('test-result')).toContainText('Could not connect to postgres://fleet@127.0.0.1:1/fleet');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-error')).toContainText('PGPASSWORD');
  await expect(readFile(join(webHost.workspace, 'settings.json'), 'utf8')).rejects.toThrow();

  // Back to embedded and saved: a restart is required, and the file says embedded.
  await page.getByTestId('hot-embedded').check();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('restart-required')).toContainText('Restart the workbench');
  const saved = JSON.parse(await readFile(join(webHost.workspace, 'settings.json'), 'utf8')) as unknown;
  expect(saved).toEqual({ hot: { kind: 'embedded' } });
});

test("the lake's files and bytes in the settings are the whole lake's, as the compression view counts them with their days", async ({
  page,
  webHost,
  request,
}) => {
  await openSettings(page, request, webHost);
  // The demo's last refresh writes the calculated metrics to the lake: counted once nothing runs.
  await expect
    .poll(async () => (await jobs(request, webHost)).filter((j) => j.state === 'running').map((j) => j.kind), { timeout: 120_000 })
    .toEqual([]);
  const overview = await callHost<StorageOverview>(webHost, request, 'storage.overview', {});
  // Not only the datasets PostgreSQL feeds: the calculated metrics and the feature sets are lake files too.
  expect(overview.datasets.filter((d) => d.files > 0).map((d) => d.dataset)).toEqual(
    expect.arrayContaining(['calc_telemetry', 'features', 'telemetry']),
  );
  // Each with its days: the feature sets' files sit in `features/<set>/<version>/date=…` (two sets, one file a day each).
  const features = overview.datasets.find((d) => d.dataset === 'features');
  expect(features?.partitions).toBe((features?.files ?? 0) / 2);
  await page.reload();
  await expect(page.getByTestId('settings-status')).toContainText(
    `local folder · ${formatCount(overview.cold.files)} files · ${formatBytes(overview.cold.bytes)}`,
  );
});

test('an S3 lake: chosen, filled, tested step by step and saved; settings.json holds no key; back to the folder', async ({
  page,
  webHost,
  request,
}) => {
  await openSettings(page, request, webHost);
  await expect(page.getByTestId('lake-local')).toBeChecked();
  await page.getByTestId('lake-s3').check();
  const problem = page.getByTestId('settings-form-problem');
  await expect(problem).toContainText('s3://bucket/prefix');
  await expect(page.getByTestId('settings-save')).toBeDisabled();

  await page.getByTestId('settings-s3-url').fill('s3://fleet-lake/eu/plant-1');
  await page.getByTestId('settings-s3-region').fill('eu-central-1');
  // An endpoint carrying a key is refused by the form (and by the host), never echoed.
  await page.getByTestId('settings-s3-endpoint').fill('http://AKIAEXAMPLE:Endpoint-Secret-9@127.0.0.1:1');
  await expect(problem).toContainText('may not carry a key');
  await expect(problem).not.toContainText('Endpoint-Secret-9');
  await expect(page.getByTestId('test-lake-connection')).toBeDisabled();
  await page.getByTestId('settings-s3-endpoint').fill('http://127.0.0.1:1');
  await page.getByTestId('settings-s3-cache').fill('lots');
  await expect(problem).toContainText('cache size in GB');
  await page.getByTestId('settings-s3-cache').fill('50');
  await expect(problem).toHaveCount(0);
  // The web host keeps no key: the AWS environment is the way, and the form says so.
  await expect(page.getByTestId('settings-lake')).toContainText('AWS_ACCESS_KEY_ID');
  await expect(page.getByTestId('settings-s3-secret')).toHaveCount(0);

  // Nothing listens on port 1: the first step fails and says why.
  await page.getByTestId('test-lake-connection').click();
  const outcome = page.getByTestId('lake-test-result');
  await expect(outcome).toContainText('Could not use s3://fleet-lake/eu/plant-1 at http://127.0.0.1:1', { timeout: 60_000 });
  await expect(outcome.getByTestId('lake-test-list')).toContainText(/failed \((unreachable|credentials)\)/);
  await expect(outcome.getByTestId('lake-test-put')).toHaveCount(0);

  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('restart-required')).toContainText('Restart the workbench');
  const saved = JSON.parse(await readFile(join(webHost.workspace, 'settings.json'), 'utf8')) as { lake?: unknown };
  expect(saved.lake).toEqual({
    kind: 's3',
    url: 's3://fleet-lake/eu/plant-1',
    region: 'eu-central-1',
    endpoint: 'http://127.0.0.1:1',
    cache: { maxBytes: 50 * 1024 ** 3 },
  });
  // Reloaded, the form shows what was saved (the cache size in GB).
  await page.reload();
  await expect(page.getByTestId('lake-s3')).toBeChecked({ timeout: 30_000 });
  await expect(page.getByTestId('settings-s3-cache')).toHaveValue('50');

  // Back to the folder inside the workspace (this host keeps running on it).
  await page.getByTestId('lake-local').check();
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('restart-required')).toContainText('Saved.');
  expect((JSON.parse(await readFile(join(webHost.workspace, 'settings.json'), 'utf8')) as { lake?: unknown }).lake).toBeUndefined();
});

test('a URL carrying a secret (?sslpassword=, user:password@) is refused by name, never echoed, never saved', async ({
  page,
  webHost,
  request,
}) => {
  await waitForDemo(request, webHost);
  const before = await readFile(join(webHost.workspace, 'settings.json'), 'utf8').catch(() => null);
  await page.goto(webHost.link('settings'));
  await expect(page.getByTestId('settings-view')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('hot-external').check();
  const problem = page.getByTestId('settings-form-problem');

  await page.getByTestId('settings-url').fill('postgres://fleet@127.0.0.1:1/fleet?sslmode=require&sslpassword=Key-Phrase-77');
  await expect(problem).toContainText('the parameter sslpassword=');
  await expect(problem).toContainText('PGPASSWORD');
  await expect(problem).not.toContainText('Key-Phrase-77');
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  await expect(page.getByTestId('test-connection')).toBeDisabled();

  await page.getByTestId('settings-url').fill('postgres://fleet:Pass-Word-77@127.0.0.1:1/fleet');
  await expect(problem).toContainText('a password (user:password@host)');
  await expect(problem).not.toContainText('Pass-Word-77');
  await expect(page.getByTestId('settings-save')).toBeDisabled();

  // A plain URL clears it.
  await page.getByTestId('settings-url').fill('postgres://fleet@127.0.0.1:1/fleet?sslmode=require');
  await expect(problem).toHaveCount(0);
  await expect(page.getByTestId('settings-save')).toBeEnabled();

  // The host refuses it too, whatever the client: BAD_INPUT naming the parameter, and the file is unchanged.
  const res = await request.post(`${webHost.origin}/api/settings.set`, {
    data: { hot: { kind: 'external', url: 'postgres://fleet@127.0.0.1:1/fleet?sslpassword=Key-Phrase-77' } },
    headers: { authorization: `Bearer ${webHost.token}` },
  });
  const refused = decodeEnvelope(new Uint8Array(await res.body())) as { ok: boolean; error?: { code: string; message: string } };
  expect(refused.ok).toBe(false);
  expect(refused.error?.code).toBe('BAD_INPUT');
  expect(refused.error?.message).toContain('sslpassword=');
  expect(JSON.stringify(refused)).not.toContain('Key-Phrase-77');
  expect(await readFile(join(webHost.workspace, 'settings.json'), 'utf8').catch(() => null)).toBe(before);
});

test('the schema browser shows telemetry synced, hot and cold, and Sync now syncs', async ({ page, webHost, request }) => {
  await waitForDemo(request, webHost);
  await page.goto(webHost.url);
  const section = page.getByTestId('battery-data');
  await expect(section).toBeVisible({ timeout: 30_000 });
  await expect(section.getByTestId('hot-state')).toContainText('PostgreSQL embedded · reachable');
  await expect(section.getByTestId('synced-overall')).toContainText(/mirror synced (just now|\d+ min ago)/);
  await expect(section.getByTestId('background-sync')).toContainText('background sync every 60 s');

  const telemetry = section.locator('[data-testid="battery-dataset"][data-dataset="telemetry"]');
  await telemetry.getByRole('button', { name: 'Expand' }).click();
  await expect(telemetry.getByTestId('tier-hot')).toContainText(/[\d,]+ rows/);
  await expect(telemetry.getByTestId('tier-hot')).toContainText(/synced (just now|\d+ min ago)/);
  await expect(telemetry.getByTestId('tier-cold')).toContainText(/\d+ files? · [\d.]+ (KB|MB)/);

  await section.getByTestId('sync-now').click();
  await expect(section.getByTestId('sync-result')).toContainText(/Synced [\d,]+ new rows in/, { timeout: 60_000 });
  await expect(section.getByTestId('sync-error')).toHaveCount(0);
  await expect(section.getByTestId('sync-now')).toBeEnabled();
  await expect(telemetry.getByTestId('tier-hot')).toContainText('synced just now');
});

test('the background sync interval applies at once from the settings, and the schema browser says it is off', async ({
  page,
  webHost,
  request,
}) => {
  await waitForDemo(request, webHost);
  await page.goto(webHost.link('settings'));
  const card = page.getByTestId('settings-sync');
  await expect(card.getByTestId('settings-sync-state')).toContainText(/background sync (every 60 s|paused)/, { timeout: 30_000 });
  /** Sets the interval on the settings page shown and waits for the card to say `state`. */
  const apply = async (seconds: string, state: string | RegExp): Promise<void> => {
    await card.getByTestId('settings-sync-interval').fill(seconds);
    await card.getByTestId('settings-sync-apply').click();
    await expect(card.getByTestId('settings-sync-state')).toContainText(state);
  };
  await card.getByTestId('settings-sync-interval').fill('soon');
  await expect(card.getByTestId('settings-sync-apply')).toBeDisabled();
  await apply('0', 'background sync off');
  await expect(page.getByTestId('settings-status').getByTestId('status-background')).toHaveText('background sync off');
  const saved = JSON.parse(await readFile(join(webHost.workspace, 'settings.json'), 'utf8')) as { sync?: unknown };
  expect(saved.sync).toEqual({ intervalSeconds: 0 });
  await page.goto(webHost.url);
  await expect(page.getByTestId('battery-data').getByTestId('background-sync')).toHaveText('background sync off', { timeout: 30_000 });

  // Back on, every 2 s: once it has run, the schema browser's line says when, in full: a line too long for the
  // sidebar wraps instead of being cut off at its edge ("background sync every 2 s · last ran" and nothing after).
  await page.goto(webHost.link('settings'));
  await apply('2', /background sync (every 2 s|syncing)/);
  await page.goto(webHost.url);
  const status = page.getByTestId('battery-data');
  const line = status.getByTestId('background-sync');
  await expect(line).toContainText(/every 2 s · last ran (just now|\d+ s ago)/, { timeout: 30_000 });
  // Text and width read together: the line flips to "syncing now" every 2 s.
  const lastRan = (): Promise<string> =>
    line.evaluate((el) => (el.textContent?.includes('last ran') ? `cut off: ${String(el.scrollWidth > el.clientWidth)}` : 'syncing'));
  await expect.poll(lastRan, { timeout: 10_000 }).toBe('cut off: false');
  for (const id of ['hot-state', 'synced-overall'])
    expect(await status.getByTestId(id).evaluate((el) => el.scrollWidth > el.clientWidth), `${id} cut off`).toBe(false);
  await page.goto(webHost.link('settings'));
  await apply('0', 'background sync off');
});
