import { join, resolve } from 'node:path';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { LakeSettings, S3LakeSettings, WorkspaceSettings } from '../../../shared/api/settings';
import { parseExternalUrl, redactedUrl, type HotConfig } from '../hot/hot-config';
import { parseS3Url, type LakeLocation } from '../lake/open-lake';
import type { WorkspacePaths } from './paths';
import { HOT_PASSWORD_SECRET, readS3Keys, type SecretStore } from './secrets';
import { DEFAULT_SETTINGS, readSettingsFile } from './settings';

export type HotSource = 'flag' | 'settings' | 'default' | 'off';
export type LakeSource = 'flag' | 'settings' | 'default';

/** Where this run's stores are, and why. */
export interface ResolvedStores {
  hot: HotConfig | 'none';
  hotSource: HotSource;
  /** The lake: a folder, or an S3 bucket read through a local cache. */
  lake: LakeLocation;
  lakeSource: LakeSource;
  /** The lake folder (absolute); for an S3 lake, its local cache folder. */
  lakeDir: string;
  /** The file's settings (the defaults when missing or broken). */
  settings: WorkspaceSettings;
  /** The settings file could not be used (the message names it); the hot store is off for this run. */
  fileProblem: string | null;
  /** A stored password or S3 key could not be read (they then come from PGPASSWORD / the AWS chain). */
  secretProblem: string | null;
}

export interface ResolveStoresInput {
  paths: WorkspacePaths;
  /** `--pg-url` (CLI, web host): wins over settings; its password from the URL or PGPASSWORD. */
  pgUrl?: string | null;
  /**
   * `--lake <folder | s3://bucket/prefix>` (CLI, web host): wins over settings for one run. A folder is taken from
   * `cwd`; an S3 URL takes its region, endpoint and cache size from the settings' S3 lake when there is one.
   */
  lakeFlag?: string | null;
  /** Where a relative `--lake` folder is taken from; default process.cwd(). */
  cwd?: string;
  secrets?: SecretStore | undefined;
  /** A caller's explicit choice (tests, `BATTERY_WORKBENCH_HOT=off`): wins over everything. */
  explicitHot?: HotConfig | 'none' | undefined;
}

/** An S3 lake's local cache (what DuckDB reads): `<workspace>/lake-cache`. */
export function lakeCacheDirOf(paths: WorkspacePaths): string {
  return join(paths.root, 'lake-cache');
}

/** A lake folder from settings: relative paths are taken from the workspace folder; none = `<workspace>/lake`. */
export function localLakeDirOf(paths: WorkspacePaths, path: string | undefined): string {
  return path ? resolve(paths.root, path) : paths.lake;
}

/** The lake settings name. */
export function lakeLocationOf(paths: WorkspacePaths, lake: LakeSettings | undefined): LakeLocation {
  if (lake?.kind === 's3') return { kind: 's3', settings: lake, cacheDir: lakeCacheDirOf(paths) };
  const archive = lake?.archivePath ? resolve(paths.root, lake.archivePath) : undefined;
  return { kind: 'local', path: localLakeDirOf(paths, lake?.path), ...(archive ? { archivePath: archive } : {}) };
}

/** The folder a lake location is read from: the lake folder, or an S3 lake's cache. */
export function lakeDirOf(lake: LakeLocation): string {
  return lake.kind === 'local' ? lake.path : lake.cacheDir;
}

/** What a lake location is shown as: its folder, or its `s3://` URL. */
export function lakeLabelOf(lake: LakeLocation): string {
  return lake.kind === 'local' ? lake.path : lake.settings.url;
}

/** Whether two lake locations are the same lake read the same way (else a restart applies the change). */
export function sameLake(a: LakeLocation, b: LakeLocation): boolean {
  const key = (l: LakeLocation): string =>
    JSON.stringify(l.kind === 'local' ? [l.path, l.archivePath ?? null] : [l.settings, l.cacheDir, l.keys ?? null]);
  return key(a) === key(b);
}

/** The `--lake` option's help (CLI commands, web host), its description starting at `column`. */
export function lakeFlagHelp(column: number): string {
  const pad = ' '.repeat(column);
  return [
    `  ${'--lake DIR|S3URL'.padEnd(column - 2)}The lake for this run, over the workspace settings: a folder, or`,
    `${pad}s3://bucket/prefix (region, endpoint and cache size from the settings' S3 lake,`,
    `${pad}else $AWS_REGION and $AWS_ENDPOINT_URL_S3; keys from the AWS chain). Never stored.`,
  ].join('\n');
}

/**
 * `--lake`: a folder (relative to `cwd`) or `s3://bucket/prefix`, whose region, endpoint and cache size come from
 * the settings' S3 lake when it has one, else from the environment (AWS_REGION, AWS_ENDPOINT_URL_S3).
 */
export function lakeFromFlag(flag: string, paths: WorkspacePaths, saved: LakeSettings | undefined, cwd: string): LakeLocation {
  const text = flag.trim();
  if (text === '') throw new WorkbenchError('BAD_INPUT', '--lake needs a folder or an s3://bucket/prefix URL.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !/^s3:\/\//i.test(text)) {
    throw new WorkbenchError('BAD_INPUT', `--lake takes a folder or an s3://bucket/prefix URL, not ${JSON.stringify(text.slice(0, 200))}.`);
  }
  if (!/^s3:\/\//i.test(text)) {
    // The settings' own lake folder keeps its archive folder (the views read both); another folder has none.
    const savedLocal = saved?.kind === 's3' ? undefined : saved;
    const local = lakeLocationOf(paths, savedLocal);
    return local.kind === 'local' && local.path === resolve(cwd, text) ? local : { kind: 'local', path: resolve(cwd, text) };
  }
  parseS3Url(text);
  const settings: S3LakeSettings = { kind: 's3', url: text };
  if (saved?.kind === 's3') {
    if (saved.region !== undefined) settings.region = saved.region;
    if (saved.endpoint !== undefined) settings.endpoint = saved.endpoint;
    if (saved.cache !== undefined) settings.cache = saved.cache;
  }
  return { kind: 's3', settings, cacheDir: lakeCacheDirOf(paths) };
}

/** The URL a hot config points at, without a password; null for embedded or none. */
export function hotUrlOf(hot: HotConfig | 'none'): string | null {
  return hot !== 'none' && hot.kind === 'external' ? redactedUrl(hot.url) : null;
}

/**
 * The hot store: a caller's explicit config > `--pg-url` > settings.json (password from the secret store,
 * else PGPASSWORD) > embedded. The lake: `--lake` > settings.json > `<workspace>/lake`. A broken settings file never
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
  const lake = input.lakeFlag
    ? lakeFromFlag(input.lakeFlag, input.paths, settings.lake, input.cwd ?? process.cwd())
    : lakeLocationOf(input.paths, settings.lake);
  const lakeSource: LakeSource = input.lakeFlag ? 'flag' : settings.lake ? 'settings' : 'default';
  let lakeSecretProblem: string | null = null;
  if (lake.kind === 's3') {
    try {
      const keys = await readS3Keys(input.secrets, lake.settings);
      if (keys) lake.keys = keys;
    } catch (err) {
      lakeSecretProblem = errorMessage(err);
    }
  }
  const base = { lake, lakeSource, lakeDir: lakeDirOf(lake), settings, fileProblem, secretProblem: lakeSecretProblem };

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
    let secretProblem = lakeSecretProblem;
    try {
      password = await input.secrets?.get(HOT_PASSWORD_SECRET);
    } catch (err) {
      secretProblem = [secretProblem, errorMessage(err)].filter((p) => p !== null).join(' ');
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
