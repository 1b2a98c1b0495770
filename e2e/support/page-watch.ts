import type { Locator, Page } from '@playwright/test';

/** Markup put into database text by tests: it must show as text, never run. */
export const HOSTILE_TEXT = '<img src=x onerror=alert(1)>';

/** The names of the marks drawn over a chart's series, as the renderer's `window.describeChart` reads them. */
export async function chartMarkers(chart: Locator): Promise<string[]> {
  return chart.evaluate(
    (el) => (globalThis as unknown as { describeChart?: (e: unknown) => { markers: string[] } | null }).describeChart?.(el)?.markers ?? [],
  );
}

/** Collects the page's uncaught errors and any dialog it opens (each dismissed): a test ends expecting both empty. */
export function watchPage(page: Page): { pageErrors: string[]; dialogs: string[] } {
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { pageErrors, dialogs };
}
