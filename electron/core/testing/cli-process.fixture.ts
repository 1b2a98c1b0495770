import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LakeCheckReport } from '../../../shared/api/storage';
import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName } from '../../../shared/sql';
import { openWorkbench, type Workbench } from '../workbench';

/** Test support: the real CLI as a child process, and small demo workspaces. */
export const ROOT = resolve(__dirname, '../../..');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI process under way: its output so far, a wait for a line of output, Ctrl+C, and its end. */
export interface CliProcess {
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches `re` (at most `timeoutMs`; rejects with the output so far). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl+C. */
  interrupt(): void;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

/** `battery-workbench <args>` from source, in a process of its own, handed back while it runs. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  return startScript(join(ROOT, 'electron/cli/index.ts'), args, env);
}

/** A TypeScript script (a CLI, a test's child process) run from source in a process of its own, handed back while it runs. */
export function startScript(script: string, args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (re, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (re.test(stdout)) finish(null);
          else if (child.exitCode !== null || child.signalCode !== null)
            finish(new Error(`The CLI ended before ${String(re)}:\n${stdout}\n${stderr}`));
        };
        const timer = setTimeout(() => finish(new Error(`No ${String(re)} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
        const finish = (err: Error | null): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        waiters.add(check);
        check();
      }),
    interrupt: () => child.kill('SIGINT'),
    kill: (signal) => child.kill(signal),
    done,
  };
}

/**
 * `battery-workbench <args>` from source, in a process of its own (so a `BW_KILL_AT` SIGKILL ends only it).
 * `killAfterMs` SIGKILLs it from outside after that long (random-point fault tests).
 */
export function runCli(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<CliRun> {
  const cli = startCli(args, env);
  const timer = killAfterMs === undefined ? null : setTimeout(() => cli.kill('SIGKILL'), killAfterMs);
  return cli.done.finally(() => {
    if (timer) clearTimeout(timer);
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
    const s = await wb.demo.start({ scale: 'small', daysHot, daysCold }).done;
    if (s.state !== 'done') throw new Error(`demo failed: ${JSON.stringify(s.error)}`);
  } finally {
    await wb.close();
  }
  return ws;
}

/** The unified views of the lake's time series and events: what a user sees of the fleet's history. */
export const UNIFIED_VIEWS = [
  'telemetry',
  'string_telemetry',
  'environmental_telemetry',
  'alert',
  'maintenance_event',
  'rul_prediction',
] as const;

/** A test workbench (no PostgreSQL) on a workspace and one connection, closed after `fn` (the CLI cannot run meanwhile). */
export async function withTestWorkbench<T>(ws: string, fn: (wb: Workbench, conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    const conn = await wb.engine.connect();
    try {
      return await fn(wb, conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    await wb.close();
  }
}

/** Count and content hash of every unified view. */
export async function unifiedViewDigests(conn: DuckDBConnection): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of UNIFIED_VIEWS) {
    const r = await conn.runAndReadAll(
      `SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR AS d FROM ${qualifiedName('main', v)} t`,
    );
    out[v] = String(r.getRowObjectsJS()[0].d);
  }
  return out;
}
