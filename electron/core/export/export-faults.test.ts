import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedFile } from '../../../shared/api/export';
import type { SliceManifest } from '../../../shared/api/slice';
import { quoteLiteral } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { TEMP_PREFIX } from '../files/atomic';
import { sha256File } from '../lake/manifest';
import { seededRandom } from '../../../shared/domain/demo-fleet';
import { demoWorkspace, lakeCheck, runCli, unifiedViewDigests, withTestWorkbench } from '../testing/cli-process.fixture';
import type { Workbench } from '../workbench';
import { MANIFEST_FILE } from './slice-run';

/**
 * The training-slice export (`export --spec`) and the query export (`export --sql ... --format parquet`) killed with
 * SIGKILL at their named steps (BW_KILL_AT=export:manifest|publish) and at seeded-random moments. Afterwards the
 * output is absent, or complete (a slice: a manifest whose files are exactly those on disk, each with its sha256,
 * and the same contentHash as a normal run; a file: every row of a normal run), never half there and never with a
 * temp name inside it. Export only reads the lake: the lake check stays clean and the views unchanged.
 */
const SEED = 424_242;

const made: string[] = [];
let ws: string;
let out: string;
let specFile: string;
let baseline: Record<string, string>;

beforeAll(async () => {
  ws = await demoWorkspace(made);
  out = join(ws, 'out');
  await mkdir(out);
  // Every telemetry row of the demo, lake and hot mirror alike, split by battery.
  const range = await withWorkbench(async (_wb, conn) => {
    baseline = await unifiedViewDigests(conn);
    const r = await queryRows(
      conn,
      "SELECT strftime(min(ts) AT TIME ZONE 'UTC', '%Y-%m-%d') AS f, strftime((max(ts) + INTERVAL 1 HOUR) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:00:00Z') AS t FROM telemetry",
    );
    return { from: String(r[0].f), to: String(r[0].t) };
  });
  specFile = join(ws, 'slice.json');
  await writeFile(
    specFile,
    JSON.stringify({ dataset: 'telemetry', ...range, split: { by: 'battery', fractions: { train: 0.8, test: 0.2 }, seed: 7 } }),
  );
}, 180_000);

const withWorkbench = <T>(fn: (wb: Workbench, conn: DuckDBConnection) => Promise<T>): Promise<T> => withTestWorkbench(ws, fn);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** Temp entries (a killed writer's) directly in `out`. */
async function tempsIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((n) => n.startsWith(TEMP_PREFIX)).sort();
}

/** What a killed export left next to its target (for the log): its temp entries and the files in them. */
async function leftBehind(before: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const t of (await tempsIn(out)).filter((n) => !before.includes(n))) {
    const s = await stat(join(out, t));
    parts.push(
      s.isDirectory()
        ? `temp folder [${((await readdir(join(out, t), { recursive: true })) as string[])
            .filter((f) => f.includes('.'))
            .sort()
            .join(', ')}]`
        : `temp file of ${s.size} bytes`,
    );
  }
  return parts.length === 0 ? 'no temp' : parts.join(', ');
}

/** A slice folder is complete: exactly the manifest's files and the manifest, each file with its recorded sha256, bytes and rows. */
async function verifySlice(conn: DuckDBConnection, dir: string): Promise<SliceManifest> {
  const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as SliceManifest;
  const onDisk: string[] = [];
  for (const rel of (await readdir(dir, { recursive: true })) as string[]) {
    expect(
      rel.split(sep).some((p) => p.startsWith(TEMP_PREFIX)),
      `${dir}: a temp name inside the slice: ${rel}`,
    ).toBe(false);
    if ((await stat(join(dir, rel))).isFile()) onDisk.push(rel.split(sep).join('/'));
  }
  expect(onDisk.sort()).toEqual([MANIFEST_FILE, ...m.files.map((f) => f.path)].sort());
  for (const f of m.files) {
    const path = join(dir, ...f.path.split('/'));
    expect(await sha256File(path), `${dir}/${f.path}`).toBe(f.sha256);
    expect((await stat(path)).size).toBe(f.bytes);
    const rows = await queryRows(conn, `SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteLiteral(path)})`);
    expect(Number(rows[0].n), `${dir}/${f.path}`).toBe(f.rows);
  }
  expect(m.files.reduce((a, f) => a + f.rows, 0)).toBe(m.rows);
  return m;
}

