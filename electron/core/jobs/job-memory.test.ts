import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../shared/api/errors';
import { qualifiedName } from '../../../shared/sql';
import type { JobSummary } from '../../../shared/api/jobs';
import { archiveInProcess, withPg } from '../archive/archive.fixture';
import { JOB_MEMORY_BUDGET, memoryLimitBytes } from '../engine/engine';
import { queryNumber } from '../engine/duck-query';
import { HOT_MIRROR_SCHEMA, saveMirrorWatermark } from '../mirror/meta';
import { MirrorSync, type MirrorSyncOptions, type SyncReport, type SyncRequest } from '../mirror/mirror-sync';
import { FAMILIES, rollupTable } from '../rollups/gold-schema';
import { refreshRollups } from '../rollups/refresh';
import { demoWorkspace } from '../testing/cli-process.fixture';
import type { Workbench } from '../workbench';

/**
 * The long data jobs (mirror sync, archive, slice and query export, conversion) run their DuckDB work under the job
 * memory budget: DuckDB's memory_limit is JOB_MEMORY_BUDGET while they run, and the workspace's own limit again
 * after, also when they fail. (The benchmark `BW_SCALE_PARTS=memory npm run bench -- scale` is the proof that memory
 * then stays the same at ten times the input.)
 */

const made: string[] = [];
let ws: string;

beforeAll(async () => {
  ws = await demoWorkspace(made);
}, 240_000);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** DuckDB's memory_limit now, in bytes, read on a connection of its own. */
async function memoryLimit(wb: Workbench): Promise<number> {
  const rows = await wb.engine.withConnection(async (c) =>
    (await c.runAndReadAll("SELECT current_setting('memory_limit') AS l")).getRowObjectsJson(),
  );
  const bytes = memoryLimitBytes(String(rows[0].l));
  if (bytes === null) throw new Error(`unreadable memory_limit ${String(rows[0].l)}`);
  return bytes;
}

const budgetBytes = memoryLimitBytes(JOB_MEMORY_BUDGET) ?? 0;

/** DuckDB reports its limit rounded (to a tenth of a MiB or GiB): equal within 1%. */
function expectLimit(actual: number, expected: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThan(0.01);
}

/**
 * Runs `start` (which starts one job and gives its id) and waits for it; `budgets` are the memory budgets the engine
 * held at the job's progress events (the first, as the job starts, and the last, as it ends, are the runner's own).
 */
async function watchJob(wb: Workbench, start: () => Promise<string>): Promise<{ summary: JobSummary; budgets: (string | null)[] }> {
  const budgets: (string | null)[] = [];
  const off = wb.events.on((event) => {
    if (event === 'job.progress') budgets.push(wb.engine.memoryBudget);
  });
  try {
    const summary = (await wb.jobs.wait(await start())) as JobSummary;
    return { summary, budgets };
  } finally {
    off();
  }
}

const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString();

async function call(wb: Workbench, channel: string, request: unknown): Promise<string> {
  const res = await wb.dispatch(channel, request, { transport: 'test' });
  if (!res.ok) throw new Error(res.error.message);
  return (res.value as { jobId: string }).jobId;
}

/**
 * A mirror sync of `telemetry` that starts over (a copy in full) on a connection of the workbench's engine, under
 * `memoryBudget`; its report and the telemetry rows the mirror then holds.
 */
