import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../e2e/support/web-host-process';

/** Builds the web host and renderer (`electron-vite build`) unless BENCH_SKIP_BUILD=1 says the build is current. */
export function buildWebHost(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('electron-vite build failed; see the output above.');
}