/** Rows and a content hash of an exported Parquet file (every row group decoded). */
async function fileDigest(conn: DuckDBConnection, path: string): Promise<string> {
  const r = await queryRows(
    conn,
    `SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR AS d FROM read_parquet(${quoteLiteral(path)}) t`,
  );
  return String(r[0].d);
}

/** Two delays over the whole run (start-up included), four over [from, to] (where the export writes), rounded. */
function delaysFor(seed: number, normalMs: number, from: number, to: number): number[] {
  const random = seededRandom(seed);
  return [...[0, 1].map((i) => ((i + random()) / 2) * normalMs), ...[0, 1, 2, 3].map((i) => from + ((i + random()) / 4) * (to - from))].map(
    Math.round,
  );
}

describe('training-slice export, killed', () => {
  let normal: SliceManifest;
  let normalMs = 0;
  const reachedMs: Partial<Record<'manifest' | 'publish', number>> = {};
  const sliceArgs = (dir: string): string[] => ['export', '--spec', specFile, '--out', dir, '--json', '--workspace', ws];

  it('a normal run writes the whole slice', async () => {
    const dir = join(out, 'normal');
    const started = performance.now();
    const run = await runCli(sliceArgs(dir));
    normalMs = performance.now() - started;
    expect(run.code, run.stderr).toBe(0);
    normal = await withWorkbench((_wb, conn) => verifySlice(conn, dir));
    expect(normal.rows).toBe(Number(baseline.telemetry.split(':')[0]));
    expect(normal.files.map((f) => f.path)).toEqual(['train/part-0000.parquet', 'test/part-0000.parquet']);
    expect(JSON.parse(run.stdout)).toMatchObject({ contentHash: normal.contentHash });
  });

  for (const step of ['manifest', 'publish'] as const) {
    it(`killed at export:${step}: the folder does not exist; its temp folder next to it holds ${step === 'publish' ? 'the whole slice' : 'the split files, no manifest'}`, async () => {
      const dir = join(out, `killed-at-${step}`);
      const tempsBefore = await tempsIn(out);
      const started = performance.now();
      const run = await runCli(sliceArgs(dir), { BW_KILL_AT: `export:${step}` });
      reachedMs[step] = performance.now() - started;
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(await exists(dir)).toBe(false);
      const left = (await tempsIn(out)).filter((t) => !tempsBefore.includes(t));
      expect(left).toEqual([expect.stringMatching(new RegExp(`^\\${TEMP_PREFIX}\\d+-\\w+-killed-at-${step}$`))]);
      const temp = join(out, left[0]);
      if (step === 'publish') {
        // Complete but for the rename: the same slice as a normal run.
        const m = await withWorkbench((_wb, conn) => verifySlice(conn, temp));
        expect(m.contentHash).toBe(normal.contentHash);
      } else {
        expect(await exists(join(temp, MANIFEST_FILE))).toBe(false);
        expect(((await readdir(temp, { recursive: true })) as string[]).filter((p) => p.endsWith('.parquet')).sort()).toEqual(
          ['test/part-0000.parquet', 'train/part-0000.parquet'].map((p) => p.split('/').join(sep)),
        );
      }
    });
  }

  it('killed at seeded-random moments: each folder absent or complete, never partial; the same path exports again', async () => {
    // From a little before the split files are done to just after the rename.
    const from = Math.max(0, (reachedMs.manifest ?? 0) - 700);
    const to = Math.max(reachedMs.manifest ?? 0, reachedMs.publish ?? 0) + 200;
    const outcomes: string[] = [];
    const delays = delaysFor(SEED, normalMs, from, to);
    for (let i = 0; i < delays.length; i++) {
      const dir = join(out, `random-${i}`);
      const before = await tempsIn(out);
      const run = await runCli(sliceArgs(dir), {}, delays[i]);
      if (run.code !== 0) expect(run.signal, run.stderr).toBe('SIGKILL');
      if (await exists(dir)) {
        const m = await withWorkbench((_wb, conn) => verifySlice(conn, dir));
        expect(m.contentHash, `killed after ${delays[i]} ms (seed ${SEED})`).toBe(normal.contentHash);
        outcomes.push(`${delays[i]} ms: ${run.code === 0 ? 'finished' : 'killed'}, complete`);
      } else {
        expect(run.code, `killed after ${delays[i]} ms (seed ${SEED}): exited 0 without the folder`).not.toBe(0);
        outcomes.push(`${delays[i]} ms: killed, absent (${await leftBehind(before)})`);
      }
    }
    console.log(
      `slice: normal run ${Math.round(normalMs)} ms (manifest at ${Math.round(reachedMs.manifest ?? 0)} ms, publish at ${Math.round(reachedMs.publish ?? 0)} ms): ${outcomes.join('; ')}`,
    );
    expect(
      outcomes.some((o) => o.includes('killed, absent')),
      outcomes.join('; '),
    ).toBe(true);
    // A killed export's path is free: the same command writes the same slice there.
    const again = join(out, 'killed-at-publish');
    const run = await runCli(sliceArgs(again));
    expect(run.code, run.stderr).toBe(0);
    expect((await withWorkbench((_wb, conn) => verifySlice(conn, again))).contentHash).toBe(normal.contentHash);
    // And the temp folders the killed exports left next to it are gone.
    expect(await tempsIn(out)).toEqual([]);
  }, 180_000);
});

