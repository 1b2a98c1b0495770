import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isPidAlive } from '../system/pid';

/** Every temp file or folder the workbench writes starts with this, so stale ones can be found and swept. */
export const TEMP_PREFIX = '.bw-tmp-';
export const TEMP_SUFFIX = '.tmp';

/**
 * A temp path in the same folder as `finalPath` (so the rename is atomic), tagged with our pid.
 * It ends in `.tmp`, never `.parquet`, so no lake glob can pick up a file still being written.
 */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `${TEMP_PREFIX}${process.pid}-${randomUUID().slice(0, 8)}-${basename(finalPath)}${TEMP_SUFFIX}`);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so a rename inside it is durable (a no-op where the OS refuses, e.g. Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir);
  } catch {
    // Windows cannot open directories for fsync; the rename is still atomic there.
  }
}

/**
 * `mkdir -p` that survives a power cut: a new folder exists on disk only once the folder holding its
 * entry is fsynced, so the parent of every folder created here is fsynced (a new partition folder
 * `lake/telemetry/date=…/` needs `lake/telemetry/` synced, and `lake/` too if `telemetry/` is new).
 * Returns the folders it fsynced, outermost first (none when `dir` already existed).
 */
export async function mkdirDurable(dir: string): Promise<string[]> {
  const target = resolve(dir);
  const first = await mkdir(target, { recursive: true });
  if (first === undefined) return [];
  // Every folder from `first` down to `target` is new; their parents are `dirname(first)` … `dirname(target)`.
  const parents: string[] = [];
  for (let d = target; ; d = dirname(d)) {
    parents.unshift(dirname(d));
    if (d === resolve(first) || dirname(d) === d) break;
  }
  for (const p of parents) await fsyncDir(p);
  return parents;
}

/**
 * Publish a finished temp file under its final name without ever replacing an existing file:
 * fsync the data, hard-link to the final name (fails with EEXIST if taken), drop the temp name,
 * fsync the folder. Falls back to rename after an existence check where hard links are refused.
 * Folders it creates on the way are made durable too (mkdirDurable).
 */
export async function publishFile(tempPath: string, finalPath: string): Promise<void> {
  await fsyncPath(tempPath);
  await mkdirDurable(dirname(finalPath));
  try {
    await link(tempPath, finalPath);
    await unlink(tempPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw err;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
    if (await exists(finalPath)) throw Object.assign(new Error(`${finalPath} already exists`), { code: 'EEXIST' });
    await rename(tempPath, finalPath);
  }
  await fsyncDir(dirname(finalPath));
}

/**
 * Write bytes to a file atomically (temp name, fsync, rename, fsync the folder; new folders made durable
 * by mkdirDurable). Replaces the file if it exists.
 */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdirDurable(dirname(finalPath));
  const tmp = tempPathFor(finalPath);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, finalPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(finalPath));
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove the temp files and folders a killed writer (kill -9) left directly in `dir`, e.g. a half-written export
 * next to its target. Only the workbench's own temp names; those of live processes are left alone. Not recursive.
 */
export async function sweepStaleTempsIn(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && (pid === process.pid || isPidAlive(pid))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}
