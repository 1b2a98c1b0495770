import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvertReport } from '../../../shared/api/convert';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport } from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { queryNumber } from '../engine/duck-query';
import { TEMP_PREFIX, TEMP_SUFFIX } from '../files/atomic';
import { seededRandom } from '../../../shared/domain/demo-fleet';
import { demoWorkspace, lakeCheck, runCli, unifiedViewDigests, withTestWorkbench, type CliRun } from '../testing/cli-process.fixture';
import type { Workbench } from '../workbench';

/**
 * A lake conversion (`convert <csv> --out lake:imp --partition-by-day ts`: four day files published as one
 * journaled batch) killed with SIGKILL at its named steps and at seeded-random moments. After every kill: no
 * file under a final name is a partial one, cold.imp shows each conversion whole or not at all, the unified views
 * are unchanged, and `lake check --repair` leaves a clean lake. Decided behaviour: a conversion killed before
 * its manifest was written is undone by the repair (its files were hidden from the views the whole time); one
 * killed after it is finished.
 */
const ROWS = 300_000;
const DAYS = 4;
const SEED = 20_241_101;

const made: string[] = [];
let ws: string;
let csv: string;
let baseline: Record<string, string>;
/** Conversions that finished (published, with manifest, shown): cold.imp holds ROWS per one. */
let committed = 0;

