import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import type { S3LakeSettings, SettingsInfo, SettingsLakeRequest, WorkspaceSettings } from '../../../shared/api/settings';
import type { WorkbenchCore } from '../../../shared/api/contract';
import { parseSecretFreeUrl } from '../hot/hot-config';
import { checkArchiveFolder, parseEndpoint, parseS3Url, testS3Lake, type S3Keys } from '../lake/open-lake';
import type { WorkspacePaths } from '../workspace/paths';
import { HOT_PASSWORD_SECRET, LAKE_S3_KEYS_SECRET, readS3Keys, writeS3Keys, type SecretStore } from '../workspace/secrets';
import { hotUrlOf, lakeLabelOf, localLakeDirOf, resolveStores, sameLake, type ResolvedStores } from '../workspace/stores';
import { patchSettings, readSettingsFile, writeSettingsFile } from '../workspace/settings';
import { testPgConnection } from '../workspace/test-connection';

export interface SettingsServiceDeps {
  /** The workspace's own paths (paths.lake = the default lake, whatever settings say). */
  paths: WorkspacePaths;
  /** What this run resolved when the workspace opened. */
  running: ResolvedStores;
  /** `--pg-url` of this run, if any. */
  pgUrl: string | null;
  /** `--lake` of this run, if any. */
  lakeFlag?: string | null;
  secrets: SecretStore | undefined;
  env?: NodeJS.ProcessEnv;
  /** A new background sync interval was saved: apply it now (see mirror/background-sync.ts). */
  onSyncInterval?: (seconds: number) => void;
  /** The live demo feed was switched on or off (or its speed changed): apply it now (see demo/live-feed-switch.ts). */
  onLiveFeed?: (liveFeed: { enabled: boolean; speed: number }) => void;
}

const NO_SECRET_STORE =
  'This workbench cannot keep a password: it runs without the OS keychain (web host or command line), and a password is never written to settings.json. ' +
  'Save the URL without a password and start the workbench with PGPASSWORD set in its environment.';

const NO_KEY_STORE =
  'This workbench cannot keep an S3 key: it runs without the OS keychain (web host or command line), and a key is never written to settings.json. ' +
  'Save the lake without a key and start the workbench with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE set (or keys in ~/.aws/credentials).';

type S3LakeRequest = Extract<SettingsLakeRequest, { kind: 's3' }>;

/** An S3 lake as the form sent it, checked and trimmed: '' fields are unset; the URL and endpoint are validated. */
function s3LakeOf(req: Omit<S3LakeRequest, 'cache'> & Partial<Pick<S3LakeRequest, 'cache'>>): S3LakeSettings {
  const url = req.url.trim();
  parseS3Url(url);
  const lake: S3LakeSettings = { kind: 's3', url };
  if (req.region) lake.region = req.region;
  if (req.endpoint) lake.endpoint = parseEndpoint(req.endpoint);
  if (req.cache?.maxBytes !== undefined) lake.cache = { maxBytes: req.cache.maxBytes };
  return lake;
}

/** The key pair the form sent: undefined = keep the stored one, null = remove it; one field without the other is refused. */
function keysOf(req: { accessKeyId?: string | undefined; secretAccessKey?: string | undefined }): S3Keys | null | undefined {
  const id = req.accessKeyId?.trim();
  const secret = req.secretAccessKey;
  if (id === undefined && secret === undefined) return undefined;
  if (!id && !secret) return null;
  if (!id || !secret) throw new WorkbenchError('BAD_INPUT', 'An S3 key needs both the access key id and the secret access key.');
  return { accessKeyId: id, secretAccessKey: secret };
}

