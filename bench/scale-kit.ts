import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportOf } from '../shared/api/jobs';
import type { DemoScaleName } from '../shared/domain/demo-scale';
import { openWorkbench, type Workbench } from '../electron/core/workbench';

/**
 * What `npm run bench -- scale` measures: each figure with its target. A figure passes when its value is at
 * most its limit (ratios, milliseconds, bytes); `detail` carries what a reader needs to trust it.
 */
export interface ScaleFigure {
  name: string;
  value: number;
  unit: 'ms' | 'MB' | 'ratio' | 'files';
  limit: number;
  pass: boolean;
  detail?: Record<string, unknown>;
}

export function atMost(
  name: string,
  value: number,
  unit: ScaleFigure['unit'],
  limit: number,
  detail?: Record<string, unknown>,
): ScaleFigure {
  const rounded = Math.round(value * 1000) / 1000;
  return { name, value: rounded, unit, limit, pass: rounded <= limit, ...(detail ? { detail } : {}) };
}

const here = dirname(fileURLToPath(import.meta.url));

/** `bench/.cache/<name>`: cached inputs of the benchmarks (git-ignored; delete a folder to rebuild it). */
export function benchCacheDir(name: string): string {
  return join(here, '.cache', name);
}

/** The two workspaces the scale figures compare: the 90-day full demo and a year of the same fleet. */
export type ScaleWorkspace = '90d' | 'year';

/**
 * `layout`: the physical layout a cached workspace was built with; a cache built with another is generated again.
 * 90d 4 and year 5: the workspace database's 64 KiB blocks (WORKSPACE_BLOCK_SIZE), fixed when the file is created.
 */
const WORKSPACES: Record<ScaleWorkspace, { scale: DemoScaleName; daysCold?: number; layout: number }> = {
  '90d': { scale: 'full', layout: 4 },
  year: { scale: 'year', layout: 5 },
};

export interface OpenedWorkspace {
  dir: string;
  wb: Workbench;
  /** Generation time when this run built the workspace, else null (it came from the cache). */
  builtMs: number | null;
  /** The demo's report when this run built it. */
  report: Record<string, unknown> | null;
}

/**
 * The workspace as the app holds it once started: the rollups' once-a-session catch-up (which the first panel or
 * entity read starts, 0.6-0.8 s of work on these workspaces) done, so no part times its queries against it.
 */
async function caughtUp(wb: Workbench): Promise<void> {
  wb.rollups.catchUp();
  await wb.rollups.whenIdle();
}

/**
 * Opens a cached scale workspace, generating it first when absent or built with another layout. The caller
 * closes `wb`. The marker is written last, so an interrupted build is generated again next time.
 */
export async function openScaleWorkspace(which: ScaleWorkspace): Promise<OpenedWorkspace> {
  const spec = WORKSPACES[which];
  const dir = benchCacheDir(`scale-${which}`);
  const marker = join(dir, 'bench-ready.json');
  const fresh = !existsSync(marker) || (JSON.parse(await readFile(marker, 'utf8')) as { layout?: number }).layout !== spec.layout;
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'cli', data: { start: 'lazy' } });
  if (!fresh) {
    await caughtUp(wb);
    return { dir, wb, builtMs: null, report: null };
  }
  const t0 = performance.now();
  // Without the feature sets, as before the demo materialized them: builtMs stays comparable (bench/features.ts times them).
  const { done } = wb.demo.start({
    scale: spec.scale,
    features: false,
    ...(spec.daysCold !== undefined ? { daysCold: spec.daysCold } : {}),
  });
  const summary = await done;
  if (summary.error) throw new Error(`demo (${which}) failed: ${summary.error.message}`);
  await caughtUp(wb);
  const builtMs = Math.round(performance.now() - t0);
  await writeFile(marker, JSON.stringify({ at: new Date().toISOString(), layout: spec.layout }));
  return { dir, wb, builtMs, report: reportOf(summary) as unknown as Record<string, unknown> };
}
