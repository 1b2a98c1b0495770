import { GetObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DemoScaleName } from '../shared/domain/demo-scale';
import type { LakeLocation } from '../electron/core/lake/open-lake';
import { createS3Client } from '../electron/core/lake/s3/s3-client';
import { PART_SIZE, QUEUE_SIZE, S3Lake } from '../electron/core/lake/s3/s3-lake';
import { resolveS3Location } from '../electron/core/lake/s3/s3-location';
import { openWorkbench, type Workbench } from '../electron/core/workbench';
import { ARCHIVE_ROWS, archiveWindow, loadArchiveRows, runTelemetryArchive, type ArchiveRun } from './archive-rows';

/** Archive runs per lake (each on freshly loaded rows) and pull runs (each into an empty cache). */
const ARCHIVE_RUNS = Number(process.env.BENCH_S3_ARCHIVE_RUNS ?? 5);
const PULL_RUNS = Number(process.env.BENCH_S3_PULL_RUNS ?? 5);
/** The demo both workspaces get before the archive runs (its lake files are part of what step 2 pulls). */
const DEMO_SCALE = (process.env.BENCH_S3_DEMO ?? 'small') as DemoScaleName;
/** File sizes for the multipart memory figure. */
const MEMORY_SIZES_MB = (process.env.BENCH_S3_MEMORY_MB ?? '256,1024').split(',').map(Number);
/** setseed() value: both workspaces load the same rows. */
const SEED = 0.14;
const PULL_CONCURRENCY = 4;
const MB = 1024 * 1024;

const TARGETS = { archiveRatio: 1.3, pullRatio: 1.2 } as const;

