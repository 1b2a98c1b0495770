import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './web-host-process';

/**
 * The Electron binary's path if it is on disk, else null. This reads node_modules/electron's
 * path.txt directly: `require('electron')` would try to download the binary (offline here).
 */
export function electronBinary(): string | null {
  const pkg = join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}
