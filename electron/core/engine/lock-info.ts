import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { WorkbenchError } from '../../../shared/api/errors';
import { writeFileAtomic } from '../files/atomic';
import { isPidAlive } from '../system/pid';

/** Which entry point holds a workspace. */
export type EntryPoint = 'desktop' | 'web' | 'cli' | 'test';

/** Written next to workspace.duckdb while a process holds it; read only when DuckDB refuses its lock. */
export interface LockInfo {
  pid: number;
  host: string;
  entry: EntryPoint;
  startedAt: string;
  appVersion: string;
}

export async function writeLockInfo(path: string, entry: EntryPoint, appVersion: string): Promise<LockInfo> {
  const info: LockInfo = { pid: process.pid, host: hostname(), entry, startedAt: new Date().toISOString(), appVersion };
  await writeFileAtomic(path, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

export async function readLockInfo(path: string): Promise<LockInfo | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.entry !== 'string') return null;
    return {
      pid: o.pid,
      host: o.host,
      entry: o.entry as EntryPoint,
      startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
      appVersion: typeof o.appVersion === 'string' ? o.appVersion : '',
    };
  } catch {
    return null;
  }
}

/** Removes the lock info if this process wrote it (never another holder's). */
export async function removeOwnLockInfo(path: string): Promise<void> {
  const info = await readLockInfo(path);
  if (info && info.pid === process.pid && info.host === hostname()) await rm(path, { force: true });
}

/** True when DuckDB's open failed because another process holds the file lock. */
export function isDuckDBLockError(message: string): boolean {
  return /could not set lock on file/i.test(message) || /conflicting lock is held/i.test(message);
}

const ENTRY_NAMES: Record<EntryPoint, string> = {
  desktop: 'the desktop app',
  web: 'the web host',
  cli: 'the command line',
  test: 'a test run',
};

/**
 * The WORKSPACE_LOCKED error for a refused open: names the holder from the lock info when it
 * matches a live process (or DuckDB's reported PID), else from DuckDB's own message.
 */
export function workspaceLockedError(workspaceDir: string, duckdbMessage: string, info: LockInfo | null): WorkbenchError {
  const pidMatch = /PID (\d+)/.exec(duckdbMessage);
  const duckdbPid = pidMatch ? Number(pidMatch[1]) : null;
  const infoUsable = info !== null && (duckdbPid === null ? info.host !== hostname() || isPidAlive(info.pid) : info.pid === duckdbPid);
  let holder: string;
  if (info && infoUsable) {
    const entry = ENTRY_NAMES[info.entry] ?? info.entry;
    const since = info.startedAt ? ` since ${info.startedAt}` : '';
    holder = `${entry} (process ${info.pid} on ${info.host}${since})`;
  } else if (duckdbPid !== null) {
    holder = `process ${duckdbPid}`;
  } else {
    holder = 'another process';
  }
  return new WorkbenchError(
    'WORKSPACE_LOCKED',
    `The workspace ${workspaceDir} is in use by ${holder}. Close it there, or open a different workspace (--workspace DIR).`,
    duckdbMessage,
  );
}
