import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ScheduleInfo, ScheduleRun } from '../../../shared/api/schedule';
import { EventBus } from '../events';
import { openWorkbench, type Workbench } from '../workbench';
import type { JobOutcome, ScheduledJob } from './job-registry';
import { ScheduleStore } from './schedule-store';
import { Scheduler } from './scheduler';

const made: string[] = [];
const open: Workbench[] = [];
afterEach(async () => {
  for (const wb of open.splice(0)) await wb.close();
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

async function workspace(): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-sched-'));
  made.push(ws);
  return ws;
}

async function openWs(ws: string, bus?: EventBus): Promise<Workbench> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', ...(bus ? { events: bus } : {}) });
  open.push(wb);
  return wb;
}

async function closeWb(wb: Workbench): Promise<void> {
  open.splice(open.indexOf(wb), 1);
  await wb.close();
}

/** A job that records its calls and ends as told (after `hold` resolves, when given). */
function probe(calls: Record<string, unknown>[], end: () => JobOutcome = () => ({ outcome: 'done', message: 'ok' }), hold?: Promise<void>) {
  const job: ScheduledJob<{ n: number }> = {
    id: 'probe',
    title: 'A test job',
    defaults: { cron: '0 2 * * *', timeZone: 'UTC', enabled: false },
    options: z.object({ n: z.number().int().default(1) }).strict(),
    run: async (options) => {
      calls.push(options);
      await hold;
      return end();
    },
  };
  return job;
}

/** A scheduler over the workbench's workspace database and jobs, on a clock the test moves. */
function fixedClockScheduler(wb: Workbench, clock: { now: Date }): Scheduler {
  return new Scheduler({ store: new ScheduleStore(wb.engine), registry: wb.scheduledJobs, events: wb.events, now: () => clock.now });
}

function events(bus: EventBus): { failed: ScheduleRun[]; ran: ScheduleRun[] } {
  const out = { failed: [] as ScheduleRun[], ran: [] as ScheduleRun[] };
  bus.on((name, payload) => {
    if (name === 'schedule.failed') out.failed.push((payload as { run: ScheduleRun }).run);
    if (name === 'schedule.ran') out.ran.push((payload as { run: ScheduleRun }).run);
  });
  return out;
}