export interface LoopbackS3 {
  /** The fixture's wrapper (S3's no-clobber and all-or-nothing semantics) in front of s3rver. */
  endpoint: string;
  /** s3rver itself. */
  serverEndpoint: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The loopback S3 fixture in a child process (bench/s3-server-child.ts): none of its work counts in this one. */
export async function startS3Child(): Promise<LoopbackS3> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 's3-server-child.ts');
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.stdin.end();
    await exited;
  };
  const info = await new Promise<Omit<LoopbackS3, 'stop'>>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as Omit<LoopbackS3, 'stop'>);
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error('the S3 fixture process exited before it listened')));
  });
  return { ...info, stop };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * The S3 lake on a loopback S3 (s3rver behind the no-clobber wrapper, in a child process), each figure against a
 * baseline taken in this run (issue 14):
 * 1. archive of 5M telemetry rows to the S3 lake vs to the local lake (same rows, same seed; target <= 1.3x);
 * 2. `lake pull` of the whole lake (step 1's archives plus the demo) into an empty cache vs raw SDK GETs of the
 *    same objects streamed to files, 4 at a time as the pull (target <= 1.2x);
 * 3. this process's peak RSS and heap while `S3Lake.publish` uploads a 256 MB and a 1 GB file in parts: bounded by
 *    part size x parts in flight, not by the file size.
 */
export async function benchS3Lake(): Promise<Record<string, unknown>> {
  const root = await mkdtemp(join(tmpdir(), 'bw-bench-s3-'));
  const s3 = await startS3Child();
  const savedEnv = { ...process.env };
  Object.assign(process.env, s3.env);
  try {
    // Memory first: nothing else of the benchmark is allocated in this process yet.
    const memory = await benchMultipartMemory(s3, root);
    const archive = await benchArchiveRatio(s3, root);
    const pull = await benchPull(s3, root, archive.url);
    // lib-storage has QUEUE_SIZE parts in flight and assembles the next from its stream chunks (chunks + concat).
    const bound = PART_SIZE * (QUEUE_SIZE + 2);
    const largest = memory.runs[memory.runs.length - 1];
    return {
      archiveRatio: archive.ratio,
      archiveTarget: TARGETS.archiveRatio,
      archiveTargetMet: archive.ratio <= TARGETS.archiveRatio,
      pullRatio: pull.ratio,
      pullTarget: TARGETS.pullRatio,
      pullTargetMet: pull.ratio <= TARGETS.pullRatio,
      multipartPeakRssDeltaMB: round(largest.peakRssDeltaBytes / MB),
      multipartBoundMB: bound / MB,
      multipartBoundMet: memory.boundMet,
      multipartFlat: memory.flat,
      archive: archive.figures,
      pull: pull.figures,
      multipartMemory: memory,
    };
  } finally {
    process.env = savedEnv;
    await s3.stop();
    await rm(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 1. Archive: S3 lake vs local lake

async function openBenchWorkbench(dir: string, lake?: LakeLocation): Promise<Workbench> {
  return openWorkbench({ workspaceDir: dir, entry: 'test', data: { start: 'lazy', ...(lake ? { lake } : {}) } });
}

async function closeBenchWorkbench(wb: Workbench): Promise<void> {
  const hot = await wb.data.hotStore().catch(() => null);
  await wb.close();
  if (hot?.info.dataDir) await rm(hot.info.dataDir, { recursive: true, force: true });
}

async function runDemo(wb: Workbench): Promise<{ ms: number; lakeFiles: number; lakeBytes: number }> {
  const t0 = performance.now();
  const summary = await wb.demo.start({ scale: DEMO_SCALE, features: false }).done;
  if (summary.state !== 'done' || !summary.report) throw new Error(`demo failed: ${summary.error?.message ?? summary.state}`);
  return { ms: performance.now() - t0, lakeFiles: summary.report.lakeFiles, lakeBytes: summary.report.lakeBytes };
}

interface PublishProfile {
  publishes: number;
  publishMs: number;
  /** The no-clobber HEAD before the upload. */
  headBeforeMs: number;
  uploadMs: number;
  /** The HEAD that confirms size and SHA-256 after it. */
  confirmHeadMs: number;
  /** publish minus the three requests: stat, SHA-256 of the file, the move into the cache and its index. */
  otherMs: number;
}

/**
 * Times the parts of `S3Lake.publish` on this lake instance (the requests it makes are methods of the lake:
 * `exists` before, `upload`, `describe` after; the rest is local work).
 */
function profilePublish(lake: S3Lake): { take(): PublishProfile } {
  const acc = { publishes: 0, publishMs: 0, headBeforeMs: 0, uploadMs: 0, confirmHeadMs: 0 };
  let inPublish = 0;
  const target = lake as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const timed = (method: string, field: 'publishMs' | 'headBeforeMs' | 'uploadMs' | 'confirmHeadMs'): void => {
    const original = target[method].bind(lake);
    target[method] = async (...args: unknown[]) => {
      const counts = field === 'publishMs' || inPublish > 0;
      if (field === 'publishMs') inPublish++;
      const t0 = performance.now();
      try {
        return await original(...args);
      } finally {
        if (counts) acc[field] += performance.now() - t0;
        if (field === 'publishMs') {
          inPublish--;
          acc.publishes++;
        }
      }
    };
  };
  timed('publish', 'publishMs');
  timed('exists', 'headBeforeMs');
  timed('upload', 'uploadMs');
  timed('describe', 'confirmHeadMs');
  return {
    take() {
      const out = { ...acc, otherMs: acc.publishMs - acc.headBeforeMs - acc.uploadMs - acc.confirmHeadMs };
      Object.assign(acc, { publishes: 0, publishMs: 0, headBeforeMs: 0, uploadMs: 0, confirmHeadMs: 0 });
      return out;
    },
  };
}

function medianPhases(runs: readonly Record<string, unknown>[]): Record<string, number> {
  const phases = runs.map((r) => r.phasesMs as Record<string, number>);
  return Object.fromEntries(Object.keys(phases[0] ?? {}).map((k) => [k, median(phases.map((p) => p[k]))]));
}

function runFigures(load: number, run: ArchiveRun): Record<string, unknown> {
  return {
    loadMs: load,
    archiveMs: run.batchesMs,
    batchesWallMs: run.batchesWallMs,
    endToEndMs: run.endToEndMs,
    phasesMs: run.phasesMs,
    rows: run.report.rowsArchived,
    batches: run.report.batches.length,
    parquetBytes: run.report.batches.reduce((a, b) => a + b.parquetBytes, 0),
    lakeRetries: run.report.lakeRetries ?? 0,
  };
}

async function benchArchiveRatio(s3: LoopbackS3, root: string): Promise<{ ratio: number; url: string; figures: Record<string, unknown> }> {
  const url = 's3://lake/bench';
  const localDir = join(root, 'ws-local');
  const s3Dir = join(root, 'ws-s3');
  await Promise.all([mkdir(localDir), mkdir(s3Dir)]);
  const local = await openBenchWorkbench(localDir);
  let remote: Workbench | null = null;
  try {
    remote = await openBenchWorkbench(s3Dir, {
      kind: 's3',
      settings: { kind: 's3', url, endpoint: s3.endpoint },
      cacheDir: join(s3Dir, 'lake-cache'),
    });
    const lake = remote.data.lake;
    if (!(lake instanceof S3Lake)) throw new Error(`the workspace's lake is ${lake.kind}, not s3`);
    const profile = profilePublish(lake);
    // Both lakes hold the same demo first (so the archive meets the same lake size), and it is part of step 2's pull.
    // The demos and the loads run on both workspaces at once (they are not measured); the archives one at a time.
    log(`demo ${DEMO_SCALE} on both workspaces`);
    // The embedded PostgreSQL servers start one after the other (two first starts at once can time out here).
    await local.data.hotStore();
    await remote.data.hotStore();
    const [demoLocal, demoS3] = await Promise.all([runDemo(local), runDemo(remote)]);
    profile.take();
    const window = archiveWindow();
    const runs: { local: Record<string, unknown>[]; s3: Record<string, unknown>[] } = { local: [], s3: [] };
    const ms: { local: number[]; s3: number[]; s3Wall: number[]; localWall: number[] } = { local: [], s3: [], s3Wall: [], localWall: [] };
    const profiles: PublishProfile[] = [];
    const workbenches = { local, s3: remote };
    for (let i = 0; i < ARCHIVE_RUNS; i++) {
      // The same rows (seed) in both workspaces; each run's rows shifted by i seconds (new digests, new S3 objects).
      const [loadLocal, loadS3] = await Promise.all(
        [local, remote].map(async (wb) => loadArchiveRows(await wb.data.hotStore(), window, { seed: SEED, shiftSeconds: i })),
      );
      const load = { local: loadLocal, s3: loadS3 };
      const order: ('local' | 's3')[] = i % 2 === 0 ? ['local', 's3'] : ['s3', 'local'];
      for (const which of order) {
        const run = await runTelemetryArchive(workbenches[which]);
        if (run.report.rowsArchived !== ARCHIVE_ROWS)
          throw new Error(`${which} archived ${run.report.rowsArchived} rows, not ${ARCHIVE_ROWS}`);
        runs[which].push(runFigures(load[which], run));
        ms[which].push(run.batchesMs);
        ms[which === 'local' ? 'localWall' : 's3Wall'].push(run.batchesWallMs ?? run.batchesMs);
        if (which === 's3') profiles.push(profile.take());
        log(`archive run ${i + 1} ${which}: ${Math.round(run.batchesMs)} ms (load ${Math.round(load[which])} ms, both at once)`);
      }
    }
    const ratio = median(ms.s3) / median(ms.local);
    const medianOf = (k: keyof PublishProfile): number => median(profiles.map((p) => p[k]));
    return {
      ratio,
      url,
      figures: {
        rows: ARCHIVE_ROWS,
        runs: ARCHIVE_RUNS,
        medianLocalMs: median(ms.local),
        medianS3Ms: median(ms.s3),
        ratio,
        medianWallRatio: median(ms.s3Wall) / median(ms.localWall),
        target: TARGETS.archiveRatio,
        met: ratio <= TARGETS.archiveRatio,
        medianPhasesMs: { local: medianPhases(runs.local), s3: medianPhases(runs.s3) },
        s3PublishProfileMedianMs: {
          publishes: medianOf('publishes'),
          publish: medianOf('publishMs'),
          headBefore: medianOf('headBeforeMs'),
          upload: medianOf('uploadMs'),
          confirmHead: medianOf('confirmHeadMs'),
          sha256AndCacheMove: medianOf('otherMs'),
        },
        demo: { scale: DEMO_SCALE, local: demoLocal, s3: demoS3, note: 'both at once' },
        local: runs.local,
        s3: runs.s3,
      },
    };
  } finally {
    if (remote) await closeBenchWorkbench(remote);
    await closeBenchWorkbench(local);
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. lake pull vs raw GETs

async function benchPull(s3: LoopbackS3, root: string, url: string): Promise<{ ratio: number; figures: Record<string, unknown> }> {
  const loc = resolveS3Location({ kind: 's3', url, endpoint: s3.endpoint });
  const lakeIn = (dir: string): S3Lake => new S3Lake(loc, dir);
  // The live files of the lake, as the pull sees them.
  const probe = lakeIn(join(root, 'pull-probe'));
  await probe.ensure();
  const files = (await Promise.all((await probe.datasets()).map((d) => probe.list(d)))).flat();
  const totalBytes = files.reduce((a, f) => a + f.size, 0);
  const client = createS3Client(loc);
  const raw = async (dir: string): Promise<number> => {
    const t0 = performance.now();
    await forEachLimit(files, PULL_CONCURRENCY, async (f) => {
      const path = join(dir, f.key);
      await mkdir(dirname(path), { recursive: true });
      const out = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.prefix + f.key }));
      await pipeline(out.Body as Readable, createWriteStream(path));
    });
    return performance.now() - t0;
  };
  const pull = async (dir: string): Promise<{ ensureMs: number; pullMs: number; fetched: number; bytes: number }> => {
    const lake = lakeIn(dir);
    const t0 = performance.now();
    await lake.ensure();
    const t1 = performance.now();
    const r = await lake.pull();
    const pullMs = performance.now() - t1;
    if (r.fetched !== files.length) throw new Error(`the pull fetched ${r.fetched} files, not ${files.length}`);
    return { ensureMs: t1 - t0, pullMs, fetched: r.fetched, bytes: r.fetchedBytes };
  };
  const rawMs: number[] = [];
  const pullMs: number[] = [];
  const withOpenMs: number[] = [];
  try {
    for (let i = 0; i < PULL_RUNS; i++) {
      const order: ('raw' | 'pull')[] = i % 2 === 0 ? ['raw', 'pull'] : ['pull', 'raw'];
      for (const which of order) {
        const dir = join(root, `pull-${which}-${i}`);
        if (which === 'raw') rawMs.push(await raw(dir));
        else {
          const p = await pull(dir);
          pullMs.push(p.pullMs);
          withOpenMs.push(p.ensureMs + p.pullMs);
        }
        await rm(dir, { recursive: true, force: true });
      }
      log(`pull run ${i + 1}: lake pull ${Math.round(pullMs[i])} ms, raw GETs ${Math.round(rawMs[i])} ms`);
    }
  } finally {
    client.destroy();
  }
  const ratio = median(pullMs) / median(rawMs);
  return {
    ratio,
    figures: {
      lake: url,
      contents: `the demo (${DEMO_SCALE}) and ${ARCHIVE_RUNS} archive runs of ${ARCHIVE_ROWS} telemetry rows`,
      files: files.length,
      bytes: totalBytes,
      concurrency: PULL_CONCURRENCY,
      runs: PULL_RUNS,
      medianPullMs: median(pullMs),
      medianRawGetMs: median(rawMs),
      ratio,
      medianWithOpenMs: median(withOpenMs),
      withOpenRatio: median(withOpenMs) / median(rawMs),
      target: TARGETS.pullRatio,
      met: ratio <= TARGETS.pullRatio,
      pullMs,
      rawGetMs: rawMs,
      withOpenMs,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3. Memory of a multipart upload

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function writeFileOfSize(path: string, bytes: number): Promise<void> {
  const chunk = randomBytes(16 * MB);
  const fh = await open(path, 'w');
  try {
    for (let at = 0; at < bytes; at += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, bytes - at));
  } finally {
    await fh.close();
  }
}

interface MemoryRun {
  fileBytes: number;
  forcedGc: boolean;
  publishMs: number;
  samples: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  peakRssDeltaBytes: number;
  heapUsedBeforeBytes: number;
  peakHeapUsedDeltaBytes: number;
  /** Buffers live outside the V8 heap: the parts in flight are counted here. */
  peakArrayBuffersDeltaBytes: number;
}

/**
 * `forcedGc`: a full GC before every sample, so the peaks are of memory still referenced (the parts the upload
 * holds), without the garbage V8 has not collected yet.
 */
async function measurePublish(lake: S3Lake, key: string, bytes: number, forcedGc = false): Promise<MemoryRun> {
  const staged = await lake.stage(key);
  await writeFileOfSize(staged.path, bytes);
  await settle();
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heapUsed: before.heapUsed, arrayBuffers: before.arrayBuffers };
  let samples = 0;
  const sample = (): void => {
    if (forcedGc) gc();
    const m = process.memoryUsage();
    samples++;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 50);
  const t0 = performance.now();
  try {
    await lake.publish(staged);
  } finally {
    clearInterval(timer);
  }
  const publishMs = performance.now() - t0;
  sample();
  await lake.remove(key);
  await rm(lake.localPath(key), { force: true });
  return {
    fileBytes: bytes,
    forcedGc,
    publishMs,
    samples,
    rssBeforeBytes: before.rss,
    peakRssBytes: peak.rss,
    peakRssDeltaBytes: peak.rss - before.rss,
    heapUsedBeforeBytes: before.heapUsed,
    peakHeapUsedDeltaBytes: peak.heapUsed - before.heapUsed,
    peakArrayBuffersDeltaBytes: peak.arrayBuffers - before.arrayBuffers,
  };
}

async function benchMultipartMemory(
  s3: LoopbackS3,
  root: string,
): Promise<{ boundMet: boolean } & Record<string, unknown> & { runs: MemoryRun[] }> {
  const lake = new S3Lake(resolveS3Location({ kind: 's3', url: 's3://lake/memory', endpoint: s3.endpoint }), join(root, 'memory-cache'));
  await lake.ensure();
  const runs: MemoryRun[] = [];
  for (const [i, mb] of MEMORY_SIZES_MB.entries()) {
    const run = await measurePublish(lake, `telemetry/date=2020-01-0${i + 1}/part-memory-${mb}mb.parquet`, mb * MB);
    runs.push(run);
    log(`multipart ${mb} MB: ${Math.round(run.publishMs)} ms, peak RSS +${Math.round(run.peakRssDeltaBytes / MB)} MB`);
  }
  // The smallest file again with a full GC before every sample: what the upload itself holds at once.
  const live = await measurePublish(lake, `telemetry/date=2020-02-01/part-memory-live.parquet`, MEMORY_SIZES_MB[0] * MB, true);
  log(`multipart ${MEMORY_SIZES_MB[0]} MB, GC at every sample: peak array buffers +${Math.round(live.peakArrayBuffersDeltaBytes / MB)} MB`);
  // lib-storage has QUEUE_SIZE parts in flight and assembles the next from its stream chunks: while it joins them
  // (Buffer.concat) the chunks and the joined part are both alive, so at most QUEUE_SIZE + 2 parts at once.
  const bound = PART_SIZE * (QUEUE_SIZE + 2);
  const largest = runs[runs.length - 1];
  const smallest = runs[0];
  // Not bound by the file size: a file 4x larger raises the peak by at most a quarter (a peak that followed the file
  // would grow 4x). Bound by the parts: what the upload holds at once (the buffers live after a full GC at every
  // sample; RSS also carries garbage not yet collected) within partSize x (queueSize + 2).
  const growth = largest.peakRssDeltaBytes / smallest.peakRssDeltaBytes;
  const flat = growth <= 1.25;
  const withinBound = live.peakArrayBuffersDeltaBytes <= bound;
  return {
    partSizeBytes: PART_SIZE,
    queueSize: QUEUE_SIZE,
    boundBytes: bound,
    rule: "flat: the largest file's peak RSS delta <= 1.25 x the smallest file's; withinBound: the buffers held at once (full GC at every sample) <= partSize x (queueSize + 2)",
    peakGrowthLargestVsSmallest: growth,
    fileGrowthLargestVsSmallest: largest.fileBytes / smallest.fileBytes,
    flat,
    withinBound,
    boundMet: flat && withinBound,
    peakRssDeltaOverBound: largest.peakRssDeltaBytes / bound,
    liveArrayBuffersOverBound: live.peakArrayBuffersDeltaBytes / bound,
    sampleIntervalMs: 50,
    runs,
    liveRun: live,
  };
}
