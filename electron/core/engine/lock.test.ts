import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../shared/api/errors';
import { runCli } from '../testing/cli-process.fixture';
import { workspacePaths } from '../workspace/paths';
import { openWorkbench } from '../workbench';

const FIXTURE = join(import.meta.dirname, 'lock-holder.fixture.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startHolder(workspaceDir: string): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, workspaceDir], {
    cwd: process.cwd(),
    // The holder only needs DuckDB: no embedded PostgreSQL, no demo seeding.
    env: { ...process.env, BATTERY_WORKBENCH_HOT: 'off' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, pid: (JSON.parse(line) as { pid: number }).pid });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${err}`)));
  });
}

function stopHolder(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.stdin?.end();
  });
}

describe('workspace lock', () => {
  it('refuses a second process with WORKSPACE_LOCKED naming the holder, then opens once it is gone', async () => {
    const ws = join(dir, 'shared');
    const { child, pid } = await startHolder(ws);
    try {
      const info = JSON.parse(await readFile(workspacePaths(ws).lock, 'utf8')) as { pid: number; entry: string };
      expect(info).toMatchObject({ pid, entry: 'web', host: hostname() });
      const err = await openWorkbench({ workspaceDir: ws, entry: 'test' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkbenchError);
      const we = err as WorkbenchError;
      expect(we.code).toBe('WORKSPACE_LOCKED');
      expect(we.message).toContain('the web host');
      expect(we.message).toContain(`process ${pid}`);
      expect(we.message).toContain(ws);
      expect(we.detail).toMatch(/lock/i);
    } finally {
      await stopHolder(child);
    }
    // The holder closed cleanly: its lock info is gone and the workspace opens.
    expect(existsSync(workspacePaths(ws).lock)).toBe(false);
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    await wb.close();
  });

  it('is not blocked by stale lock info of a dead process', async () => {
    const ws = join(dir, 'stale');
    const paths = workspacePaths(ws);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const first = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    await first.close();
    await writeFile(
      paths.lock,
      JSON.stringify({ pid: deadPid, host: hostname(), entry: 'desktop', startedAt: '2020-01-01T00:00:00.000Z', appVersion: 'old' }),
    );
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'cli' });
    try {
      const info = JSON.parse(await readFile(paths.lock, 'utf8')) as { pid: number; entry: string };
      expect(info.pid).toBe(process.pid);
      expect(info.entry).toBe('cli');
    } finally {
      await wb.close();
    }
  });

  it('releases the workspace on close after a result window was read, so another process can open it', async () => {
    const ws = join(dir, 'after-window');
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { hot: 'none' } });
    const run = await wb.dispatch(
      'query.run',
      { sql: 'SELECT range AS n FROM range(5000)', target: 'workspace', runId: 'w1' },
      { transport: 'test' },
    );
    if (!run.ok) throw new Error(run.error.message);
    const resultId = (run.value as { resultId: string }).resultId;
    const window = await wb.dispatch('query.window', { resultId, offset: 10, limit: 100 }, { transport: 'test' });
    expect(window.ok).toBe(true);
    await wb.close();
    const cli = await runCli(['query', '--workspace', ws, '--json', 'SELECT 1 AS n'], { BATTERY_WORKBENCH_HOT: 'off' });
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toEqual([{ n: 1 }]);
  });

  it('refuses to open the same workspace twice in one process', async () => {
    const ws = join(dir, 'twice');
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      await expect(openWorkbench({ workspaceDir: ws, entry: 'test' })).rejects.toMatchObject({ code: 'WORKSPACE_LOCKED' });
    } finally {
      await wb.close();
    }
    const again = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    await again.close();
  });
});