describe('scheduler (real DuckDB workspace, fixed clock)', () => {
  it('a job due during downtime runs once on start, for its latest slot, and never twice for a slot', async () => {
    const ws = await workspace();
    const calls: Record<string, unknown>[] = [];
    const clock = { now: new Date('2026-06-10T01:00:00Z') };
    let wb = await openWs(ws);
    wb.scheduledJobs.register(probe(calls));
    let s = fixedClockScheduler(wb, clock);
    await s.ensure();
    const set = await s.set({ job: 'probe', cron: '0 2 * * *', timeZone: 'UTC', enabled: true, options: { n: 3 } });
    expect(set).toMatchObject({ enabled: true, since: '2026-06-10T01:00:00.000Z', nextSlot: '2026-06-10T02:00:00.000Z', dueSlot: null });
    expect(await s.tick()).toEqual([]);

    clock.now = new Date('2026-06-10T02:00:05Z');
    const first = await s.tick();
    expect(first.map((r) => [r.job, r.slot, r.outcome, r.trigger])).toEqual([['probe', '2026-06-10T02:00:00.000Z', 'done', 'schedule']]);
    expect(calls).toEqual([{ n: 3 }]);
    clock.now = new Date('2026-06-10T02:00:35Z');
    expect(await s.tick()).toEqual([]);
    await closeWb(wb);

    // Closed for three days and seven hours: three slots passed. On start, one run, for the latest.
    clock.now = new Date('2026-06-13T09:00:00Z');
    wb = await openWs(ws);
    wb.scheduledJobs.register(probe(calls));
    s = fixedClockScheduler(wb, clock);
    await s.ensure();
    const caught = await s.tick();
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatchObject({ slot: '2026-06-13T02:00:00.000Z', outcome: 'done' });
    expect(caught[0].message).toMatch(/caught up: 3 slots passed while nothing ran; ran once/);
    expect(await s.tick()).toEqual([]);
    expect(calls).toHaveLength(2);

    const history = await wb.core.schedule.history({ limit: 10, job: 'probe' }, { transport: 'test' });
    expect(history.runs.map((r) => [r.slot, r.outcome])).toEqual([
      ['2026-06-13T02:00:00.000Z', 'done'],
      ['2026-06-10T02:00:00.000Z', 'done'],
    ]);
  });

  it('runs the rollup refresh through the rollups service on its cron, and records the job', async () => {
    const wb = await openWs(await workspace());
    const clock = { now: new Date('2026-06-10T10:20:00Z') };
    const s = fixedClockScheduler(wb, clock);
    await s.set({ job: 'rollups', cron: '15 * * * *', timeZone: 'Europe/Berlin', enabled: true });
    clock.now = new Date('2026-06-10T11:15:00Z');
    const [run] = await s.tick();
    expect(run).toMatchObject({ job: 'rollups', slot: '2026-06-10T11:15:00.000Z', outcome: 'done', message: 'Rollups refreshed.' });
    expect(run.jobId).toMatch(/^rollups-/);
    expect(wb.jobs.get(run.jobId ?? '')).toMatchObject({ kind: 'rollups', state: 'done' });
  });

  it('a failed job is recorded and announced; a run-now while it runs is refused', async () => {
    const wb = await openWs(await workspace());
    const seen = events(wb.events);
    const calls: Record<string, unknown>[] = [];
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    wb.scheduledJobs.register(probe(calls, () => ({ outcome: 'failed', message: 'the disk is full' }), hold));
    const clock = { now: new Date('2026-06-10T01:00:00Z') };
    const s = fixedClockScheduler(wb, clock);
    await s.ensure();
    // Two asks at once: one starts, the other is refused.
    const both = await Promise.allSettled([s.runNow('probe'), s.runNow('probe')]);
    const started = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(started).toHaveLength(1);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    expect(started[0]).toMatchObject({ job: 'probe', trigger: 'manual', outcome: 'running' });
    await expect(s.runNow('probe')).rejects.toMatchObject({ code: 'CONFLICT' });
    // A tick meanwhile does not start it either (it is not due, and it is busy).
    expect(await s.tick()).toEqual([]);
    release();
    await expect.poll(() => seen.ran.length).toBe(1);
    const [last] = await s.history(5, 'probe');
    expect(last).toMatchObject({ runId: started[0].runId, outcome: 'failed', message: 'the disk is full' });
    expect(last.endedAt).not.toBeNull();
    expect(calls).toHaveLength(1);
    expect(seen.failed.map((r) => r.runId)).toEqual([started[0].runId]);
    // A manual run does not take the place of a scheduled slot.
    expect(await new ScheduleStore(wb.engine).lastSlot('probe')).toBeNull();
  });

  it('a run left running by a killed process is closed as interrupted on the next start, and its slot does not run again', async () => {
    const ws = await workspace();
    const calls: Record<string, unknown>[] = [];
    const clock = { now: new Date('2026-06-10T02:00:10Z') };
    let wb = await openWs(ws);
    wb.scheduledJobs.register(probe(calls));
    let s = fixedClockScheduler(wb, clock);
    await s.ensure();
    const store = new ScheduleStore(wb.engine);
    await store.put({
      job: 'probe',
      cron: '0 2 * * *',
      timeZone: 'UTC',
      enabled: true,
      options: { n: 1 },
      since: '2026-06-01T00:00:00.000Z',
      updatedAt: '2026-06-01T00:00:00.000Z',
    });
    // What a process killed mid-job leaves: the slot's claim, still running.
    const claim: ScheduleRun = {
      runId: 'probe-killed',
      job: 'probe',
      slot: '2026-06-10T02:00:00.000Z',
      trigger: 'schedule',
      startedAt: '2026-06-10T02:00:01.000Z',
      endedAt: null,
      outcome: 'running',
      message: '',
      jobId: null,
      pid: 999_999,
      host: 'elsewhere',
    };
    expect(await store.claim(claim, 'elsewhere:999999:dead')).toBe(true);
    expect(await store.claim({ ...claim, runId: 'probe-again' }, 'other')).toBe(false);
    await closeWb(wb);

    // Opening the workspace closes the orphan (the event goes out before any tick).
    const bus = new EventBus();
    const seen = events(bus);
    wb = await openWs(ws, bus);
    expect(seen.failed.map((r) => r.runId)).toEqual(['probe-killed']);
    wb.scheduledJobs.register(probe(calls));
    s = fixedClockScheduler(wb, clock);
    await s.ensure();
    expect(await s.tick()).toEqual([]);
    expect(calls).toEqual([]);
    const [run] = await s.history(5, 'probe');
    expect(run).toMatchObject({ runId: 'probe-killed', outcome: 'failed' });
    expect(run.message).toMatch(/Interrupted: process 999999 on elsewhere ended while it ran/);
    expect(seen.failed).toHaveLength(1);
  });

  it('a bad cron expression, zone or option is BAD_INPUT and stores nothing', async () => {
    const wb = await openWs(await workspace());
    const before = await wb.core.schedule.list({}, { transport: 'test' });
    expect(before.schedules.map((x: ScheduleInfo) => [x.job, x.enabled, x.cron, x.timeZone])).toEqual([
      ['archive', false, '0 2 * * *', 'UTC'],
      ['lifecycle', false, '0 4 * * *', 'UTC'],
      ['features', false, '30 3 * * *', 'UTC'],
      ['rollups', false, '15 * * * *', 'UTC'],
      ['alerts', false, '*/5 * * * *', 'UTC'],
    ]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ job: 'archive', cron: '0 25 * * *', enabled: true }, /"0 25 \* \* \*" is not a valid cron expression: .*hour/i],
      [{ job: 'archive', cron: '0 2 * *', enabled: true }, /is not a cron expression: give 5 fields/],
      [{ job: 'archive', timeZone: 'Europe/Atlantis', enabled: true }, /"Europe\/Atlantis" is not a time zone/],
      [
        { job: 'archive', options: { olderThanDays: 0 }, enabled: true },
        /options of the archive job are not valid: olderThanDays: must be at least 1 day/,
      ],
      [{ job: 'archive', options: { olderThan: 3 } }, /options of the archive job are not valid/],
    ];
    for (const [req, message] of cases) {
      const r = await wb.dispatch('schedule.set', req, { transport: 'test' });
      expect(r.ok, JSON.stringify(req)).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_INPUT');
        expect(r.error.message).toMatch(message);
      }
    }
    const unknown = await wb.dispatch('schedule.set', { job: 'nightly', enabled: true }, { transport: 'test' });
    expect(unknown.ok ? null : unknown.error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/archive, lifecycle, features, rollups, alerts/),
    });
    const after = await wb.core.schedule.list({}, { transport: 'test' });
    expect(after.schedules.map((x) => [x.job, x.enabled, x.cron, x.timeZone, x.options])).toEqual(
      before.schedules.map((x) => [x.job, x.enabled, x.cron, x.timeZone, x.options]),
    );
  });

  it('the workbench ticks its scheduler until it closes, and close waits for the run under way', async () => {
    const ws = await workspace();
    const calls: Record<string, unknown>[] = [];
    const wb = await openWs(ws);
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    wb.scheduledJobs.register(probe(calls, () => ({ outcome: 'done', message: 'ok' }), hold));
    await wb.scheduler.ensure();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await new ScheduleStore(wb.engine).put({
      job: 'probe',
      cron: '* * * * *',
      timeZone: 'UTC',
      enabled: true,
      options: { n: 1 },
      since: hourAgo,
      updatedAt: hourAgo,
    });
    wb.scheduler.start(20);
    await expect.poll(() => calls.length, { timeout: 5000 }).toBe(1);
    const closing = closeWb(wb);
    setTimeout(release, 100);
    await closing;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toHaveLength(1);
    const again = await openWs(ws);
    // The reopened workbench has no probe job registered: its history straight from the store.
    const runs = await new ScheduleStore(again.engine).runs(5, 'probe');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'done', trigger: 'schedule' });
  });

  it('a web host opening a workspace runs the job that fell due while it was closed, once, at start', async () => {
    const ws = await workspace();
    let wb = await openWs(ws);
    const hoursAgo = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const store = new ScheduleStore(wb.engine);
    const rollups = (await store.schedules()).get('rollups');
    if (!rollups) throw new Error('no rollups schedule');
    await store.put({ ...rollups, cron: '0 * * * *', enabled: true, since: hoursAgo, updatedAt: hoursAgo });
    await closeWb(wb);

    wb = await openWorkbench({ workspaceDir: ws, entry: 'web', data: { hot: 'none' } });
    open.push(wb);
    await expect.poll(async () => (await wb.scheduler.history(5, 'rollups')).map((r) => r.outcome), { timeout: 20_000 }).toEqual(['done']);
    const [run] = await wb.scheduler.history(5, 'rollups');
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    expect(run).toMatchObject({ slot: hour.toISOString(), trigger: 'schedule' });
    expect(run.message).toMatch(/caught up: [23] slots passed/);
    // The next tick finds nothing due: the missed slots are not run one by one.
    expect(await wb.scheduler.tick()).toEqual([]);
    expect(await wb.scheduler.history(5, 'rollups')).toHaveLength(1);
  });
});
