import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf, type JobProgress, type JobSummary } from '../../../shared/api/jobs';
import { DEMO_SCALES, fleetSize } from '../../../shared/domain/demo-scale';
import { queryNumber } from '../engine/duck-query';
import { openWorkbench, type Workbench } from '../workbench';

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

/** The progress events of the next job of `kind`, up to its end. */
function nextFinishedJob(wb: Workbench, kind: string): Promise<JobProgress[]> {
  const seen: JobProgress[] = [];
  return new Promise((resolve) => {
    const off = wb.events.on((event, payload) => {
      if (event !== 'job.progress') return;
      const p = payload as JobProgress;
      if (p.kind !== kind) return;
      seen.push(p);
      if (p.state !== 'running') {
        off();
        resolve(seen);
      }
    });
  });
}

describe('first start on an empty workspace', () => {
  it('seeds the small demo as a job with progress, and only once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bw-seed-'));
    cleanup.push(dir);
    let wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'eager', autoSeed: true } });
    const events = await nextFinishedJob(wb, 'demo');
    const last = events[events.length - 1];
    expect(last.state).toBe('done');
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(['prepare', 'telemetry', 'sync', 'rollups']));
    expect(events.some((e) => e.phase === 'telemetry' && (e.fraction ?? 0) > 0 && (e.fraction ?? 0) < 1)).toBe(true);
    // The demo ends with its rollups built: right at its end, the gold tables hold every jar and string.
    const duck = await wb.engine.connect();
    const jars = fleetSize(DEMO_SCALES.small).jars;
    expect(await queryNumber(duck, 'SELECT count(*) FROM battery')).toBe(jars);
    expect(await queryNumber(duck, 'SELECT count(DISTINCT battery_id) FROM gold.jar_daily')).toBe(jars);
    expect(await queryNumber(duck, 'SELECT count(DISTINCT battery_id) FROM gold.jar_hourly')).toBe(jars);
    expect(await queryNumber(duck, 'SELECT count(*) FROM gold.string_hourly')).toBeGreaterThan(0);
    expect(await queryNumber(duck, 'SELECT count(*) FROM gold.site_daily')).toBeGreaterThan(0);
    duck.closeSync();
    const report = reportOf(wb.jobs.get(last.jobId) as JobSummary<DemoJobReport>);
    expect(report.rollupMs).toBeGreaterThanOrEqual(0);
    expect(report.rollupError).toBeUndefined();
    cleanup.push((await wb.data.hotStore()).info.dataDir ?? dir);
    await wb.close();

    // Second start: not empty any more, so it syncs instead of seeding again.
    wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'eager', autoSeed: true } });
    const again = await nextFinishedJob(wb, 'sync');
    expect(again[again.length - 1].state).toBe('done');
    expect(wb.jobs.list().some((j) => j.kind === 'demo')).toBe(false);
    await wb.close();
  });
});