describe('query export, killed', () => {
  const sql = 'SELECT * FROM telemetry ORDER BY battery_id, ts';
  let normal = '';
  let normalMs = 0;
  let publishAt = 0;
  const queryArgs = (file: string): string[] => ['export', '--sql', sql, '--format', 'parquet', '--out', file, '--json', '--workspace', ws];

  it('a normal run writes every row', async () => {
    const file = join(out, 'query-normal.parquet');
    const started = performance.now();
    const run = await runCli(queryArgs(file));
    normalMs = performance.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      path: file,
      format: 'parquet',
      rows: Number(baseline.telemetry.split(':')[0]),
    } satisfies Partial<ExportedFile>);
    normal = await withWorkbench((_wb, conn) => fileDigest(conn, file));
    expect(normal.split(':')[0]).toBe(baseline.telemetry.split(':')[0]);
  });

  it('killed at export:publish: no file; the complete temp file is left next to it under its temp name', async () => {
    const file = join(out, 'query-killed-at-publish.parquet');
    const tempsBefore = await tempsIn(out);
    const started = performance.now();
    const run = await runCli(queryArgs(file), { BW_KILL_AT: 'export:publish' });
    publishAt = performance.now() - started;
    expect(run.signal, run.stderr).toBe('SIGKILL');
    expect(await exists(file)).toBe(false);
    const left = (await tempsIn(out)).filter((t) => !tempsBefore.includes(t));
    expect(left).toEqual([expect.stringMatching(/^\.bw-tmp-\d+-\w+-query-killed-at-publish\.parquet\.tmp$/)]);
    expect(await withWorkbench((_wb, conn) => fileDigest(conn, join(out, left[0])))).toBe(normal);
  });

  it('killed at seeded-random moments: each file absent or whole', async () => {
    const outcomes: string[] = [];
    const delays = delaysFor(SEED + 1, normalMs, Math.max(0, publishAt - 700), publishAt + 200);
    for (let i = 0; i < delays.length; i++) {
      const file = join(out, `query-random-${i}.parquet`);
      const before = await tempsIn(out);
      const run = await runCli(queryArgs(file), {}, delays[i]);
      if (run.code !== 0) expect(run.signal, run.stderr).toBe('SIGKILL');
      if (await exists(file)) {
        expect(await withWorkbench((_wb, conn) => fileDigest(conn, file)), `killed after ${delays[i]} ms (seed ${SEED + 1})`).toBe(normal);
        outcomes.push(`${delays[i]} ms: ${run.code === 0 ? 'finished' : 'killed'}, whole`);
      } else {
        expect(run.code, `killed after ${delays[i]} ms: exited 0 without the file`).not.toBe(0);
        outcomes.push(`${delays[i]} ms: killed, absent (${await leftBehind(before)})`);
      }
    }
    console.log(`query: normal run ${Math.round(normalMs)} ms (publish at ${Math.round(publishAt)} ms): ${outcomes.join('; ')}`);
    expect(
      outcomes.some((o) => o.includes('killed, absent')),
      outcomes.join('; '),
    ).toBe(true);
  }, 180_000);
});

describe('after every export kill', () => {
  it('the lake check is clean and the views are unchanged: export only reads the lake', async () => {
    const r = await lakeCheck(ws);
    expect(r).toMatchObject({ ok: true, exitCode: 0, problems: [] });
    expect(await withWorkbench((_wb, conn) => unifiedViewDigests(conn))).toEqual(baseline);
  });
});
