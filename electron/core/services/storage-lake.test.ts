import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakePullReport, LakeStatus } from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { runCli } from '../testing/cli-process.fixture';
import { partitionKey } from '../lake/lake';
import { openWorkbench, type Workbench } from '../workbench';

/**
 * storage.lakeStatus / pullLake / pinLake / unpinLake over a real workspace whose lake is a local folder: three
 * days of one dataset, written the way every writer does (staged, then published). A local lake is complete and
 * online, has nothing to pull and nothing to pin.
 */
const made: string[] = [];
let ws: string;
const DAYS = ['2024-03-01', '2024-03-02', '2024-03-04'];

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bw-lake-status-'));
  made.push(ws);
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    const conn = await wb.engine.connect();
    try {
      for (const day of DAYS) {
        const staged = await wb.data.lake.stage(partitionKey('readings', day, 'a'));
        await conn.run(
          `COPY (SELECT i AS id, TIMESTAMP '${day}' + INTERVAL (i) MINUTE AS ts FROM range(100) t(i)) TO ${quoteLiteral(staged.path)} (FORMAT parquet)`,
        );
        await wb.data.lake.publish(staged);
      }
    } finally {
      conn.closeSync();
    }
  } finally {
    await wb.close();
  }
}, 120_000);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function withWorkbench<T>(fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

function expectCompleteLocal(status: LakeStatus): void {
  expect(status).toMatchObject({ kind: 'local', location: join(ws, 'lake'), online: true, cache: null, complete: true });
  expect(status.datasets).toHaveLength(1);
  expect(status.datasets[0]).toMatchObject({
    dataset: 'readings',
    daysRemote: 3,
    daysCached: 3,
    filesRemote: 3,
    filesCached: 3,
    firstDay: '2024-03-01',
    lastDay: '2024-03-04',
    missingDays: [],
  });
  expect(status.datasets[0].bytesCached).toBe(status.datasets[0].bytesRemote);
  expect(status.datasets[0].bytesRemote).toBeGreaterThan(0);
}

describe('storage lake status, pull and pins on a local lake', () => {
  it('lakeStatus: every day of every dataset is on disk, online, no cache', async () => {
    await withWorkbench(async (wb) => {
      const res = await wb.dispatch('storage.lakeStatus', {}, { transport: 'test' });
      expect(res.ok, JSON.stringify(res)).toBe(true);
      if (res.ok) expectCompleteLocal(res.value as LakeStatus);
    });
  });

  it('pullLake: a job that fetches nothing and reports the complete status', async () => {
    await withWorkbench(async (wb) => {
      const started = await wb.dispatch(
        'storage.pullLake',
        { dataset: 'readings', from: '2024-03-01', to: '2024-03-02' },
        { transport: 'test' },
      );
      if (!started.ok) throw new Error(started.error.message);
      const summary = (await wb.jobs.wait((started.value as { jobId: string }).jobId)) as JobSummary<LakePullReport>;
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      expect(summary.kind).toBe('lake-pull');
      const report = summary.report as LakePullReport;
      expect(report).toMatchObject({ fetched: 0, fetchedBytes: 0, refetched: 0, evicted: 0 });
      expectCompleteLocal(report.status);
    });
  });

  it('pullLake refuses days that are not YYYY-MM-DD, not on the calendar, or from after to, and starts no job', async () => {
    await withWorkbench(async (wb) => {
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ from: '2024-3-1' }, /from.*YYYY-MM-DD/],
        [{ to: '2024-02-30' }, /to.*calendar/],
        [{ from: '2024-03-04', to: '2024-03-01' }, /from must not be after to/],
        [{ dataset: '../etc' }, /dataset/],
      ];
      for (const [req, message] of bad) {
        const res = await wb.dispatch('storage.pullLake', req, { transport: 'test' });
        expect(res.ok, JSON.stringify(req)).toBe(false);
        if (!res.ok) {
          expect(res.error.code).toBe('INVALID_REQUEST');
          expect(res.error.message).toMatch(message);
        }
      }
      expect(wb.jobs.list().filter((j) => j.kind === 'lake-pull')).toEqual([]);
    });
  });

  it('pinLake and unpinLake on a local lake: a clear BAD_INPUT, and the status is as it was', async () => {
    await withWorkbench(async (wb) => {
      for (const channel of ['storage.pinLake', 'storage.unpinLake']) {
        const res = await wb.dispatch(channel, { dataset: 'readings', from: '2024-03-01' }, { transport: 'test' });
        expect(res.ok).toBe(false);
        if (!res.ok) {
          expect(res.error.code).toBe('BAD_INPUT');
          expect(res.error.message).toMatch(/local folder.*nothing to pin/);
        }
      }
      const missing = await wb.dispatch('storage.pinLake', { from: '2024-03-01' }, { transport: 'test' });
      expect(!missing.ok && missing.error.code).toBe('INVALID_REQUEST');
      const status = await wb.dispatch('storage.lakeStatus', {}, { transport: 'test' });
      if (status.ok) expectCompleteLocal(status.value as LakeStatus);
    });
  });
});

describe('battery-workbench lake status / pull / pin (real process, local lake)', () => {
  it('lake status --json prints the LakeStatus; without --json one line per dataset', async () => {
    const json = await runCli(['lake', 'status', '--json', '--workspace', ws]);
    expect(json.code, json.stderr).toBe(0);
    expectCompleteLocal(JSON.parse(json.stdout) as LakeStatus);
    const text = await runCli(['lake', 'status', '--workspace', ws]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Lake: ${join(ws, 'lake')} (local)`);
    expect(text.stdout).toContain('a local folder: every day is on disk');
    expect(text.stdout).toMatch(/readings\s+3\s+3\s+\S+ \S+ \/ \S+ \S+\s+\(2024-03-01 \.\. 2024-03-04\)/);
  });

  it('lake pull --json: nothing to pull, exit 0, the report with the complete status', async () => {
    const r = await runCli(['lake', 'pull', '--json', '--workspace', ws]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as LakePullReport;
    expect(report).toMatchObject({ location: join(ws, 'lake'), fetched: 0, alreadyCached: 0 });
    expectCompleteLocal(report.status);
  });

  it('bad usage exits 2 and names the problem; a pin on a local lake exits 1 with the reason', async () => {
    const usage: [string[], RegExp][] = [
      [['lake', 'pull', '--from', '2024-13-01'], /from must be a day on the calendar/],
      [['lake', 'pull', '--from', '2024-03-02', '--to', '2024-03-01'], /from must not be after to/],
      [['lake', 'status', '--from', '2024-03-01'], /--from belongs to lake pull, pin, unpin/],
      [['lake', 'pin'], /lake pin needs --dataset D/],
      [['lake', 'pull', '--repair'], /--repair belongs to lake check/],
      [['lake', 'fetch'], /Say what to do: `lake check\|compact\|status\|pull\|pin\|unpin\|ddl`, not "fetch"/],
    ];
    // In parallel: each is a process start of its own.
    const runs = await Promise.all(usage.map(([args]) => runCli([...args, '--workspace', ws])));
    usage.forEach(([args, message], i) => {
      expect(runs[i].code, `${args.join(' ')}: ${runs[i].stderr}`).toBe(2);
      expect(runs[i].stderr).toMatch(message);
      expect(runs[i].stdout).toBe('');
    });
    const pin = await runCli(['lake', 'pin', '--dataset', 'readings', '--workspace', ws]);
    expect(pin.code).toBe(1);
    expect(pin.stderr).toMatch(/is a local folder: every day is on disk, so there is nothing to pin/);
  });
});
