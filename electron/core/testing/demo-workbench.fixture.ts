import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoJobReport } from '../../../shared/api/data';
import type { JobSummary } from '../../../shared/api/jobs';
import { buildDemoFleet } from '../../../shared/domain/demo-fleet';
import { planDemoPhenomena, type DemoPhenomena } from '../../../shared/domain/demo-phenomena';
import { planDemoJars, type JarPlan } from '../../../shared/domain/demo-plan';
import { DEMO_SCALES } from '../../../shared/domain/demo-scale';
import type { DemoOptions } from '../demo/seed-demo';
import type { HotStore } from '../hot/hot-store';
import { openWorkbench, type Workbench } from '../workbench';

/** Test support: a workbench over a new workspace holding a demo fleet, PostgreSQL started, and a connection of its own. */
export interface DemoWorkbench {
  dir: string;
  wb: Workbench;
  hot: HotStore;
  duck: DuckDBConnection;
  /** How the demo job ended (the caller asserts on it). */
  summary: JobSummary;
  /** Closes everything and removes the workspace and its PostgreSQL data folder. */
  close(): Promise<void>;
}

export async function openDemoWorkbench(prefix: string, demo: DemoOptions): Promise<DemoWorkbench> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'lazy' } });
  let hot: HotStore | undefined;
  let duck: DuckDBConnection | undefined;
  const close = async (): Promise<void> => {
    duck?.closeSync();
    const dataDir = hot?.info.dataDir;
    await wb.close();
    await rm(dir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const summary = await wb.demo.start(demo).done;
    hot = await wb.data.hotStore();
    duck = await wb.engine.connect();
    return { dir, wb, hot, duck, summary, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What a small demo's report says was seeded: each jar's plan and the phenomena (outages, imbalanced jars, hotspots). */
export function smallDemoPlans(report: DemoJobReport): { jars: JarPlan[]; seeded: DemoPhenomena } {
  const start = new Date(report.window.start);
  const window = { start, split: new Date(report.window.split), end: new Date(report.window.end) };
  const fleet = buildDemoFleet(DEMO_SCALES.small, report.seed, start);
  const jars = planDemoJars(fleet, window, report.seed);
  return { jars, seeded: planDemoPhenomena(fleet, window, report.seed, jars) };
}
