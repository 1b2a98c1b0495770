import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../system/pid';
import { isDuckDBLockError, readLockInfo, removeOwnLockInfo, workspaceLockedError, writeLockInfo } from './lock-info';

const DUCKDB_MESSAGE =
  'IO Error: Could not set lock on file "/w/workspace.duckdb": Conflicting lock is held in /usr/bin/node (PID 4242). See also https://duckdb.org/docs/stable/connect/concurrency';

describe('lock info', () => {
  it('recognises DuckDB lock errors', () => {
    expect(isDuckDBLockError(DUCKDB_MESSAGE)).toBe(true);
    expect(isDuckDBLockError('IO Error: No space left on device')).toBe(false);
  });

  it('names the holder from matching lock info', () => {
    const err = workspaceLockedError('/w', DUCKDB_MESSAGE, {
      pid: 4242,
      host: hostname(),
      entry: 'desktop',
      startedAt: '2024-05-01T10:00:00.000Z',
      appVersion: '1.0.0',
    });
    expect(err.code).toBe('WORKSPACE_LOCKED');
    expect(err.message).toBe(
      `The workspace /w is in use by the desktop app (process 4242 on ${hostname()} since 2024-05-01T10:00:00.000Z). Close it there, or open a different workspace (--workspace DIR).`,
    );
    expect(err.detail).toBe(DUCKDB_MESSAGE);
  });

  it("falls back to DuckDB's PID when the lock info belongs to another (stale) process", () => {
    const err = workspaceLockedError('/w', DUCKDB_MESSAGE, {
      pid: 1111,
      host: hostname(),
      entry: 'web',
      startedAt: '',
      appVersion: '',
    });
    expect(err.message).toContain('in use by process 4242.');
    expect(err.message).not.toContain('web host');
    expect(workspaceLockedError('/w', 'Could not set lock on file', null).message).toContain('another process');
  });

  it('writes, reads and removes only its own lock info', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bw-lockinfo-'));
    try {
      const path = join(dir, 'workspace.lock');
      const written = await writeLockInfo(path, 'cli', '2.0.0');
      expect(await readLockInfo(path)).toEqual(written);
      await removeOwnLockInfo(path);
      expect(await readLockInfo(path)).toBeNull();
      await writeFile(path, JSON.stringify({ ...written, pid: written.pid + 1 }));
      await removeOwnLockInfo(path);
      expect((await readLockInfo(path))?.pid).toBe(written.pid + 1);
      await writeFile(path, 'not json');
      expect(await readLockInfo(path)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tells live from dead pids', () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(0)).toBe(false);
    expect(isPidAlive(2 ** 22 + 12345)).toBe(false);
  });
});
