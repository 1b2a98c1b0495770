import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveReport } from '../../../shared/api/archive';
import { seededRandom } from '../../../shared/domain/demo-fleet';
import { demoWorkspace as demoFleet, lakeCheck, runCli } from '../testing/cli-process.fixture';
import { cutoffFor } from './archiver';
import { archiveInProcess, hotRowsBefore, lakeTemps, viewCounts, withPg } from './archive.fixture';

const made: string[] = [];

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A small demo fleet: 4 days in PostgreSQL, 1 in the lake. */
function demoWorkspace(): Promise<string> {
  return demoFleet(made);
}

describe('archival under faults', () => {
  it('survives SIGKILL at every step: the next run finishes with nothing lost or doubled', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const steps = [
      'export',
      'export:after',
      'verify',
      'publish',
      'publish:linked',
      'delete',
      'delete:before-commit',
      'delete:after',
      'cleanup',
    ];
    // Each kill lands on the first batch that reaches the step; later runs resume it and go on.
    for (const step of steps.slice(0, 5)) {
      const killed = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--workspace', ws], {
        BW_KILL_AT: `archive:${step}`,
      });
      expect(killed.signal, `kill at ${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect(await viewCounts(ws), `views after a kill at ${step}`).toEqual(before);
    }
    const first = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(first.code, first.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    for (const step of steps.slice(5)) {
      const killed = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--workspace', ws], {
        BW_KILL_AT: `archive:${step}`,
      });
      expect(killed.signal, `kill at ${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect(await viewCounts(ws), `views after a kill at ${step}`).toEqual(before);
    }
    const last = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(last.code, last.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect(await lakeTemps(ws)).toEqual([]);
    const scratch = await readdir(join(ws, 'tmp')).catch(() => [] as string[]);
    expect(scratch.filter((n) => n.startsWith('archive-'))).toEqual([]);
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 2))).toBe(0);
      const conn = await wb.engine.connect();
      // Every archived day is in the lake exactly once.
      const perDay = await conn.runAndReadAll(
        `SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, count(*) AS n, count(DISTINCT filename) AS f FROM read_parquet('${join(ws, 'lake', 'telemetry', '*', '*.parquet')}', filename = true) GROUP BY 1 ORDER BY 1`,
      );
      for (const r of perDay.getRowObjectsJS()) expect(Number(r.f), `files for ${String(r.d)}`).toBe(1);
      conn.closeSync();
    });
    expect((await lakeCheck(ws)).problems).toEqual([]);
  }, 600_000);

  it('survives SIGKILL at random moments: the views never change and the lake checks clean after the next run', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    // Seeded, so a failure can be replayed: delays across start-up, export, verify, publish and delete.
    const random = seededRandom(20261201);
    for (let i = 0; i < 4; i++) {
      const delay = 1500 + Math.floor(random() * 4000);
      const killed = await runCli(['archive', '--older-than', '1d', '--workspace', ws], {}, delay);
      expect(await viewCounts(ws), `views after a kill at ${delay} ms (${killed.signal ?? `exit ${String(killed.code)}`})`).toEqual(before);
    }
    const last = await runCli(['archive', '--older-than', '1d', '--json', '--workspace', ws]);
    expect(last.code, last.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  }, 600_000);

  it('keeps everything when PostgreSQL stops mid-delete, and finishes on the next run', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step) => {
        if (step === 'delete:before-commit') await (await wb.data.hotStore()).embedded?.stop();
      });
      expect(summary.state).toBe('failed');
      expect(summary.error?.code).toBe('HOT_UNAVAILABLE');
      expect(summary.error?.message).toMatch(/Nothing was lost.*run the archive again/);
    });
    expect(await viewCounts(ws)).toEqual(before);
    const rerun = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    await withPg(ws, async (wb) => expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 2))).toBe(0));
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('re-exports a file corrupted between write and verify', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    let corrupted = 0;
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step, staged) => {
        if (step === 'verify' && staged && corrupted === 0) {
          corrupted++;
          await truncate(staged, 1000);
        }
      });
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      const report = summary.report as ArchiveReport;
      expect(report.batches.every((b) => b.state === 'done')).toBe(true);
    });
    expect(corrupted).toBe(1);
    expect(await viewCounts(ws)).toEqual(before);
  });

  it('stops with a clear message when the lake disk is full, losing nothing', async () => {
    if (process.getuid?.() !== 0) throw new Error('This test mounts a small tmpfs and must run as root (CI does).');
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const day = cutoffFor(new Date(), 3).toISOString().slice(0, 10);
    const dir = join(ws, 'lake', 'telemetry', `date=${day}`);
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    try {
      await withPg(ws, async (wb) => {
        const summary = await archiveInProcess(wb, { datasets: ['telemetry'] });
        expect(summary.state).toBe('failed');
        expect(summary.error?.message).toMatch(/disk holding the lake is full.*Nothing was deleted/);
      });
      expect(await readdir(dir)).toEqual([]);
      expect(await viewCounts(ws)).toEqual(before);
    } finally {
      execFileSync('umount', [dir]);
    }
    const rerun = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('lets only one archiver run against a PostgreSQL, and says who holds it', async () => {
    const ws = await demoWorkspace();
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const holder = await hot.connect();
      try {
        await holder.query("SELECT pg_advisory_lock(hashtext('battery-workbench:archive'))");
        const summary = await archiveInProcess(wb, {});
        expect(summary.state).toBe('failed');
        expect(summary.error?.code).toBe('CONFLICT');
        expect(summary.error?.message).toMatch(/Another archive run holds the archive lock.*backend pid \d+/);
      } finally {
        await holder.end();
      }
    });
  });

  it('says what to do when PostgreSQL is unreachable at start', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-arch-nopg-'));
    made.push(ws);
    await writeFile(join(ws, '.keep'), '');
    const r = await runCli(['archive', '--older-than', '7d', '--workspace', ws, '--pg-url', 'postgres://nobody@127.0.0.1:9/none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PostgreSQL is not reachable, so nothing was archived.*run the archive again/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
