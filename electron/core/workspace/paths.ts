import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'battery-workbench';

/**
 * The per-user app data folder, the same one Electron's app.getPath('userData') gives for
 * this app, so desktop, web host and CLI share one workspace by default.
 * BATTERY_WORKBENCH_WORKSPACE overrides it (as `--workspace DIR` does).
 */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BATTERY_WORKBENCH_WORKSPACE) return resolve(env.BATTERY_WORKBENCH_WORKSPACE);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

export interface WorkspacePaths {
  root: string;
  duckdb: string;
  lake: string;
  pgData: string;
  settings: string;
  lock: string;
  tmp: string;
  /** Files dropped into the browser, uploaded for conversion. */
  uploads: string;
  /** Default folder for exports (the web host serves it at /download/). */
  exports: string;
}

export function workspacePaths(root: string): WorkspacePaths {
  const r = resolve(root);
  return {
    root: r,
    duckdb: join(r, 'workspace.duckdb'),
    lake: join(r, 'lake'),
    pgData: join(r, 'pg'),
    settings: join(r, 'settings.json'),
    lock: join(r, 'workspace.lock'),
    tmp: join(r, 'tmp'),
    uploads: join(r, 'uploads'),
    exports: join(r, 'exports'),
  };
}
