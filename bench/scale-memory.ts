import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvertRequest, type ConvertReport } from '../shared/api/convert';
import { reportOf } from '../shared/api/jobs';
import { queryNumber, queryRows } from '../electron/core/engine/duck-query';
import { Engine } from '../electron/core/engine/engine';
import { EventBus } from '../electron/core/events';
import { landColdDay } from '../electron/core/demo/demo-lake';
import { HotStore } from '../electron/core/hot/hot-store';
import { S3Lake } from '../electron/core/lake/s3/s3-lake';
import { resolveS3Location } from '../electron/core/lake/s3/s3-location';
import { ensureMetaSchema } from '../electron/core/mirror/meta';
import { MirrorSync } from '../electron/core/mirror/mirror-sync';
import { openWorkbench, type Workbench } from '../electron/core/workbench';
import { workspacePaths } from '../electron/core/workspace/paths';
import { archiveWindow, loadArchiveRows, runTelemetryArchive } from './archive-rows';
import { CSV_JARS, ensureTelemetryCsv } from './convert';
import { exportSpec, runSliceExport, seedExportWorkspace } from './export';
import { loadMirrorRows } from './mirror-sync';
import { startS3Child, type LoopbackS3 } from './s3-lake';
import { median } from './panel-timing';
import { atMost, benchCacheDir, type ScaleFigure } from './scale-kit';

/**
 * Issue 16, ask 5: the mirror sync, archive, export, `lake pull` and conversion hold memory independent of the data
 * size. Each runs at its usual input (1x) and at ten times that (10x), every run in a fresh child process
 * (bench/scale-memory-child.ts), whose peak RSS (the kernel's maxRSS) is the figure: 10x/1x <= 1.3.
 *
 * Usual inputs (`BW_SCALE_MEMORY_ROWS`, default 1,000,000, scales the row counts):
 * - mirror sync: a first sync of N hot telemetry rows (PostgreSQL -> DuckDB mirror);
 * - archive: `archive --older-than 7d` of N telemetry rows (PostgreSQL -> Parquet lake, rows deleted);
 * - export: a training slice of every telemetry column over 2 days of 2,376 jars every 5 minutes (1,368,576 rows,
 *   one day in the lake, one in the mirror) vs 20 days (15 and 5);
 * - lake pull: an S3 lake (loopback s3rver) of 2 daily telemetry files of 2,376 jars (684,288 rows each) vs 20,
 *   pulled into an empty cache;
 * - conversion: a telemetry CSV of ~N rows (2,376 jars, ordered by time) to Parquet.
 * Inputs are built beforehand, outside the measured process; the PostgreSQL of the mirror sync, the export's
 * workspace and the CSVs are cached under bench/.cache/scale-memory. The archive's rows are loaded for each run
 * (it deletes them), the S3 lake is filled for each run (the loopback S3 keeps nothing across runs).
 */
const BASE_ROWS = Number(process.env.BW_SCALE_MEMORY_ROWS ?? 1_000_000);
const LIMIT = 1.3;

export type MemoryInput =
  | { op: 'mirror'; dir: string; rows: number }
  | { op: 'archive'; dir: string; rows: number }
  | { op: 'export'; dir: string; spec: Record<string, unknown>; rows: number }
  | { op: 'pull'; url: string; endpoint: string; files: number }
  | { op: 'convert'; csv: string; rows: number };

interface Prepared {
  input: MemoryInput;
  /** What the figure's detail says of the input. */
  about: Record<string, unknown>;
  /** Environment of the measuring process (the loopback S3's credentials). */
  env?: Record<string, string>;
  cleanup?: () => Promise<void>;
}

interface MemoryOp {
  name: string;
  prepare(scale: 1 | 10): Promise<Prepared>;
}

const cacheDir = (name: string): string => benchCacheDir(join('scale-memory', name));

/** A cached input: `build` fills `dir` (emptied first) unless its marker says it is ready; the marker is written last. */
async function cached<T>(dir: string, build: () => Promise<T>): Promise<T> {
  const marker = join(dir, 'bench-ready.json');
  if (existsSync(marker)) return JSON.parse(await readFile(marker, 'utf8')) as T;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const made = await build();
  await writeFile(marker, JSON.stringify(made));
  return made;
}

function openMirrorHot(dir: string): Promise<HotStore> {
  return HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
}

