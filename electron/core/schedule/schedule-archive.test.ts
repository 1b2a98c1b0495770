import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { hotRowsBefore, withPg } from '../archive/archive.fixture';
import { cutoffFor } from '../archive/archiver';
import { demoWorkspace } from '../testing/cli-process.fixture';
import { ScheduleStore } from './schedule-store';
import { Scheduler } from './scheduler';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('the scheduled archive (real embedded PostgreSQL, real lake)', () => {
  it('is skipped while another archiver holds the PostgreSQL advisory lock, and archives at its next slot', async () => {
    const ws = await demoWorkspace(made, 4, 1);
    await withPg(ws, async (wb) => {
      const clock = { now: new Date('2026-06-09T12:00:00Z') };
      const s = new Scheduler({ store: new ScheduleStore(wb.engine), registry: wb.scheduledJobs, events: wb.events, now: () => clock.now });
      await s.set({ job: 'archive', cron: '0 2 * * *', timeZone: 'Europe/Berlin', enabled: true, options: { olderThanDays: 2 } });

      const hot = await wb.data.hotStore();
      const holder = await hot.connect();
      try {
        // Another workspace's archiver on the same PostgreSQL.
        await holder.query("SELECT pg_advisory_lock(hashtext('battery-workbench:archive'))");
        clock.now = new Date('2026-06-10T00:00:30Z');
        const [skipped] = await s.tick();
        expect(skipped).toMatchObject({ job: 'archive', slot: '2026-06-10T00:00:00.000Z', outcome: 'skipped' });
        expect(skipped.message).toMatch(/Another archive run holds the archive lock on this PostgreSQL/);
      } finally {
        await holder.end();
      }

      clock.now = new Date('2026-06-11T00:00:30Z');
      const [done] = await s.tick();
      expect(done).toMatchObject({ job: 'archive', slot: '2026-06-11T00:00:00.000Z', outcome: 'done' });
      expect(done.message).toMatch(/^Archived [1-9]\d* rows in \d+ batch\(es\)/);
      const runs = await wb.core.archive.history({ limit: 5 }, { transport: 'test' });
      expect(runs.runs[0]).toMatchObject({ dryRun: false, error: null });
      expect(runs.runs[0].rowsArchived).toBeGreaterThan(0);
    });
  }, 300_000);

  it('archives each dataset past its own hot window (the lifecycle policy), the others past the job window', async () => {
    const ws = await demoWorkspace(made, 4, 1);
    await withPg(ws, async (wb) => {
      const ctx = { transport: 'test' } as const;
      await wb.core.lifecycle.setPolicy({ dataset: 'telemetry', hotDays: 1 }, ctx);
      const clock = { now: new Date('2026-06-09T12:00:00Z') };
      const s = new Scheduler({ store: new ScheduleStore(wb.engine), registry: wb.scheduledJobs, events: wb.events, now: () => clock.now });
      await s.set({
        job: 'archive',
        cron: '0 2 * * *',
        timeZone: 'UTC',
        enabled: true,
        options: { olderThanDays: 3, datasets: ['telemetry', 'string_telemetry'] },
      });
      const now = new Date();
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(now, 1))).toBeGreaterThan(0);
      expect(await hotRowsBefore(wb, 'string_telemetry', 'ts', cutoffFor(now, 1))).toBeGreaterThan(0);
      clock.now = new Date('2026-06-10T02:00:30Z');
      const [done] = await s.tick();
      expect(done.outcome, done.message).toBe('done');
      expect(done.message).toMatch(
        /^Archived \d+ rows in \d+ batch\(es\), before .+ \(telemetry\)\. Archived \d+ rows in \d+ batch\(es\), before .+ \(string_telemetry\)\.$/,
      );
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(now, 1))).toBe(0);
      // The job window for the dataset without a policy: rows of the last three days stay hot.
      expect(await hotRowsBefore(wb, 'string_telemetry', 'ts', cutoffFor(now, 3))).toBe(0);
      expect(await hotRowsBefore(wb, 'string_telemetry', 'ts', cutoffFor(now, 1))).toBeGreaterThan(0);
    });
  }, 300_000);
});