async function syncFromScratch(
  wb: Workbench,
  memoryBudget: NonNullable<MirrorSyncOptions['memoryBudget']>,
  request: Omit<SyncRequest, 'datasets'> = {},
): Promise<{ report: SyncReport; mirrored: number }> {
  const hot = await wb.data.hotStore();
  return wb.engine.withConnection(async (duck) => {
    await saveMirrorWatermark(duck, 'telemetry', 0);
    const sync = new MirrorSync({ duck, hot, tmpDir: wb.paths.tmp, memoryBudget });
    const report = await sync.sync({ datasets: ['telemetry'], ...request });
    return { report, mirrored: await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry') };
  });
}

describe('job memory budget', { timeout: 240_000 }, () => {
  it('holds the budget through a large mirror sync, not through a small one, and restores the limit after', async () => {
    await withPg(ws, async (wb) => {
      const configured = await memoryLimit(wb);
      expect(configured).toBeGreaterThan(budgetBytes);
      // The mirror starts over: a copy in full, whose memory would grow with the table.
      await wb.engine.withConnection((c) => saveMirrorWatermark(c, 'telemetry', 0));
      const full = await watchJob(wb, async () => wb.jobs.start('sync', (ctx) => wb.data.syncNow(['telemetry'], ctx)).jobId);
      expect(full.summary.state, JSON.stringify(full.summary.error)).toBe('done');
      expect(full.budgets).toContain(JOB_MEMORY_BUDGET);
      expect(wb.engine.memoryBudget).toBeNull();
      expectLimit(await memoryLimit(wb), configured);
      // Nothing new since: a small incremental sync leaves the limit (and what interactive queries cache) alone.
      const small = await watchJob(wb, async () => wb.jobs.start('sync', (ctx) => wb.data.syncNow(['telemetry'], ctx)).jobId);
      expect(small.summary.state).toBe('done');
      expect(small.budgets.every((b) => b === null)).toBe(true);
    });
  });

  it('syncs a mirror that outgrows the budget under the workspace limit instead of failing', async () => {
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const expected = await hot.withClient(async (c) =>
        Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM telemetry')).rows[0].n),
      );
      const outOfMemory: string[] = [];
      const held: (string | null)[] = [];
      // A budget nothing fits in: the copy in full runs out of it, and runs again under the workspace's limit.
      const { report, mirrored } = await syncFromScratch(wb, async (fn) =>
        wb.engine
          .withMemoryBudget('8MB', async () => {
            held.push(wb.engine.memoryBudget);
            return fn();
          })
          .catch((err: unknown) => {
            outOfMemory.push(errorMessage(err));
            throw err;
          }),
      );
      expect(report.rows).toBe(expected);
      expect(mirrored).toBe(expected);
      // The last test's copy in full left memory that only a checkpoint frees: the engine checkpoints to lower the limit.
      expect(held[0], 'the limit was lowered to the budget').toBe('8MB');
      expect(outOfMemory.length).toBeGreaterThan(0);
      expect(outOfMemory[0]).toMatch(/Out of Memory/);
      expect(wb.engine.memoryBudget).toBeNull();
    });
  });

  it('copies a mirror table in full under a budget its rows could not be deleted in, and the table stays writable', async () => {
    await withPg(ws, async (wb) => {
      const mirror = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');
      // 2M readings of jars the demo does not have in the mirror. A DELETE of the table's rows holds about 16 MB that
      // DuckDB cannot spill: out of an 8 MB budget, its rollback invalidated the database (or, given room for the
      // rollback, left every later delete of those rows failing with "Conflict on tuple deletion").
      const extra = 2_000_000;
      await wb.engine.withConnection((duck) =>
        duck.run(
          `INSERT INTO ${mirror} (battery_id, ts, voltage_v, ingest_id) SELECT 1000000 + (range * 7919) % 1000, ` +
            `TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(range), 13.5, 0 FROM range(${extra})`,
        ),
      );
      const { report, mirrored } = await syncFromScratch(wb, (fn) => wb.engine.withMemoryBudget('8MB', fn));
      expect(report.datasets[0]).toMatchObject({ mode: 'full', removed: expect.any(Number) as number });
      expect(report.datasets[0]?.removed).toBeGreaterThanOrEqual(extra);
      expect(mirrored).toBe(report.rows);
      expect(wb.engine.memoryBudget).toBeNull();
      // The table takes deletes and rows again, and the workspace queries as before.
      await wb.engine.withConnection(async (duck) => {
        await duck.run(
          `INSERT INTO ${mirror} (battery_id, ts, voltage_v, ingest_id) SELECT 1000000 + range, TIMESTAMPTZ '2020-01-01 00:00:00+00', 13.5, 0 FROM range(10)`,
        );
        expect((await duck.run(`DELETE FROM ${mirror} WHERE battery_id >= 1000000`)).rowsChanged).toBe(10);
        expect(await queryNumber(duck, 'SELECT count(*) FROM telemetry WHERE ts >= $1', [daysAgo(30)])).toBeGreaterThan(0);
      });
    });
  });

  it('rebuilds the rollups in full under a budget their rows could not be deleted in, and the gold tables stay writable', async () => {
    await withPg(ws, async (wb) => {
      const hourly = rollupTable(FAMILIES.jar, 'hourly');
      // 12M jar hours of jars the demo does not have: a DELETE of them holds about 96 MB that DuckDB cannot spill, out
      // of a 48 MB budget the rebuild itself fits in.
      const extra = 12_000_000;
      await wb.engine.withConnection((duck) =>
        duck.run(
          `INSERT INTO ${hourly} (battery_id, bucket, n) SELECT 1000000 + range % 1000, ` +
            `TIMESTAMPTZ '2000-01-01 00:00:00+00' + to_hours(range // 1000), 1 FROM range(${extra})`,
        ),
      );
      const report = await wb.engine.withConnection((duck) =>
        wb.engine.withMemoryBudget('48MB', () => refreshRollups(duck, wb.data.lake, { full: true })),
      );
      expect(report.hours.telemetry).toBeGreaterThan(0);
      expect(wb.engine.memoryBudget).toBeNull();
      await wb.engine.withConnection(async (duck) => {
        expect(await queryNumber(duck, `SELECT count(*) FROM ${hourly} WHERE battery_id >= 1000000`)).toBe(0);
        // Every jar hour of the readings, once.
        expect(await queryNumber(duck, `SELECT count(*) FROM ${hourly}`)).toBe(
          await queryNumber(duck, "SELECT count(*) FROM (SELECT DISTINCT battery_id, date_trunc('hour', ts) FROM telemetry)"),
        );
        await duck.run(
          `INSERT INTO ${hourly} (battery_id, bucket, n) SELECT 1000000 + range, TIMESTAMPTZ '2000-01-01 00:00:00+00', 1 FROM range(10)`,
        );
        expect((await duck.run(`DELETE FROM ${hourly} WHERE battery_id >= 1000000`)).rowsChanged).toBe(10);
      });
    });
  });

  it('passes on what the budget says of every bounded step of a mirror sync: the copy in full and the clustering after it', async () => {
    await withPg(ws, async (wb) => {
      const notes: string[] = [];
      const steps: string[] = [];
      // A budget that is never held (as when DuckDB cannot lower its limit), and says so for each step it bounds.
      const { report } = await syncFromScratch(
        wb,
        async (fn, onUnheld) => {
          steps.push(`step ${steps.length + 1}`);
          onUnheld?.(`not held for ${steps[steps.length - 1]}`);
          return fn();
        },
        { onNote: (message) => notes.push(message) },
      );
      expect(report.datasets[0]?.mode).toBe('full');
      // The copy in full, then the clustering of the fresh copy: both bounded, both heard.
      expect(steps).toEqual(['step 1', 'step 2']);
      expect(notes).toEqual(['not held for step 1', 'not held for step 2']);
    });
  });

  it('runs an archive at the budget, seen from inside its steps, and restores the limit after a failed and a finished run', async () => {
    await withPg(ws, async (wb) => {
      const configured = await memoryLimit(wb);
      const failed = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step) => {
        if (step === 'export') throw new Error('the disk is gone');
      });
      expect(failed.state).toBe('failed');
      expect(wb.engine.memoryBudget).toBeNull();
      expectLimit(await memoryLimit(wb), configured);
      const seen: number[] = [];
      const done = await archiveInProcess(wb, { datasets: ['telemetry'] }, async () => {
        seen.push(await memoryLimit(wb));
      });
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      expect(seen.length).toBeGreaterThan(0);
      for (const limit of seen) expectLimit(limit, budgetBytes);
      expectLimit(await memoryLimit(wb), configured);
    });
  });

  it("says in the job's notes when it could not hold the budget, and runs it under the workspace limit", async () => {
    const out = await mkdtemp(join(tmpdir(), 'bw-job-memory-'));
    made.push(out);
    await writeFile(join(out, 'in.csv'), 'battery_id,ts,voltage_v\n1,2024-03-01 00:00:00,2.25\n');
    await withPg(ws, async (wb) => {
      const convert = (to: string): Promise<string> =>
        call(wb, 'convert.start', { inputs: [join(out, 'in.csv')], target: { kind: 'folder', path: join(out, to) } });
      // Memory DuckDB can neither free nor spill: an in-memory temporary table above the budget, no temp space.
      const pinned = await wb.engine.connect();
      try {
        await pinned.run(`SET max_temp_directory_size = '0B'`);
        await pinned.run('CREATE TEMP TABLE pinned AS SELECT range AS x FROM range(24000000)');
        const { summary, budgets } = await watchJob(wb, () => convert('unbounded'));
        expect(summary.state, JSON.stringify(summary.error)).toBe('done');
        expect(budgets.every((b) => b === null)).toBe(true);
        expect(summary.notes).toHaveLength(1);
        expect(summary.notes[0]).toMatch(
          /^Ran under the workspace's memory limit \(.+\) instead of its 128MB budget: DuckDB could not lower its limit \(.*Out of Memory/,
        );
      } finally {
        await pinned.run('RESET max_temp_directory_size').catch(() => undefined);
        pinned.closeSync();
      }
      // Nothing pinned: the budget holds, and the job has nothing to say.
      const { summary, budgets } = await watchJob(wb, () => convert('bounded'));
      expect(summary.state).toBe('done');
      expect(budgets).toContain(JOB_MEMORY_BUDGET);
      expect(summary.notes).toEqual([]);
    });
  });

  it('runs a slice export, a query export and a conversion at the budget, and restores the limit after, also after a failure', async () => {
    const out = await mkdtemp(join(tmpdir(), 'bw-job-memory-'));
    made.push(out);
    await withPg(ws, async (wb) => {
      const configured = await memoryLimit(wb);
      const jobs = {
        slice: () => {
          const spec = { dataset: 'telemetry', from: daysAgo(30), to: daysAgo(-1), columns: ['battery_id', 'ts', 'voltage_v'] };
          return call(wb, 'slice.run', { spec, path: join(out, 'slice') });
        },
        query: () =>
          call(wb, 'export.query', { sql: 'SELECT * FROM telemetry ORDER BY ts DESC', format: 'parquet', path: join(out, 'rows.parquet') }),
        convert: async () => {
          await writeFile(join(out, 'in.csv'), 'battery_id,ts,voltage_v\n1,2024-03-01 00:00:00,2.25\n2,2024-03-01 00:05:00,2.26\n');
          return call(wb, 'convert.start', { inputs: [join(out, 'in.csv')], target: { kind: 'folder', path: join(out, 'converted') } });
        },
      };
      for (const [name, start] of Object.entries(jobs)) {
        const { summary, budgets } = await watchJob(wb, start);
        expect(summary.state, `${name}: ${JSON.stringify(summary.error)}`).toBe('done');
        expect(budgets, name).toContain(JOB_MEMORY_BUDGET);
        expect(wb.engine.memoryBudget).toBeNull();
        expectLimit(await memoryLimit(wb), configured);
      }
      // A conversion that fails inside its job (a day column the file does not have) gives the limit back too.
      const bad = await watchJob(wb, () =>
        call(wb, 'convert.start', {
          inputs: [join(out, 'in.csv')],
          target: { kind: 'folder', path: join(out, 'bad') },
          partitionByDay: 'day',
        }),
      );
      expect(bad.summary.state).toBe('failed');
      expect(wb.engine.memoryBudget).toBeNull();
      expectLimit(await memoryLimit(wb), configured);
    });
  });
});
