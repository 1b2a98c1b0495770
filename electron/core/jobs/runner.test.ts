import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../shared/api/jobs';
import { WorkbenchError } from '../../../shared/api/errors';
import { EventBus } from '../events';
import { JobRunner } from './runner';

function setup() {
  const events = new EventBus();
  const seen: JobProgress[] = [];
  events.on((event, payload) => {
    if (event === 'job.progress') seen.push(payload as JobProgress);
  });
  return { runner: new JobRunner(events, { minEmitIntervalMs: 20 }), seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobRunner', () => {
  it('runs a job, streams progress and keeps its report', async () => {
    const { runner, seen } = setup();
    const job = runner.start('demo', async (ctx) => {
      ctx.progress({ phase: 'generate', fraction: 0.25, rows: 100, bytes: 2048 });
      await sleep(30);
      ctx.progress({ phase: 'write', fraction: 0.75, rows: 300, bytes: 8192, message: 'writing parquet' });
      await sleep(30);
      return { rows: 400 };
    });
    const summary = await job.done;
    expect(summary.state).toBe('done');
    expect(summary.report).toEqual({ rows: 400 });
    expect(summary.fraction).toBe(1);
    expect(summary.endedAt).not.toBeNull();
    const mine = seen.filter((e) => e.jobId === job.jobId);
    expect(mine[0].state).toBe('running');
    expect(mine.map((e) => e.phase)).toContain('generate');
    expect(mine.find((e) => e.phase === 'write')).toMatchObject({ rows: 300, bytes: 8192, message: 'writing parquet' });
    expect(mine[mine.length - 1]).toMatchObject({ state: 'done', fraction: 1 });
    expect(runner.list()[0]).toMatchObject({ jobId: job.jobId, kind: 'demo', state: 'done' });
  });

  it('keeps each note of a job once, in order, in its events and its summary, also when it fails', async () => {
    const { runner, seen } = setup();
    const job = runner.start('archive', async (ctx) => {
      ctx.note('ran without its budget');
      ctx.note('ran without its budget');
      ctx.progress({ phase: 'export', fraction: 0.5 });
      ctx.note('a second note');
      await sleep(5);
      throw new WorkbenchError('LAKE_ERROR', 'the disk is gone');
    });
    const summary = await job.done;
    expect(summary.state).toBe('failed');
    expect(summary.notes).toEqual(['ran without its budget', 'a second note']);
    const mine = seen.filter((e) => e.jobId === job.jobId);
    expect(mine[0].notes).toEqual([]);
    expect(mine.some((e) => e.state === 'running' && e.notes.length === 1)).toBe(true);
    expect(mine[mine.length - 1]).toMatchObject({ state: 'failed', notes: ['ran without its budget', 'a second note'] });
    expect(runner.list()[0].notes).toEqual(['ran without its budget', 'a second note']);
  });

  it('cancels through the AbortSignal', async () => {
    const { runner, seen } = setup();
    let sawAbort = false;
    const job = runner.start('convert', async (ctx) => {
      for (let i = 0; i < 1000; i++) {
        ctx.throwIfCancelled();
        ctx.progress({ rows: i });
        await sleep(5);
        if (ctx.signal.aborted) sawAbort = true;
      }
      return 'finished';
    });
    await sleep(40);
    expect(runner.cancel(job.jobId)).toBe(true);
    const summary = await job.done;
    expect(sawAbort).toBe(true);
    expect(summary.state).toBe('cancelled');
    expect(summary.error?.code).toBe('CANCELLED');
    expect(summary.report).toBeNull();
    expect(seen.filter((e) => e.jobId === job.jobId).pop()?.state).toBe('cancelled');
    expect(runner.cancel(job.jobId)).toBe(false);
    expect(runner.cancel('no-such-job')).toBe(false);
  });

  it('records failures with their code, and INTERNAL for plain errors', async () => {
    const { runner } = setup();
    const a = runner.start('archive', async () => {
      throw new WorkbenchError('LAKE_ERROR', 'The lake folder is read-only.', '/lake');
    });
    const b = runner.start('sync', async () => {
      throw new Error('socket hang up');
    });
    expect((await a.done).error).toEqual({ code: 'LAKE_ERROR', message: 'The lake folder is read-only.', detail: '/lake' });
    const failed = await b.done;
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('INTERNAL');
    expect(failed.error?.message).toContain('socket hang up');
  });

  it('refuses a second exclusive job of the same kind', async () => {
    const { runner } = setup();
    const first = runner.start(
      'demo',
      async (ctx) => {
        while (!ctx.signal.aborted) await sleep(5);
      },
      { exclusive: true },
    );
    expect(() => runner.start('demo', async () => undefined, { exclusive: true })).toThrowError(
      expect.objectContaining({ code: 'CONFLICT' }) as Error,
    );
    await runner.cancelAll();
    expect((await first.done).state).toBe('cancelled');
    const second = runner.start('demo', async () => 'ok', { exclusive: true });
    expect((await second.done).report).toBe('ok');
  });

  it('throttles progress events but never drops the last state', async () => {
    const { runner, seen } = setup();
    const job = runner.start('export', async (ctx) => {
      for (let i = 1; i <= 10_000; i++) ctx.progress({ rows: i, fraction: i / 10_000 });
      return null;
    });
    await job.done;
    const mine = seen.filter((e) => e.jobId === job.jobId);
    expect(mine.length).toBeLessThan(50);
    expect(mine[mine.length - 1]).toMatchObject({ state: 'done', rows: 10_000, fraction: 1 });
  });
});
