import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport } from '../../../shared/api/storage';
import { openWorkbench } from '../workbench';

/** Test support: the real CLI as a child process, and small demo workspaces. */
export const ROOT = resolve(__dirname, '../../..');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `battery-workbench <args>` from source, in a process of its own (so a `BW_KILL_AT` SIGKILL ends only it).
 * `killAfterMs` SIGKILLs it from outside after that long (random-point fault tests).
 */
export function runCli(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/index.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** `lake check --json` of a workspace. */
export async function lakeCheck(ws: string, extra: string[] = []): Promise<LakeCheckReport & { exitCode: number | null; stderr: string }> {
  const r = await runCli(['lake', 'check', '--json', '--workspace', ws, ...extra]);
  if (r.stdout.trim() === '') throw new Error(`lake check printed nothing (exit ${String(r.code)}): ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as LakeCheckReport), exitCode: r.code, stderr: r.stderr };
}

/** A small demo fleet in a new workspace: `daysHot` days in PostgreSQL, `daysCold` in the lake. */
export async function demoWorkspace(made: string[], daysHot = 4, daysCold = 1): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-ws-'));
  made.push(ws);
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    const s = (await wb.data.startDemo({ scale: 'small', daysHot, daysCold }).done) as JobSummary;
    if (s.state !== 'done') throw new Error(`demo failed: ${JSON.stringify(s.error)}`);
  } finally {
    await wb.close();
  }
  return ws;
}