beforeAll(async () => {
  ws = await demoWorkspace(made);
  csv = join(ws, 'readings.csv');
  const lines = ['ts,battery_id,voltage_v,temperature_c'];
  const t0 = Date.UTC(2024, 0, 1);
  const step = Math.floor((DAYS * 86_400_000) / ROWS);
  for (let i = 0; i < ROWS; i++) {
    const ts = new Date(t0 + i * step).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${ts},${(i % 240) + 1},${(12.5 + (i % 97) / 100).toFixed(3)},${(20 + (i % 13) / 10).toFixed(1)}`);
  }
  await writeFile(csv, `${lines.join('\n')}\n`);
  baseline = await withWorkbench((_wb, conn) => unifiedViewDigests(conn));
}, 180_000);

const withWorkbench = <T>(fn: (wb: Workbench, conn: DuckDBConnection) => Promise<T>): Promise<T> => withTestWorkbench(ws, fn);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** Rows cold.imp shows (0 while the lake has no visible file of it, when the view does not exist). */
async function impRows(conn: DuckDBConnection): Promise<number> {
  const exists = await queryNumber(
    conn,
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'cold' AND table_name = 'imp'",
  );
  return exists === 0 ? 0 : queryNumber(conn, 'SELECT count(*) FROM cold.imp');
}

async function checkHere(wb: Workbench, repair = false): Promise<LakeCheckReport> {
  const started = await wb.dispatch('storage.checkLake', { repair }, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  const summary = (await wb.jobs.wait((started.value as { jobId: string }).jobId)) as JobSummary;
  expect(summary.state, JSON.stringify(summary.error)).toBe('done');
  return summary.report as LakeCheckReport;
}

/**
 * Every file under lake/imp: those under a final name must be whole Parquet files (every row group decoded) in a
 * day folder; anything under a temp name must keep a temp name down to the file (`.tmp`). Returns the temp entries
 * and the published files' rows.
 */
async function inspectImp(conn: DuckDBConnection, label: string): Promise<{ temps: string[]; files: number; rows: number }> {
  const root = join(ws, 'lake', 'imp');
  const rels = ((await readdir(root, { recursive: true }).catch(() => [])) as string[]).sort();
  const temps: string[] = [];
  let files = 0;
  let rows = 0;
  for (const rel of rels) {
    const path = join(root, rel);
    const s = await stat(path).catch(() => null);
    if (!s) continue;
    const parts = rel.split(sep);
    const tempAt = parts.findIndex((p) => p.startsWith(TEMP_PREFIX));
    if (tempAt >= 0) {
      if (tempAt === parts.length - 1) temps.push(rel);
      if (s.isFile()) expect(basename(rel).endsWith(TEMP_SUFFIX), `${label}: a file under a temp name has a final name: ${rel}`).toBe(true);
      continue;
    }
    if (s.isDirectory()) {
      expect(rel, `${label}: folder ${rel}`).toMatch(/^date=\d{4}-\d{2}-\d{2}$/);
      continue;
    }
    expect(rel, `${label}: a file under a final name`).toMatch(/^date=\d{4}-\d{2}-\d{2}\/part-readings-\w+-\d+\.parquet$/);
    // Whole: the footer reads and every row group decodes to as many rows as the footer says.
    const p = quoteLiteral(path);
    const r = (
      await conn.runAndReadAll(
        `SELECT (SELECT num_rows FROM parquet_file_metadata(${p}))::BIGINT AS meta, count(*)::BIGINT AS n, sum(hash(ts, battery_id, voltage_v)) AS h FROM read_parquet(${p})`,
      )
    ).getRowObjectsJS()[0];
    expect(Number(r.n), `${label}: rows of ${rel}`).toBe(Number(r.meta));
    files++;
    rows += Number(r.n);
  }
  return { temps, files, rows };
}

/**
 * What a kill left, looked at before any repair, then `lake check --repair` (the CLI, or the same job in this process
 * to save a CLI start) and a look afterwards. Returns what the check found before the repair and what the repair did.
 */
async function afterKill(run: CliRun, label: string, repairVia: 'cli' | 'here'): Promise<{ found: string[]; repaired: string[] }> {
  if (run.code !== 0) expect(run.signal, `${label}: ${run.stderr}`).toBe('SIGKILL');
  const prev = committed;
  const found = await withWorkbench(async (wb, conn) => {
    const shown = await impRows(conn);
    // The conversion in flight is visible whole or not at all; a run that exited normally, whole.
    expect(run.code === 0 ? [(prev + 1) * ROWS] : [prev * ROWS, (prev + 1) * ROWS], `${label}: cold.imp shows ${shown} rows`).toContain(
      shown,
    );
    if (shown === (prev + 1) * ROWS) committed = prev + 1;
    await inspectImp(conn, `${label}, before the repair`);
    expect(await unifiedViewDigests(conn), label).toEqual(baseline);
    return (await checkHere(wb)).problems.map((p) => p.kind);
  });
  const repaired =
    repairVia === 'cli'
      ? await lakeCheck(ws, ['--repair'])
      : await withWorkbench(async (wb) => ({ ...(await checkHere(wb, true)), exitCode: 0 }));
  expect(repaired.problems, `${label}: ${JSON.stringify(repaired)}`).toEqual([]);
  expect(repaired).toMatchObject({ ok: true, exitCode: 0 });
  if (repaired.repaired.some((line) => /were published with their manifest; shown now/.test(line))) {
    expect(committed, `${label}: finished by the repair, so not shown before it`).toBe(prev);
    committed = prev + 1;
  }
  await withWorkbench(async (wb, conn) => {
    expect(await impRows(conn), `${label}: cold.imp after the repair`).toBe(committed * ROWS);
    const after = await inspectImp(conn, `${label}, after the repair`);
    expect(after.temps, `${label}: temps after the repair`).toEqual([]);
    expect(after, label).toMatchObject({ files: committed * DAYS, rows: committed * ROWS });
    expect(await unifiedViewDigests(conn), label).toEqual(baseline);
    expect((await checkHere(wb)).problems, label).toEqual([]);
  });
  return { found, repaired: repaired.repaired };
}

function convertArgs(): string[] {
  return ['convert', csv, '--out', 'lake:imp', '--partition-by-day', 'ts', '--json', '--workspace', ws];
}

describe('conversion into the lake, killed', () => {
  let normalMs = 0;
  let jobMs = 0;
  /** How long after its start a run reached each named step (measured by the runs killed there). */
  const reachedMs: Partial<Record<'publish' | 'manifest', number>> = {};

  it('a normal run: 300,000 rows in four day files, shown whole', async () => {
    const started = performance.now();
    const run = await runCli(convertArgs());
    normalMs = performance.now() - started;
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ConvertReport;
    jobMs = report.elapsedMs;
    expect(report.rows).toBe(ROWS);
    expect(report.files[0].outputs).toHaveLength(DAYS);
    committed = 1;
    await withWorkbench(async (wb, conn) => {
      expect(await impRows(conn)).toBe(ROWS);
      expect(await inspectImp(conn, 'normal run')).toEqual({ temps: [], files: DAYS, rows: ROWS });
      expect((await checkHere(wb)).problems).toEqual([]);
    });
  });

  for (const step of ['publish', 'manifest'] as const) {
    it(`killed at convert:${step}: nothing shown, and the repair undoes it`, async () => {
      const started = performance.now();
      const run = await runCli(convertArgs(), { BW_KILL_AT: `convert:${step}` });
      reachedMs[step] = performance.now() - started;
      expect(run.signal, run.stderr).toBe('SIGKILL');
      await withWorkbench(async (wb, conn) => {
        // At `manifest` every file is published under its final name, but hidden; at `publish` none is yet.
        const left = await inspectImp(conn, `convert:${step}`);
        expect(left.rows).toBe((committed + (step === 'manifest' ? 1 : 0)) * ROWS);
        expect(await impRows(conn)).toBe(committed * ROWS);
        // The check names the unfinished conversion; its staging folder and the files it published (hidden) belong to it.
        const found = await checkHere(wb);
        expect(found.problems).toEqual([
          {
            kind: 'unfinished-job',
            dataset: 'imp',
            path: 'imp',
            detail: expect.stringMatching(
              /^convert convert-\S+ stopped at "publishing": run `lake check --repair` to finish it$/,
            ) as unknown as string,
          },
        ]);
      });
      const { repaired } = await afterKill(run, `convert:${step}`, 'cli');
      // Undone: the published files, the staged ones and the staging folder removed, in one step.
      expect(repaired, `convert:${step} is undone by the repair`).toEqual([
        expect.stringMatching(
          /^convert-\S+: a convert into imp stopped while publishing; its 4 file\(s\) and temps removed \(they were never visible\)$/,
        ),
      ]);
    });
  }

  it('killed at seeded-random moments from start-up to the end of a normal run', async () => {
    const publishAt = reachedMs.publish ?? 0;
    const manifestAt = reachedMs.manifest ?? 0;
    expect(normalMs * publishAt * manifestAt).toBeGreaterThan(0);
    const random = seededRandom(SEED);
    // Three over the whole run (start-up included); four over the conversion itself, from the start of its COPY
    // (its length before the publish step) to just after the publish and manifest steps.
    const from = Math.max(0, publishAt - jobMs);
    const to = Math.max(publishAt, manifestAt) + 300;
    const delays = [
      ...[0, 1, 2].map((i) => ((i + random()) / 3) * normalMs),
      ...[0, 1, 2, 3].map((i) => from + ((i + random()) / 4) * (to - from)),
    ].map(Math.round);
    const outcomes: string[] = [];
    for (const delay of delays) {
      const run = await runCli(convertArgs(), {}, delay);
      const { found, repaired } = await afterKill(
        run,
        `killed after ${delay} ms (seed ${SEED}, normal run ${Math.round(normalMs)} ms)`,
        'here',
      );
      outcomes.push(
        `${delay} ms: ${run.code === 0 ? 'finished' : (run.signal ?? `exit ${String(run.code)}`)}; found [${found.join(', ')}]; repaired [${repaired.join(' / ')}]`,
      );
    }
    console.log(
      `normal run ${Math.round(normalMs)} ms (job ${jobMs} ms, publish at ${Math.round(publishAt)} ms, manifest at ${Math.round(manifestAt)} ms): ${outcomes.join('; ')}`,
    );
    // The moments spread over the run: at least one kill landed before the end.
    expect(
      outcomes.some((o) => o.includes(': SIGKILL')),
      outcomes.join('; '),
    ).toBe(true);
  }, 240_000);

  it('converts again after the kills, and the lake check is clean', async () => {
    const before = committed;
    const run = await runCli(convertArgs());
    expect(run.code, run.stderr).toBe(0);
    committed++;
    await withWorkbench(async (_wb, conn) => {
      expect(committed).toBe(before + 1);
      expect(await impRows(conn)).toBe(committed * ROWS);
      expect(await inspectImp(conn, 'after the kills')).toEqual({ temps: [], files: committed * DAYS, rows: committed * ROWS });
      expect(await unifiedViewDigests(conn)).toEqual(baseline);
    });
    const check = await lakeCheck(ws);
    expect(check).toMatchObject({ ok: true, exitCode: 0, problems: [] });
  });
});
