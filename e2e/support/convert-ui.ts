import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import type { RunningWebHost } from './web-host-process';

const tempDirs = new Set<string>();

/** A new temp folder, removed by removeTempDirs(). */
export async function makeTempDir(prefix = 'bw-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Removes every folder makeTempDir made (call it in afterAll). */
export async function removeTempDirs(): Promise<void> {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Writes `text` to a new temp folder as `name` and returns its absolute path. */
export async function writeTempCsv(name: string, text: string): Promise<string> {
  const dir = await makeTempDir('bw-e2e-csv-');
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Battery readings over `days` UTC days (skipping `skipDay`), `perDay` rows a day. */
export function readingsCsv(days: string[], perDay: number, header = 'ts,battery_id,voltage,temp_c'): string {
  const lines = [header];
  for (const day of days) {
    for (let i = 0; i < perDay; i++) {
      const s = i * 300;
      const hh = String(Math.floor(s / 3600) % 24).padStart(2, '0');
      const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
      lines.push(`${day} ${hh}:${mm}:00,${i % 24},${(12 + (i % 17) / 10).toFixed(3)},${(20 + (i % 13)).toFixed(1)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Opens a view of the web host by its hash route, on a fresh page load (no state kept from before). */
export async function openView(page: Page, host: RunningWebHost, hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(host.link(hash));
}

/** Adds one input file through the in-app picker: type its path, Enter, Choose. */
export async function pickInputFile(page: Page, path: string): Promise<void> {
  await page.getByTestId('add-files').click();
  const picker = page.getByTestId('file-picker');
  await expect(picker).toBeVisible();
  await page.getByTestId('picker-path').fill(path);
  await page.getByTestId('picker-path').press('Enter');
  await expect(page.getByTestId('picker-choose')).toBeEnabled();
  await page.getByTestId('picker-choose').click();
  await expect(picker).toHaveCount(0);
}

/** The Convert view, driven the way a user does it, into a lake dataset. */
export async function convertToLake(
  page: Page,
  host: RunningWebHost,
  csv: string,
  dataset: string,
  options: { partitionBy?: string } = {},
): Promise<void> {
  await openView(page, host, 'convert');
  await pickInputFile(page, csv);
  await expect(page.getByTestId('convert-preview')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('convert-dataset').fill(dataset);
  if (options.partitionBy) await page.getByTestId('convert-partition').selectOption(options.partitionBy);
  await page.getByTestId('convert-run').click();
  await expect(page.getByTestId('convert-report')).toBeVisible({ timeout: 60_000 });
}

/** A CSV of about `megabytes` MB (readings over 28 days) written fast in blocks; returns its path. */
export async function writeLargeCsv(megabytes: number): Promise<string> {
  const dir = await makeTempDir('bw-e2e-big-');
  const path = join(dir, 'big.csv');
  const rows: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const s = (i * 7) % 86_400;
    const t = `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    rows.push(`2024-02-${day} ${t},${i % 2376},${(12 + (i % 180) / 100).toFixed(3)},${(20 + (i % 150) / 10).toFixed(1)}`);
  }
  const block = `${rows.join('\n')}\n`;
  const { open } = await import('node:fs/promises');
  const file = await open(path, 'w');
  try {
    await file.write('ts,battery_id,voltage,temp_c\n');
    const blocks = Math.ceil((megabytes * 1024 * 1024) / block.length);
    for (let i = 0; i < blocks; i++) await file.write(block);
  } finally {
    await file.close();
  }
  return path;
}
