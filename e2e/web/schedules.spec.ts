import type { ScheduleInfo } from '../../shared/api/schedule';
import { expect, test } from '../support/fixtures';
import { callHost, waitForDemo } from '../support/host-api';
import { watchPage } from '../support/page-watch';

const scheduleOf = async (webHost: Parameters<typeof callHost>[0], request: Parameters<typeof callHost>[1], job: string) =>
  (await callHost<{ schedules: ScheduleInfo[] }>(webHost, request, 'schedule.list', {})).schedules.find((s) => s.job === job);

/** The Schedules view: every job, a bad cron refused in words and nothing stored, a good one saved and enabled, Run now in the history. */
test.describe('schedules', () => {
  test.setTimeout(300_000);

  test('lists the jobs, refuses a bad cron, saves and enables one, and runs it now into the history', async ({
    page,
    webHost,
    request,
  }) => {
    const { pageErrors, dialogs } = watchPage(page);
    await waitForDemo(webHost, request);
    await page.goto(webHost.link('schedules'));
    for (const job of ['archive', 'lifecycle', 'features', 'rollups', 'alerts'])
      await expect(page.getByTestId(`schedule-${job}`)).toBeVisible();

    const card = page.getByTestId('schedule-alerts');
    await card.getByLabel('alerts cron').fill('*/5 * * *');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.locator('.inline-error')).toContainText(/cron/i);
    expect((await scheduleOf(webHost, request, 'alerts'))?.cron).toBe('*/5 * * * *');

    await card.getByLabel('alerts cron').fill('*/10 * * * *');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await scheduleOf(webHost, request, 'alerts'))?.cron).toBe('*/10 * * * *');
    await page.getByTestId('schedule-alerts').getByLabel('alerts enabled').click();
    await expect.poll(async () => (await scheduleOf(webHost, request, 'alerts'))?.enabled).toBe(true);
    await expect(page.getByTestId('schedule-alerts').getByLabel('alerts enabled')).toBeChecked();
    await expect(page.getByTestId('schedule-alerts')).toContainText('next slot: 20');

    await page.getByTestId('schedule-alerts').getByRole('button', { name: 'Run now' }).click();
    const history = page.getByTestId('schedule-history');
    await expect(history.locator('tbody tr').first()).toContainText('alerts', { timeout: 60_000 });
    await expect(history.locator('tbody tr').first()).toContainText(/done|failed/, { timeout: 60_000 });
    await expect(history.locator('tbody tr').first()).toContainText('raised');
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
