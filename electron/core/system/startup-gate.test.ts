import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../shared/api/jobs';
import { openFixtureWorkbench } from '../rollups/fleet-fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { StartupGate } from './startup-gate';

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

/** The next job of `kind` to end, with its last progress. */
function nextFinishedJob(wb: Workbench, kind: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = wb.events.on((event, payload) => {
      const p = payload as JobProgress;
      if (event !== 'job.progress' || p.kind !== kind || p.state === 'running') return;
      off();
      resolve(p);
    });
  });
}

describe('StartupGate', () => {
  it('opens once every tracked call has answered, and runs what waits then, not before', async () => {
    const gate = new StartupGate(Infinity);
    const ran: string[] = [];
    gate.after(() => ran.push('start'));
    let finishFirst = (): void => undefined;
    const first = gate.track(() => new Promise<void>((r) => (finishFirst = r)));
    const second = gate.track(async () => 'quick');
    expect(await second).toBe('quick');
    // One call is still in flight: the gate stays shut.
    await Promise.resolve();
    expect(gate.isOpened).toBe(false);
    expect(ran).toEqual([]);
    finishFirst();
    await first;
    await gate.opened;
    expect(ran).toEqual(['start']);
    // Open: later work runs at once.
    gate.after(() => ran.push('later'));
    expect(ran).toEqual(['start', 'later']);
  });

  it('never runs what waits once disposed', async () => {
    const gate = new StartupGate(Infinity);
    const ran: string[] = [];
    gate.after(() => ran.push('start'));
    gate.dispose();
    gate.open();
    await gate.opened;
    await Promise.resolve();
    expect(ran).toEqual([]);
  });
});

describe('opening a workspace whose rollups hold data, for the web', () => {
  it('answers the fleet before the hot store, the mirror sync and the rollups catch-up start; they follow the first panels', async () => {
    // A workspace with a fleet and its rollups, closed, then opened by the web host (embedded PostgreSQL, eager start).
    const fx = await openFixtureWorkbench('bw-gate-');
    cleanup.push(fx.dir);
    fx.conn.closeSync();
    await fx.wb.close();
    const wb = await openWorkbench({ workspaceDir: fx.dir, entry: 'web', startupHoldMs: Infinity });
    try {
      const call = (channel: string, request: unknown) => wb.dispatch(channel, request, { transport: 'test' });
      const entity = await call('dashboard.entity', { scope: { kind: 'fleet' } });
      expect(entity.ok).toBe(true);
      // Nothing runs in the background yet: no catch-up refresh (it used to start with the first entity), no sync.
      expect(wb.jobs.list().map((j) => j.kind)).toEqual([]);
      expect((await wb.data.status()).hot.reachable).toBe(false);

      const synced = nextFinishedJob(wb, 'sync');
      const caughtUp = nextFinishedJob(wb, 'rollups');
      const sites = await call('dashboard.panel', {
        panel: 'fleet.sites',
        scope: { kind: 'fleet' },
        from: '2024-03-01T00:00:00Z',
        to: '2024-03-05T00:00:00Z',
        width: 400,
      });
      expect(sites.ok && (sites.value as { rows: unknown[] }).rows.length).toBe(2);
      // The first panels answered: the hot store starts, the mirror syncs, the rollups catch up.
      // (The sync ends in an error here: this PostgreSQL is new and holds no tables. That it ran is the point.)
      expect((await synced).kind).toBe('sync');
      expect((await wb.data.status()).hot.reachable).toBe(true);
      expect((await caughtUp).state).toBe('done');
      const info = (await wb.data.hotStore()).info;
      if (info.dataDir) cleanup.push(info.dataDir);
    } finally {
      await wb.close();
    }
  }, 180_000);
});
