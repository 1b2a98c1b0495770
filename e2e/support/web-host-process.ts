import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BUILT_WEB_HOST = join(REPO_ROOT, 'out', 'main', 'web.js');
export const BUILT_RENDERER = join(REPO_ROOT, 'out', 'renderer', 'index.html');
const READY = /^Workbench ready at (http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]+))$/;

export interface RunningWebHost {
  /** The link as printed: http://127.0.0.1:<port>/#token=<token> (the page moves the token out of the address bar). */
  url: string;
  /** The printed link opening a view: `link('settings')` is `<url>#/settings`; the page keeps the token and shows #/settings. */
  link(route: string): string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  token: string;
  workspace: string;
  /** Everything the host wrote to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

export function assertBuilt(): void {
  for (const f of [BUILT_WEB_HOST, BUILT_RENDERER]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build first with \`npm run build\` (npm run test:e2e does it for you).`);
  }
}

/**
 * Starts `node out/main/web.js --port 0 --workspace <dir>` as a child process and resolves
 * once it prints its ready line. Without `workspace`, a fresh temp workspace is made and
 * removed again on stop().
 */
export async function startWebHostProcess(
  options: {
    workspace?: string;
    timeoutMs?: number;
    /** The script that starts it (default the built web host; `bin/start.js` is `npm start`) and its extra arguments. */
    entry?: string[];
    env?: Record<string, string>;
  } = {},
): Promise<RunningWebHost> {
  assertBuilt();
  const ownWorkspace = options.workspace === undefined;
  const workspace = options.workspace ?? (await mkdtemp(join(tmpdir(), 'bw-e2e-')));
  const child: ChildProcess = spawn(process.execPath, [...(options.entry ?? [BUILT_WEB_HOST]), '--port', '0', '--workspace', workspace], {
    cwd: REPO_ROOT,
    env: { ...process.env, BATTERY_WORKBENCH_WORKSPACE: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownWorkspace) await rm(workspace, { recursive: true, force: true, maxRetries: 3 });
  };

  const timeoutMs = options.timeoutMs ?? 180_000;
  try {
    const match = await new Promise<RegExpExecArray>((resolveReady, rejectReady) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(
        () => rejectReady(new Error(`The web host did not get ready within ${timeoutMs} ms.\n${stderr}`)),
        timeoutMs,
      );
      lines.on('line', (line) => {
        const m = READY.exec(line.trim());
        if (m) {
          clearTimeout(timer);
          resolveReady(m);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        rejectReady(new Error(`The web host exited (code ${code}) before it was ready.\n${stderr}`));
      });
    });
    const port = Number(match[2]);
    return {
      url: match[1],
      link: (route) => `${match[1]}#/${route}`,
      origin: `http://127.0.0.1:${port}`,
      port,
      token: match[3],
      workspace,
      stderr: () => stderr,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
