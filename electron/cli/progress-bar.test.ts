import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../core/events';
import { createProgressBar, followJob, renderProgressLine } from './progress-bar';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('renderProgressLine', () => {
  it('draws the fraction, phase and rows', () => {
    const line = renderProgressLine('demo', { fraction: 0.5, phase: 'telemetry', rows: 1_500_000 }, 100);
    expect(line).toMatch(/^demo \[#+-+\] {2}50% telemetry · 1\.5M rows$/);
    const hashes = line.split('[')[1].split(']')[0];
    expect(hashes.split('#').length - 1).toBe(hashes.length / 2);
  });
  it('draws an indeterminate bar for an unknown fraction and fits the width', () => {
    expect(renderProgressLine('', { fraction: null }, 100)).toContain('?%');
    expect(renderProgressLine('x', { fraction: 1, message: 'y'.repeat(500) }, 80).length).toBeLessThanOrEqual(79);
  });
});

describe('createProgressBar', () => {
  it('redraws in place on a TTY and stays silent elsewhere', () => {
    const tty = capture();
    let t = 0;
    const bar = createProgressBar({ stream: tty.stream, isTTY: true, now: () => t, intervalMs: 100 });
    bar.update({ fraction: 0.1 });
    t = 50;
    bar.update({ fraction: 0.2 }); // throttled
    t = 200;
    bar.update({ fraction: 0.3 });
    bar.done('finished');
    const text = tty.text();
    expect(text.split('\r\x1b[2K[').length - 1).toBe(2);
    expect(text).toContain(' 10%');
    expect(text).not.toContain(' 20%');
    expect(text.endsWith('finished\n')).toBe(true);

    const pipe = capture();
    const quiet = createProgressBar({ stream: pipe.stream, isTTY: false });
    quiet.update({ fraction: 0.5 });
    quiet.done();
    expect(pipe.text()).toBe('');
  });
});

describe('followJob', () => {
  it('follows one job until it leaves running', async () => {
    const events = new EventBus();
    const out = capture();
    const bar = createProgressBar({ stream: out.stream, isTTY: true, intervalMs: 0 });
    const done = followJob(events, 'j1', bar);
    const base = { kind: 'demo', phase: 'load', rows: 10, bytes: 0, message: '', notes: [] };
    events.emit('job.progress', { ...base, jobId: 'other', state: 'done', fraction: 1 });
    events.emit('job.progress', { ...base, jobId: 'j1', state: 'running', fraction: 0.4 });
    events.emit('job.progress', { ...base, jobId: 'j1', state: 'done', fraction: 1 });
    const last = await done;
    expect(last.jobId).toBe('j1');
    expect(last.state).toBe('done');
    expect(out.text()).toContain(' 40%');
  });
});
