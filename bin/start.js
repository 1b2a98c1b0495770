#!/usr/bin/env node
// `npm start`: builds, then opens the desktop app. Where Electron cannot run (no binary and none can be fetched, or
// no display), it says so in one line and starts the web host instead, printing its link. `npm start -- --web`
// starts the web host without trying Electron. Other arguments go to the app or the web host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const rest = args.filter((a) => a !== '--web');

/** The gist of a failed fetch of the Electron binary, in one line: why the download failed, and Electron's own error. */
function gist(text) {
  const lines = String(text)
    .split('\n')
    .map((l) => l.trim());
  const errors = lines.filter((l) => /^[A-Za-z]*Error: /.test(l)).map((l) => l.replace(/^[A-Za-z]*Error: /, ''));
  const why = errors.find((l) => !/Electron failed to install/.test(l));
  return (why ? `the Electron binary could not be fetched: ${why}` : (errors[0] ?? lines.find((l) => l !== '') ?? 'unknown reason')).slice(
    0,
    300,
  );
}

/**
 * The Electron binary to run, or why Electron cannot run here: the binary is resolved (and fetched on first use, as
 * Electron does) in a child process, so a failed fetch's output does not reach the user.
 */
function electron() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { problem: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (probe.error) return { problem: `its binary could not be resolved: ${probe.error.message}` };
  if (probe.status !== 0) return { problem: gist(probe.stderr || probe.stdout) };
  const binary = probe.stdout.trim();
  return existsSync(binary) ? { binary } : { problem: `its binary ${binary} is missing` };
}

function run(command, argv) {
  const child = spawn(command, argv, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.env.BW_START_SKIP_BUILD !== '1') {
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const found = forceWeb ? {} : electron();
if (found.binary) {
  run(found.binary, ['.', ...rest]);
} else {
  if (found.problem) process.stderr.write(`Electron cannot run here (${found.problem}); starting the web host instead.\n`);
  run(process.execPath, [join(root, 'out', 'main', 'web.js'), ...rest]);
}
