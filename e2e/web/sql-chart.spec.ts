import { readFile } from 'node:fs/promises';
import type { Locator } from '@playwright/test';
import { expect, test } from '../support/fixtures';

const ROWS = 2_000_000;

interface DrawnAxes {
  axes: { axis: string; name: string; labels: string[] }[];
}

/** The y axes the chart draws (name and tick labels), from the renderer's `window.describeChart`. */
async function yAxesOf(chart: Locator): Promise<{ name: string; labels: string[] }[]> {
  return chart.evaluate((el) =>
    ((globalThis as unknown as { describeChart?: (e: unknown) => DrawnAxes | null }).describeChart?.(el)?.axes ?? [])
      .filter((a) => a.axis.startsWith('yAxis'))
      .map((a) => ({ name: a.name, labels: a.labels })),
  );
}

/** Data marks the chart draws, read by the renderer's `window.describeChart` from ECharts' model. */
async function marksOf(chart: Locator): Promise<number> {
  return chart.evaluate(
    (el) => (globalThis as unknown as { describeChart?: (e: unknown) => { marks: number } | null }).describeChart?.(el)?.marks ?? 0,
  );
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  return text.trimEnd().split('\n').length;
}

test.describe('chart of a result', () => {
  test('a 2,000,000-row time series draws from bounded points; zoom re-queries; data export has every row', async ({ app, page }) => {
    test.setTimeout(240_000);
    await app.run(`SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, sin(i / 1000.0) AS v FROM range(${ROWS}) t(i)`);
    await expect(app.statusBar).toContainText(/2[,.\u202f\u00a0 ]?000[,.\u202f\u00a0 ]?000/, { timeout: 120_000 });
    await page.getByTestId('result-view-chart').click();

    // A timestamp column on x: a line chart of the numeric column, by default.
    await expect(page.getByTestId('chart-type')).toHaveValue('line');
    await expect(page.getByTestId('chart-x')).toHaveValue('ts');
    const meta = page.getByTestId('chart-meta');
    await expect(meta).toHaveAttribute('data-rows', String(ROWS), { timeout: 60_000 });
    const width = Number(await meta.getAttribute('data-width'));
    const points = Number(await meta.getAttribute('data-points'));
    expect(width).toBeGreaterThanOrEqual(200);
    // M4: at most 4 points per pixel column, never the rows.
    expect(points).toBeGreaterThan(width);
    expect(points).toBeLessThanOrEqual(4 * width);
    const canvas = page.getByTestId('result-chart-canvas');
    await expect(canvas.locator('canvas').first()).toBeVisible();
    await expect.poll(() => marksOf(canvas), { timeout: 30_000 }).toBeGreaterThan(width / 2);

    // The whole series' rows behind the chart, at full resolution.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByTestId('chart-export-data').click(),
    ]);
    await expect(page.getByTestId('chart-export-note')).toContainText(/Wrote 2[,.\u202f\u00a0 ]?000[,.\u202f\u00a0 ]?000 rows/, {
      timeout: 120_000,
    });
    const path = await download.path();
    expect(await lineCount(path)).toBe(ROWS + 1);

    // A drag over a part of the plot zooms: the range is queried again, with fewer rows behind it.
    const box = await canvas.boundingBox();
    if (!box) throw new Error('the chart has no box');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('chart-reset-zoom')).toBeVisible({ timeout: 30_000 });
    await expect.poll(async () => Number(await meta.getAttribute('data-rows')), { timeout: 60_000 }).toBeLessThan(ROWS);
    const zoomedRows = Number(await meta.getAttribute('data-rows'));
    expect(zoomedRows).toBeGreaterThan(0);
    expect(Number(await meta.getAttribute('data-points'))).toBeLessThanOrEqual(4 * width);

    // The zoomed chart's data export holds exactly the rows in the range.
    const [zoomed] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByTestId('chart-export-data').click(),
    ]);
    await expect(page.getByTestId('chart-export-note')).toContainText(`Wrote ${zoomedRows.toLocaleString('en-US')} rows`, {
      timeout: 120_000,
    });
    expect(await lineCount(await zoomed.path())).toBe(zoomedRows + 1);

    // PNG export: the canvas as an image download.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-export-png').click()]);
    expect(png.suggestedFilename()).toBe('chart.png');
  });

  test('a column one axis would flatten gets a right-hand axis; the checkbox puts it back on one', async ({ app, page }) => {
    // A day's row count (~40,000) and its mean voltage (~13 V): on one axis the voltage is a line on the floor.
    await app.run(
      `SELECT DATE '2026-01-01' + INTERVAL (d) DAY AS day, 40000 + d * 37 % 900 AS readings, 12.9 + (d % 7) / 20.0 AS mean_v FROM range(60) t(d)`,
    );
    await page.getByTestId('result-view-chart').click();
    await expect(page.getByTestId('chart-type')).toHaveValue('line');
    const meta = page.getByTestId('chart-meta');
    await expect(meta).toHaveAttribute('data-right-axis', 'mean_v', { timeout: 30_000 });
    await expect(meta).toContainText('right axis: mean_v');
    const canvas = page.getByTestId('result-chart-canvas');
    await expect.poll(async () => (await yAxesOf(canvas)).map((a) => a.name), { timeout: 30_000 }).toEqual(['readings', 'mean_v']);
    // The right axis is the voltage's own scale: its ticks lie within a volt of it, not 0 to 40,000.
    const right = (await yAxesOf(canvas))[1];
    expect(right.labels.length).toBeGreaterThan(1);
    for (const label of right.labels) expect(Math.abs(Number(label) - 13.1)).toBeLessThan(1);

    const split = page.getByTestId('chart-split-axes');
    await expect(split).toBeChecked();
    await split.uncheck();
    await expect(meta).toHaveAttribute('data-right-axis', '');
    await expect.poll(async () => (await yAxesOf(canvas)).map((a) => a.name), { timeout: 30_000 }).toEqual(['readings, mean_v']);
  });
});
