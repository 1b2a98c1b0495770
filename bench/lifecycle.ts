import { copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TierMoveReport } from '../shared/api/lifecycle';
import { queryRows } from '../electron/core/engine/duck-query';
import { fsyncDir, fsyncPath } from '../electron/core/files/atomic';
import { openWorkbench } from '../electron/core/workbench';
import { median, time } from './panel-timing';
import { benchCacheDir, openScaleWorkspace } from './scale-kit';

const DAYS = 30;
const RUNS = 3;

/** The last `DAYS` days of telemetry of the cached 90-day workspace: each day's folder and manifests. */
async function sourceDays(lake: string): Promise<{ day: string; manifests: string[] }[]> {
  const days = (await readdir(join(lake, 'telemetry'))).filter((d) => d.startsWith('date=')).sort();
  const manifests = await readdir(join(lake, '_manifests', 'telemetry'));
  return days.slice(-DAYS).map((d) => ({ day: d, manifests: manifests.filter((m) => m.endsWith(`-${d.slice(5)}.json`)) }));
}

/** A lake of its own with those days (untimed set-up), a policy sending them to the archive folder. */
async function scratchWorkspace(lake: string, days: { day: string; manifests: string[] }[]): Promise<{ ws: string; archive: string }> {
  const root = benchCacheDir('lifecycle-scratch');
  await rm(root, { recursive: true, force: true });
  const ws = join(root, 'ws');
  const archive = join(root, 'archive');
  for (const { day, manifests } of days) {
    await mkdir(join(ws, 'lake', 'telemetry', day), { recursive: true });
    for (const f of await readdir(join(lake, 'telemetry', day)))
      await copyFile(join(lake, 'telemetry', day, f), join(ws, 'lake', 'telemetry', day, f));
    await mkdir(join(ws, 'lake', '_manifests', 'telemetry'), { recursive: true });
    for (const m of manifests) await copyFile(join(lake, '_manifests', 'telemetry', m), join(ws, 'lake', '_manifests', 'telemetry', m));
  }
  await mkdir(archive, { recursive: true });
  await writeFile(
    join(ws, 'settings.json'),
    JSON.stringify({
      hot: { kind: 'embedded' },
      lake: { archivePath: archive },
      lifecycle: { telemetry: { tiers: [{ tier: 'archive', afterDays: 1 }] } },
    }),
  );
  return { ws, archive };
}

/**
 * Every file of the days, copied as `cp` does: the plain copy a move is held against. `durable`: each file and its
 * folder fsynced too (`cp` then `sync`), what a copy that survives a power cut costs at least.
 */
async function plainCopy(lake: string, days: { day: string }[], to: string, durable: boolean): Promise<number> {
  let bytes = 0;
  for (const { day } of days) {
    await mkdir(join(to, 'telemetry', day), { recursive: true });
    for (const f of await readdir(join(lake, 'telemetry', day))) {
      await copyFile(join(lake, 'telemetry', day, f), join(to, 'telemetry', day, f));
      if (durable) await fsyncPath(join(to, 'telemetry', day, f));
      bytes += (await stat(join(to, 'telemetry', day, f))).size;
    }
    if (durable) await fsyncDir(join(to, 'telemetry', day));
  }
  return bytes;
}

/**
 * Issue 20's lifecycle move: 30 days of the full fleet's telemetry (the cached 90-day workspace's last 30 days, copied
 * into a lake of their own) moved to a local archive folder by policy, as the `lifecycle` job does (copy, SHA-256 verified
 * against the manifest, fsynced, recorded in a manifest, the views made again, the lake folder's copies dropped), against
 * a plain copy of the same files in the same process. The views' telemetry is counted before and after.
 */
export async function benchLifecycle(): Promise<Record<string, unknown>> {
  const source = await openScaleWorkspace('90d');
  const lake = join(source.dir, 'lake');
  await source.wb.close();
  const days = await sourceDays(lake);
  const moveMs: number[] = [];
  const copyMs: number[] = [];
  const durableMs: number[] = [];
  let report: TierMoveReport | null = null;
  let rows: { before: number; after: number } | null = null;
  for (let run = 0; run < RUNS; run++) {
    const { ws } = await scratchWorkspace(lake, days);
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const count = async (): Promise<number> =>
        wb.engine.withConnection(async (conn) => Number((await queryRows(conn, 'SELECT count(*) AS n FROM telemetry'))[0].n));
      // The rollups a new workspace builds in the background are done before the clock starts.
      await wb.rollups.whenIdle();
      const before = await count();
      const t = await time(async () => {
        const { jobId } = await wb.core.lifecycle.applyTiers({}, { transport: 'test' });
        const s = await wb.jobs.wait(jobId);
        if (s.state !== 'done') throw new Error(`the move failed: ${s.error?.message ?? s.state}`);
        report = s.report as TierMoveReport;
      });
      moveMs.push(t);
      rows = { before, after: await count() };
      if (rows.after !== rows.before) throw new Error(`the views lost rows: ${rows.before} before, ${rows.after} after`);
    } finally {
      await wb.close();
    }
    const to = benchCacheDir('lifecycle-plain-copy');
    let bytes = 0;
    for (const [durable, into] of [
      [false, copyMs],
      [true, durableMs],
    ] as const) {
      await rm(to, { recursive: true, force: true });
      into.push(await time(async () => (bytes = await plainCopy(lake, days, to, durable))));
    }
    await rm(to, { recursive: true, force: true });
    process.stderr.write(
      `  run ${run + 1}: move ${Math.round(moveMs[run])} ms (${(report as TierMoveReport | null)?.files ?? 0} files), plain copy ${Math.round(copyMs[run])} ms, fsynced ${Math.round(durableMs[run])} ms (${bytes} bytes)\n`,
    );
  }
  await rm(benchCacheDir('lifecycle-scratch'), { recursive: true, force: true });
  const move = median(moveMs);
  const copy = median(copyMs);
  const moved = report as TierMoveReport | null;
  return {
    workspace: { scale: 'full', days: DAYS, dataset: 'telemetry', from: days[0]?.day, to: days[days.length - 1]?.day },
    files: moved?.files ?? 0,
    bytes: moved?.bytes ?? 0,
    rows,
    moveToArchiveFolder: { medianMs: Math.round(move), runs: moveMs.map(Math.round) },
    plainCopyOfTheSameFiles: { medianMs: Math.round(copy), runs: copyMs.map(Math.round) },
    plainCopyFsynced: { medianMs: Math.round(median(durableMs)), runs: durableMs.map(Math.round) },
    moveOverPlainCopy: Math.round((move / copy) * 100) / 100,
    moveOverFsyncedCopy: Math.round((move / median(durableMs)) * 100) / 100,
    note: 'A move copies, hashes and fsyncs every file, writes a manifest, makes the views again and drops the lake folder copies; the plain copy only copies.',
  };
}