const OPS: readonly MemoryOp[] = [
  {
    name: 'mirror sync',
    async prepare(scale) {
      const rows = BASE_ROWS * scale;
      const dir = cacheDir(`mirror-${rows}`);
      await cached(dir, async () => {
        const hot = await openMirrorHot(dir);
        try {
          await loadMirrorRows(hot, rows);
        } finally {
          await hot.close();
        }
        return { rows };
      });
      return { input: { op: 'mirror', dir, rows }, about: { rows } };
    },
  },
  {
    name: 'archive',
    async prepare(scale) {
      const rows = BASE_ROWS * scale;
      const dir = await mkdtemp(join(tmpdir(), 'bw-bench-memory-archive-'));
      const wb = await openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'lazy' } });
      let dataDir: string | null = null;
      try {
        const hot = await wb.data.hotStore();
        dataDir = hot.info.dataDir;
        await loadArchiveRows(hot, archiveWindow(new Date(), rows));
      } finally {
        await wb.close();
      }
      const cleanup = async (): Promise<void> => {
        await rm(dir, { recursive: true, force: true });
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      };
      return { input: { op: 'archive', dir, rows }, about: { rows }, cleanup };
    },
  },
  {
    name: 'export',
    async prepare(scale) {
      const days = scale === 1 ? { daysCold: 1, daysHot: 1 } : { daysCold: 15, daysHot: 5 };
      const dir = cacheDir(`export-${days.daysCold}-${days.daysHot}`);
      const made = await cached(dir, async () => {
        const wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
        try {
          const fx = await seedExportWorkspace(wb, days);
          return { spec: exportSpec(fx) };
        } finally {
          await wb.close();
        }
      });
      const rows = 684_288 * (days.daysCold + days.daysHot);
      return { input: { op: 'export', dir, spec: made.spec, rows }, about: { rows, ...days } };
    },
  },
  {
    name: 'lake pull',
    async prepare(scale) {
      const files = 2 * scale;
      const s3 = await startS3Child();
      const url = `s3://lake/memory-${files}`;
      const filled = await fillS3Lake(s3, url, files).catch(async (err: unknown) => {
        await s3.stop();
        throw err;
      });
      return {
        input: { op: 'pull', url, endpoint: s3.endpoint, files },
        about: { files, bytes: filled.bytes, rows: filled.rows },
        env: s3.env,
        cleanup: () => s3.stop(),
      };
    },
  },
  {
    name: 'conversion',
    async prepare(scale) {
      const readings = Math.round((BASE_ROWS * scale) / CSV_JARS);
      const csv = join(cacheDir('csv'), `telemetry-${readings}.csv`);
      await mkdir(dirname(csv), { recursive: true });
      await ensureTelemetryCsv(csv, readings);
      const rows = readings * CSV_JARS;
      return { input: { op: 'convert', csv, rows }, about: { rows, csvBytes: (await stat(csv)).size } };
    },
  },
];

/** `files` daily telemetry files of the export fleet (2,376 jars every 5 minutes) published to the S3 lake at `url`. */
async function fillS3Lake(s3: LoopbackS3, url: string, files: number): Promise<{ bytes: number; rows: number }> {
  const cache = await mkdtemp(join(tmpdir(), 'bw-bench-memory-fill-'));
  const savedEnv = { ...process.env };
  Object.assign(process.env, s3.env);
  const inst = await DuckDBInstance.create(':memory:');
  const duck = await inst.connect();
  try {
    const lake = new S3Lake(resolveS3Location({ kind: 's3', url, endpoint: s3.endpoint }), cache);
    await lake.ensure();
    const written = [];
    for (let d = 0; d < files; d++) {
      const date = new Date(Date.UTC(2024, 2, 1 + d)).toISOString().slice(0, 10);
      const select = `SELECT j::INTEGER AS battery_id, TIMESTAMPTZ '${date} 00:00:00+00' + to_minutes(s * 5) AS ts,
          CAST(13 + j / 100 + (hash(j, s, ${d}) % 2000) / 10000 AS DECIMAL(6,3)) AS voltage_v,
          CAST(20 + (hash(s, j, ${d}) % 80) / 10 AS DECIMAL(4,1)) AS temperature_c,
          CAST(3 + j / 100 + (hash(j * 7, s, ${d}) % 50) / 100 AS DECIMAL(6,2)) AS resistance_mohm
        FROM range(1, 2377) a(j), range(0, 288) b(s)`;
      written.push((await landColdDay(duck, lake, 'telemetry', date, `memory-${files}`, select)).entry);
    }
    const rows = written.reduce((a, f) => a + f.rows, 0);
    return { bytes: written.reduce((a, f) => a + f.bytes, 0), rows };
  } finally {
    duck.closeSync();
    inst.closeSync();
    process.env = savedEnv;
    await rm(cache, { recursive: true, force: true });
  }
}

