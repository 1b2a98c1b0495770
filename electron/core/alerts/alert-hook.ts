import { spawn } from 'node:child_process';
import type { AlertHook } from './alert-store';

/**
 * Runs the hook once with `payload` as JSON on stdin (no shell: argv[0] is the program). Resolves null when it
 * exited 0, else a line saying what went wrong (exit code, signal, timeout, not found, its stderr's end).
 */
export function runHook(hook: AlertHook, payload: unknown): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    const done = (problem: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(problem);
    };
    const child = spawn(hook.argv[0], hook.argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], shell: false });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(`${hook.argv[0]} did not finish within ${hook.timeoutMs} ms and was stopped`);
    }, hook.timeoutMs);
    child.on('error', (err) => done(`${hook.argv[0]} could not be run: ${err.message}`));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-400);
    });
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (code === 0) return done(null);
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      done(`${hook.argv[0]} ${how}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`);
    });
    child.stdin.end(`${JSON.stringify(payload)}\n`);
  });
}
