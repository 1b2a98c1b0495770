import { realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Result } from '../../shared/api/errors';
import { isInside } from '../core/export/export-paths';

/** How many export and slice destinations the main process remembers (the newest win). */
export const MAX_REVEAL_DESTINATIONS = 50;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The destinations the core reports having written for an IPC answer: the folder of slice.run, and from jobs.list
 * the folder of each finished slice and the file of each finished export (the user may have chosen any of them).
 */
export function destinationsOf(channel: string, result: Result<unknown>): string[] {
  if (!result.ok || !isRecord(result.value)) return [];
  const value = result.value;
  if (channel === 'slice.run') return typeof value.dir === 'string' ? [value.dir] : [];
  if (channel !== 'jobs.list' || !Array.isArray(value.jobs)) return [];
  const found: string[] = [];
  for (const job of value.jobs as unknown[]) {
    if (!isRecord(job) || job.state !== 'done' || !isRecord(job.report)) continue;
    const where = job.kind === 'slice' ? job.report.dir : job.kind === 'export' ? job.report.path : undefined;
    if (typeof where === 'string') found.push(where);
  }
  return found;
}

/** The small allow-list of export and slice destinations the main process keeps, newest last. */
export class RevealDestinations {
  private readonly paths: string[] = [];

  /** Remembers the destinations an IPC answer reports (see destinationsOf). */
  note(channel: string, result: Result<unknown>): void {
    for (const path of destinationsOf(channel, result)) this.add(path);
  }

  add(path: string): void {
    if (!isAbsolute(path)) return;
    const at = this.paths.indexOf(path);
    if (at >= 0) this.paths.splice(at, 1);
    this.paths.push(path);
    if (this.paths.length > MAX_REVEAL_DESTINATIONS) this.paths.splice(0, this.paths.length - MAX_REVEAL_DESTINATIONS);
  }

  list(): readonly string[] {
    return [...this.paths];
  }
}

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

/**
 * The path workbench:reveal may show in the file manager, or null. It must be an absolute path that exists and,
 * with every symlink and `..` resolved, lies inside one of `roots` (the workspace, the lake, the destinations the
 * user chose), each also resolved: a link inside the workspace pointing elsewhere does not count, and /ws-evil is
 * not inside /ws. The answer is the resolved path, so what is shown is what was checked.
 */
export async function revealablePath(path: unknown, roots: readonly string[]): Promise<string | null> {
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096 || path.includes('\0') || !isAbsolute(path)) return null;
  const real = await realOrNull(path);
  if (real === null) return null;
  for (const root of roots) {
    const realRoot = await realOrNull(root);
    if (realRoot !== null && isInside(realRoot, real)) return real;
  }
  return null;
}