/** Runs one operation on its prepared input (in bench/scale-memory-child.ts); returns what proves it did the work. */
export async function runMemoryOp(input: MemoryInput): Promise<Record<string, unknown>> {
  const scratch = await mkdtemp(join(tmpdir(), 'bw-bench-memory-run-'));
  try {
    switch (input.op) {
      case 'mirror': {
        const hot = await openMirrorHot(input.dir);
        // The mirror on the workspace's engine (memory limit, spill folder), under its job budget as the data platform has it.
        const paths = workspacePaths(join(scratch, 'ws'));
        const engine = await Engine.open({ paths, events: new EventBus(), entry: 'test', appVersion: 'bench' });
        const duck = await engine.connect();
        try {
          await ensureMetaSchema(duck);
          const sync = new MirrorSync({ duck, hot, tmpDir: paths.tmp, memoryBudget: (fn, onUnheld) => engine.withJobMemory(fn, onUnheld) });
          // The job's notes (a step that ran without its budget says so): a high figure with a note is not the sync's own.
          const notes: string[] = [];
          const report = await sync.sync({ datasets: ['telemetry'], onNote: (message) => notes.push(message) });
          const mirrored = await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry');
          if (mirrored !== input.rows) throw new Error(`the mirror holds ${mirrored} rows, not ${input.rows}`);
          return { rows: report.rows, bytes: report.bytes, notes, ...(await duckMemory(duck)) };
        } finally {
          duck.closeSync();
          await engine.close();
          await hot.close();
        }
      }
      case 'archive':
        return await withWorkbench(input.dir, { start: 'lazy' }, async (wb) => {
          const run = await runTelemetryArchive(wb);
          if (run.report.rowsArchived !== input.rows) throw new Error(`archived ${run.report.rowsArchived} rows, not ${input.rows}`);
          return { rows: run.report.rowsArchived, batches: run.report.batches.length, ...(await engineMemory(wb)) };
        });
      case 'export':
        return await withWorkbench(input.dir, undefined, async (wb) => {
          const report = await runSliceExport(wb, input.spec, join(scratch, 'slice'));
          if (report.manifest.rows !== input.rows) throw new Error(`exported ${report.manifest.rows} rows, not ${input.rows}`);
          return { rows: report.manifest.rows, bytes: report.manifest.bytes, ...(await engineMemory(wb)) };
        });
      case 'pull': {
        const lake = new S3Lake(resolveS3Location({ kind: 's3', url: input.url, endpoint: input.endpoint }), join(scratch, 'cache'));
        await lake.ensure();
        const r = await lake.pull();
        if (r.fetched !== input.files) throw new Error(`the pull fetched ${r.fetched} files, not ${input.files}`);
        return { files: r.fetched, bytes: r.fetchedBytes };
      }
      case 'convert':
        return await withWorkbench(join(scratch, 'ws'), { start: 'lazy' }, async (wb) => {
          // The conversion job as the app starts it (convert.start): its DuckDB work under the job budget.
          const req = ConvertRequest.parse({ inputs: [input.csv], target: { kind: 'folder', path: join(scratch, 'out') } });
          const summary = await wb.jobs.wait<ConvertReport>((await wb.core.convert.start(req, { transport: 'test' })).jobId);
          if (summary.state !== 'done') throw new Error(`the conversion ${summary.state}: ${summary.error?.message ?? ''}`);
          const report = reportOf<ConvertReport>(summary);
          if (report.rows !== input.rows) throw new Error(`converted ${report.rows} rows, not ${input.rows}`);
          return { rows: report.rows, bytes: report.outputBytes, notes: summary.notes, ...(await engineMemory(wb)) };
        });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What DuckDB holds when the op ends (its buffer pool's blocks by tag) and its memory_limit then, in MB. */
async function duckMemory(duck: DuckDBConnection): Promise<Record<string, unknown>> {
  const rows = await queryRows(
    duck,
    `SELECT tag, round(memory_usage_bytes / 1e6, 1) AS mb FROM duckdb_memory() WHERE memory_usage_bytes > 0 ORDER BY memory_usage_bytes DESC`,
  );
  const limit = await queryRows(duck, "SELECT current_setting('memory_limit') AS l");
  return { duckdbMemoryMB: Object.fromEntries(rows.map((r) => [String(r.tag), Number(r.mb)])), memoryLimit: String(limit[0]?.l) };
}

const engineMemory = (wb: Workbench): Promise<Record<string, unknown>> => wb.engine.withConnection(duckMemory);

async function withWorkbench<T>(dir: string, data: { start: 'lazy' } | undefined, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'test', ...(data ? { data } : {}) });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

interface ChildRun {
  maxRssMB: number;
  sampledPeakRssMB: number;
  /** Node's peak JS heap and peak `external` (buffers), sampled: what of the RSS is Node's rather than DuckDB's or pg's. */
  heapPeakMB: number;
  externalPeakMB: number;
  ms: number;
  result: Record<string, unknown>;
}

/** Runs one operation in a fresh child process (with the S3 credentials of the loopback S3 when it has them). */
async function measureInChild(input: MemoryInput, env: Record<string, string> = {}): Promise<ChildRun> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'scale-memory-child.ts');
  const child = spawn(process.execPath, [...process.execArgv, script, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the ${input.op} run exited with ${code}: ${out.trim().slice(-500)}`);
  return JSON.parse(line) as ChildRun;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Child runs per operation and scale. One run's peak moved by 10-15% between runs with nothing changed (the
 * conversion's 10x/1x ratio gave 1.18 and 1.48 in two full runs of one tree): the figure takes the median of three.
 */
const MEMORY_RUNS = 3;

/** The `memory` part of `npm run bench -- scale`: one figure per operation, its median peak RSS at 10x over 1x. */
export async function benchScaleMemory(): Promise<ScaleFigure[]> {
  const figures: ScaleFigure[] = [];
  const only = (process.env.BW_SCALE_MEMORY_OPS ?? '').split(',').filter((s) => s.trim() !== '');
  for (const op of OPS) {
    if (only.length > 0 && !only.some((o) => op.name.startsWith(o.trim()))) continue;
    const sides: { about: Record<string, unknown>; runs: ChildRun[] }[] = [];
    for (const scale of [1, 10] as const) {
      const side = { about: {} as Record<string, unknown>, runs: [] as ChildRun[] };
      for (let i = 0; i < MEMORY_RUNS; i++) {
        // Prepared again for every run: a run may consume its input (the archive moves its rows).
        const prepared = await op.prepare(scale);
        try {
          const run = await measureInChild(prepared.input, prepared.env);
          process.stderr.write(
            `    ${op.name} ${scale}x run ${i + 1}: peak RSS ${round1(run.maxRssMB)} MB (sampled ${round1(run.sampledPeakRssMB)} MB; ` +
              `heap ${run.heapPeakMB} MB, external ${run.externalPeakMB} MB), ${run.ms} ms ${JSON.stringify(run.result)}\n`,
          );
          side.about = prepared.about;
          side.runs.push(run);
        } finally {
          await prepared.cleanup?.();
        }
      }
      sides.push(side);
    }
    const [x1, x10] = sides;
    const mid = (side: (typeof sides)[number], pick: (r: ChildRun) => number): number => round1(median(side.runs.map(pick)));
    const peak = (r: ChildRun): number => r.maxRssMB;
    figures.push(
      atMost(`${op.name} peak RSS 10×/1×`, median(x10.runs.map(peak)) / median(x1.runs.map(peak)), 'ratio', LIMIT, {
        peak1xMB: mid(x1, peak),
        peak10xMB: mid(x10, peak),
        peaks1xMB: x1.runs.map((r) => round1(r.maxRssMB)),
        peaks10xMB: x10.runs.map((r) => round1(r.maxRssMB)),
        sampledPeak1xMB: mid(x1, (r) => r.sampledPeakRssMB),
        sampledPeak10xMB: mid(x10, (r) => r.sampledPeakRssMB),
        input1x: x1.about,
        input10x: x10.about,
        heapPeak1xMB: mid(x1, (r) => r.heapPeakMB),
        heapPeak10xMB: mid(x10, (r) => r.heapPeakMB),
        externalPeak1xMB: mid(x1, (r) => r.externalPeakMB),
        externalPeak10xMB: mid(x10, (r) => r.externalPeakMB),
        ms1x: mid(x1, (r) => r.ms),
        ms10x: mid(x10, (r) => r.ms),
        // Whatever the child reported of its work (rows, notes, DuckDB's memory at the end), from each side's last run.
        result1x: x1.runs[x1.runs.length - 1]?.result,
        result10x: x10.runs[x10.runs.length - 1]?.result,
      }),
    );
  }
  return figures;
}
