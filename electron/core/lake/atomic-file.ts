import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp name in the same folder as `finalPath` (same file system, so rename is atomic). */
export function tempPathFor(finalPath: string, suffix = '.tmp'): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}${suffix}`);
}

/** fsync a file (or folder) by path. */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write a whole file atomically: temp name in the same folder, fsync, rename, fsync the folder. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempPathFor(finalPath);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await publishFile(tmp, finalPath);
}

/** Move a finished temp file to its final name: fsync it, rename, fsync the folder. */
export async function publishFile(tmpPath: string, finalPath: string): Promise<void> {
  try {
    await fsyncPath(tmpPath);
    await rename(tmpPath, finalPath);
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw err;
  }
  await fsyncPath(dirname(finalPath)).catch(() => undefined);
}
