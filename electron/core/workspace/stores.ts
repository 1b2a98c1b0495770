import { resolve } from 'node:path';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { WorkspaceSettings } from '../../../shared/api/settings';
import { parseExternalUrl, redactedUrl, type HotConfig } from '../hot/hot-config';
import type { WorkspacePaths } from './paths';
import { HOT_PASSWORD_SECRET, type SecretStore } from './secrets';
import { DEFAULT_SETTINGS, readSettingsFile } from './settings';

export type HotSource = 'flag' | 'settings' | 'default' | 'off';

/** Where this run's stores are, and why. */
export interface ResolvedStores {
  hot: HotConfig | 'none';
  hotSource: HotSource;
  /** The lake folder (absolute). */
  lakeDir: string;
  /** The file's settings (the defaults when missing or broken). */
  settings: WorkspaceSettings;
  /** The settings file could not be used (the message names it); the hot store is off for this run. */
  fileProblem: string | null;
  /** The stored password could not be read (it then comes from PGPASSWORD, if set). */
  secretProblem: string | null;
}

export interface ResolveStoresInput {
  paths: WorkspacePaths;
  /** `--pg-url` (CLI, web host): wins over settings; its password from the URL or PGPASSWORD. */
  pgUrl?: string | null;
  secrets?: SecretStore | undefined;
  /** A caller's explicit choice (tests, `BATTERY_WORKBENCH_HOT=off`): wins over everything. */
  explicitHot?: HotConfig | 'none' | undefined;
}

/** A lake path from settings: relative paths are taken from the workspace folder. */
export function lakeDirOf(paths: WorkspacePaths, settings: WorkspaceSettings): string {
  const p = settings.lake?.kind === 's3' ? undefined : settings.lake?.path;
  return p ? resolve(paths.root, p) : paths.lake;
}

/** The URL a hot config points at, without a password; null for embedded or none. */
export function hotUrlOf(hot: HotConfig | 'none'): string | null {
  return hot !== 'none' && hot.kind === 'external' ? redactedUrl(hot.url) : null;
}

/**
 * The hot store: a caller's explicit config > `--pg-url` > settings.json (password from the secret store,
 * else PGPASSWORD) > embedded. The lake: settings.json > `<workspace>/lake`. A broken settings file never
 * throws here: it is reported as `fileProblem`, and the hot store stays off rather than guessing.
 */
export async function resolveStores(input: ResolveStoresInput): Promise<ResolvedStores> {
  let settings = DEFAULT_SETTINGS;
  let fileProblem: string | null = null;
  let fromFile = false;
  try {
    const read = await readSettingsFile(input.paths.settings);
    if (read) {
      settings = read;
      fromFile = true;
    }
  } catch (err) {
    fileProblem = errorMessage(err);
  }
  const base = { lakeDir: lakeDirOf(input.paths, settings), settings, fileProblem, secretProblem: null };

  if (input.explicitHot !== undefined) {
    return { ...base, hot: input.explicitHot, hotSource: input.explicitHot === 'none' ? 'off' : 'flag' };
  }
  if (input.pgUrl) {
    parseExternalUrl(input.pgUrl);
    return { ...base, hot: { kind: 'external', url: input.pgUrl }, hotSource: 'flag' };
  }
  if (fileProblem !== null) return { ...base, hot: 'none', hotSource: 'off' };
  if (settings.hot.kind === 'external') {
    let password: string | undefined;
    let secretProblem: string | null = null;
    try {
      password = await input.secrets?.get(HOT_PASSWORD_SECRET);
    } catch (err) {
      secretProblem = errorMessage(err);
    }
    const hot: HotConfig =
      password === undefined ? { kind: 'external', url: settings.hot.url } : { kind: 'external', url: settings.hot.url, password };
    return { ...base, secretProblem, hot, hotSource: 'settings' };
  }
  return { ...base, hot: { kind: 'embedded' }, hotSource: fromFile ? 'settings' : 'default' };
}

/** For entry points that must not run on a guess (the CLI): the file problem as an error. */
export function assertSettingsUsable(stores: ResolvedStores): void {
  if (stores.fileProblem !== null) throw new WorkbenchError('BAD_INPUT', stores.fileProblem);
}
