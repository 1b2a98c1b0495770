import { test, expect } from '../support/fixtures';

/** Opening the app on a dashboard: its first data is asked for while the view's code (charts included) loads. */
test.describe('opening on the fleet', () => {
  test.setTimeout(300_000);

  test('asks for the fleet entity while the view code still loads, and draws the view once it has loaded', async ({ page, webHost }) => {
    let entityAsked = (): void => undefined;
    const asked = new Promise<void>((resolve) => (entityAsked = resolve));
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/dashboard.entity') entityAsked();
    });
    // The fleet view's code is held until the page has asked for the fleet's entity: a page that asks only once
    // the view has loaded never gets there.
    await page.route('**/assets/FleetView-*.js', async (route) => {
      await asked;
      await route.continue();
    });
    await page.goto(webHost.link('fleet'));
    await expect(page.getByTestId('fleet-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('panel-fleet.sites')).toHaveAttribute('data-state', /.+/, { timeout: 60_000 });
  });
});
