import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../shared/api/jobs';
import { DEMO_SCALES, fleetSize } from '../../../shared/domain/demo-scale';
import { queryNumber } from '../engine/duck-query';
import { openWorkbench, type Workbench } from '../workbench';

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

function nextFinishedJob(wb: Workbench): Promise<JobProgress[]> {
  const seen: JobProgress[] = [];
  return new Promise((resolve) => {
    const off = wb.events.on((event, payload) => {
      if (event !== 'job.progress') return;
      const p = payload as JobProgress;
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
    const events = await nextFinishedJob(wb);
    const last = events[events.length - 1];
    expect(last.kind).toBe('demo');
    expect(last.state).toBe('done');
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(['prepare', 'telemetry', 'sync']));
    expect(events.some((e) => e.phase === 'telemetry' && (e.fraction ?? 0) > 0 && (e.fraction ?? 0) < 1)).toBe(true);
    const duck = await wb.engine.connect();
    expect(await queryNumber(duck, 'SELECT count(*) FROM battery')).toBe(fleetSize(DEMO_SCALES.small).jars);
    duck.closeSync();
    cleanup.push((await wb.data.hotStore()).info.dataDir ?? dir);
    await wb.close();

    // Second start: not empty any more, so it syncs instead of seeding again.
    wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'eager', autoSeed: true } });
    const again = await nextFinishedJob(wb);
    expect(again[again.length - 1].kind).toBe('sync');
    expect(again[again.length - 1].state).toBe('done');
    await wb.close();
  });
});
