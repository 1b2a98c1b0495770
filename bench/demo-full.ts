import { reportOf } from '../shared/api/jobs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openWorkbench } from '../electron/core/workbench';

/**
 * `demo --scale full` (9 sites, 2,376 jars, 90 days: ~61.6M telemetry rows) on a fresh workspace:
 * wall time of generation (lake + PostgreSQL) and of the mirror sync, and peak resident memory of this
 * process (DuckDB runs in it; PostgreSQL runs in its own processes and is not included). The demo's last step,
 * materializing the built-in feature sets, is timed apart (`featuresMs`, the same sets materialized right after a
 * demo without them), so `wallMs` and the peak stay comparable with the runs from before that step existed.
 */
export async function benchDemoFull(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-bench-demo-'));
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'cli', data: { start: 'lazy' } });
  let dataDir: string | null = null;
  try {
    const t0 = performance.now();
    const { done } = wb.demo.start({ scale: 'full', features: false });
    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
    }, 200);
    const summary = await done;
    clearInterval(sampler);
    const wallMs = performance.now() - t0;
    dataDir = (await wb.data.hotStore()).info.dataDir;
    if (summary.error) throw new Error(`demo failed: ${summary.error.message}`);
    const report = reportOf(summary);
    const t = report.rows.telemetry ?? { hot: 0, cold: 0 };
    const peakRssBytes = Math.max(peakSampled, process.resourceUsage().maxRSS * 1024);
    const f0 = performance.now();
    const features = await wb.jobs.wait(await wb.core.features.materialize({ full: false }, { transport: 'test' }));
    const featuresMs = performance.now() - f0;
    if (features.state !== 'done') throw new Error(`features materialize: ${features.error?.message ?? features.state}`);
    const sets = reportOf(features).sets.map((s) => ({ set: s.set, days: s.days, rows: s.rows, elapsedMs: s.elapsedMs }));
    return {
      scale: 'full',
      jars: report.fleet.jars,
      telemetryRows: t.hot + t.cold,
      telemetryHot: t.hot,
      telemetryCold: t.cold,
      promisedTelemetry: report.promised.telemetry.hot + report.promised.telemetry.cold,
      lakeFiles: report.lakeFiles,
      lakeBytes: report.lakeBytes,
      generateMs: report.elapsedMs,
      mirrorSyncMs: report.sync.elapsedMs,
      wallMs: Math.round(wallMs),
      peakRssBytes,
      featuresMs: Math.round(featuresMs),
      featureSets: sets,
      wallWithFeaturesMs: Math.round(wallMs + featuresMs),
      rssBeforeBytes: rssBefore,
    };
  } finally {
    await wb.close();
    await rm(dir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