/** The `settings` service: reads and saves settings.json; saved stores apply at the next start, the sync interval at once. */
export function createSettingsService(deps: SettingsServiceDeps): WorkbenchCore['settings'] {
  const env = deps.env ?? process.env;
  const runningHotUrl = hotUrlOf(deps.running.hot);
  const runningKind = deps.running.hot === 'none' ? 'none' : deps.running.hot.kind;

  const info = async (): Promise<SettingsInfo> => {
    const now = await resolveStores({ paths: deps.paths, pgUrl: deps.pgUrl, lakeFlag: deps.lakeFlag, secrets: deps.secrets });
    const problems = [now.fileProblem, now.secretProblem].filter((p): p is string => p !== null);
    let passwordStored = false;
    let lakeKeysStored = false;
    try {
      passwordStored = (await deps.secrets?.get(HOT_PASSWORD_SECRET)) !== undefined;
      lakeKeysStored = (await deps.secrets?.get(LAKE_S3_KEYS_SECRET)) !== undefined;
    } catch {
      // Reported as secretProblem above.
    }
    const wouldUseUrl = hotUrlOf(now.hot);
    const wouldUseKind = now.hot === 'none' ? 'none' : now.hot.kind;
    const hotDiffers = deps.running.hotSource !== 'off' && (wouldUseKind !== runningKind || wouldUseUrl !== runningHotUrl);
    return {
      file: deps.paths.settings,
      settings: now.settings,
      problem: problems.length > 0 ? problems.join(' ') : null,
      passwordStored,
      lakeKeysStored,
      canStorePassword: deps.secrets !== undefined,
      envPassword: typeof env.PGPASSWORD === 'string' && env.PGPASSWORD.length > 0,
      running: {
        hot: { kind: runningKind, url: runningHotUrl, source: deps.running.hotSource },
        lake: lakeLabelOf(deps.running.lake),
        lakeSource: deps.running.lakeSource,
      },
      restartRequired: now.fileProblem === null && (hotDiffers || !sameLake(now.lake, deps.running.lake)),
    };
  };

  const patchSettingsFile = (patch: Partial<WorkspaceSettings>, what: string): Promise<void> =>
    patchSettings(deps.paths.settings, patch, what);

  return {
    get: () => info(),

    set: async (req) => {
      const next: WorkspaceSettings = { hot: { kind: 'embedded' } };
      let password: string | undefined;
      if (req.hot.kind === 'external') {
        // A secret in the URL is refused, never moved: the password comes only through its own field.
        const parsed = parseSecretFreeUrl(req.hot.url);
        if (!parsed.hostname)
          throw new WorkbenchError('BAD_INPUT', 'The PostgreSQL URL names no host.', 'Use the form postgres://user@host:5432/database');
        next.hot = { kind: 'external', url: parsed.toString() };
        password = req.hot.password;
      }
      // The background sync interval and the live feed have their own setters; saving the stores keeps them.
      const saved = await readSettingsFile(deps.paths.settings).catch(() => null);
      if (saved?.sync) next.sync = saved.sync;
      if (saved?.liveFeed) next.liveFeed = saved.liveFeed;
      if (saved?.lifecycle) next.lifecycle = saved.lifecycle;
      let keys: S3Keys | null | undefined = null;
      if (req.lake?.kind === 's3') {
        next.lake = s3LakeOf(req.lake);
        keys = keysOf(req.lake);
      } else if (req.lake?.path || req.lake?.archivePath) {
        const dir = localLakeDirOf(deps.paths, req.lake.path);
        const archive = req.lake.archivePath ? resolve(deps.paths.root, req.lake.archivePath) : undefined;
        for (const [what, d] of [
          ['lake', dir],
          ['archive', archive],
        ] as const) {
          const st = d === undefined ? null : await stat(d).catch(() => null);
          if (st && !st.isDirectory())
            throw new WorkbenchError('BAD_INPUT', `The ${what} folder ${d} is a file, not a folder. Choose a folder.`);
        }
        if (archive !== undefined) checkArchiveFolder(dir, archive);
        next.lake = { ...(req.lake.path ? { path: dir } : {}), ...(archive ? { archivePath: archive } : {}) };
      }
      // The secrets first: if they cannot be kept safely, nothing is saved.
      if (password !== undefined && password !== '' && !deps.secrets) throw new WorkbenchError('BAD_INPUT', NO_SECRET_STORE);
      if (keys && !deps.secrets) throw new WorkbenchError('BAD_INPUT', NO_KEY_STORE);
      if (password !== undefined && password !== '') {
        await deps.secrets?.set(HOT_PASSWORD_SECRET, password);
      } else if (password === '' || next.hot.kind === 'embedded') {
        await deps.secrets?.delete(HOT_PASSWORD_SECRET);
      }
      if (keys && deps.secrets && next.lake?.kind === 's3') await writeS3Keys(deps.secrets, keys, next.lake);
      // No S3 lake, or the key removed: the stored key goes.
      else if (keys === null) await deps.secrets?.delete(LAKE_S3_KEYS_SECRET);
      await writeSettingsFile(deps.paths.settings, next);
      return { restartRequired: true as const, settings: await info() };
    },

    setSyncInterval: async (req) => {
      await patchSettingsFile({ sync: { intervalSeconds: req.intervalSeconds } }, 'The sync interval');
      deps.onSyncInterval?.(req.intervalSeconds);
      return info();
    },

    setLiveFeed: async (req) => {
      const liveFeed = { enabled: req.enabled, speed: req.speed };
      await patchSettingsFile({ liveFeed }, 'The live feed setting');
      deps.onLiveFeed?.(liveFeed);
      return info();
    },

    testConnection: async (req) => {
      // The same rule as set(): what can be tested is what can be saved.
      const url = parseSecretFreeUrl(req.url).toString();
      let password = req.password;
      if (password === undefined || password === '') {
        // The stored password goes only to the server it was saved for, never to another URL.
        const saved = (await resolveStores({ paths: deps.paths, secrets: undefined })).settings.hot;
        if (saved.kind === 'external' && saved.url === url) password = await deps.secrets?.get(HOT_PASSWORD_SECRET).catch(() => undefined);
      }
      return testPgConnection(url, password, env);
    },

    testLakeConnection: async (req) => {
      const lake = s3LakeOf(req);
      let keys = keysOf(req) ?? undefined;
      // The stored key goes only to the lake it was saved for (same bucket, prefix and endpoint), never elsewhere.
      if (keys === undefined) keys = await readS3Keys(deps.secrets, lake).catch(() => undefined);
      // The AWS SDK loads on first use: a workspace on a folder lake never pays for it.
      return testS3Lake(lake, env, keys);
    },
  };
}
