import { stat } from 'node:fs/promises';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { SettingsInfo, WorkspaceSettings } from '../../../shared/api/settings';
import type { WorkbenchCore } from '../../../shared/api/contract';
import { parseSecretFreeUrl } from '../hot/hot-config';
import type { WorkspacePaths } from '../workspace/paths';
import { HOT_PASSWORD_SECRET, type SecretStore } from '../workspace/secrets';
import { hotUrlOf, lakeDirOf, resolveStores, type ResolvedStores } from '../workspace/stores';
import { readSettingsFile, writeSettingsFile } from '../workspace/settings';
import { testPgConnection } from '../workspace/test-connection';

export interface SettingsServiceDeps {
  /** The workspace's own paths (paths.lake = the default lake, whatever settings say). */
  paths: WorkspacePaths;
  /** What this run resolved when the workspace opened. */
  running: ResolvedStores;
  /** `--pg-url` of this run, if any. */
  pgUrl: string | null;
  secrets: SecretStore | undefined;
  env?: NodeJS.ProcessEnv;
  /** A new background sync interval was saved: apply it now (see mirror/background-sync.ts). */
  onSyncInterval?: (seconds: number) => void;
}

const NO_SECRET_STORE =
  'This workbench cannot keep a password: it runs without the OS keychain (web host or command line), and a password is never written to settings.json. ' +
  'Save the URL without a password and start the workbench with PGPASSWORD set in its environment.';

/** The `settings` service: reads and saves settings.json; saved stores apply at the next start, the sync interval at once. */
export function createSettingsService(deps: SettingsServiceDeps): WorkbenchCore['settings'] {
  const env = deps.env ?? process.env;
  const runningHotUrl = hotUrlOf(deps.running.hot);
  const runningKind = deps.running.hot === 'none' ? 'none' : deps.running.hot.kind;

  const info = async (): Promise<SettingsInfo> => {
    const now = await resolveStores({ paths: deps.paths, pgUrl: deps.pgUrl, secrets: deps.secrets });
    const problems = [now.fileProblem, now.secretProblem].filter((p): p is string => p !== null);
    let passwordStored = false;
    try {
      passwordStored = (await deps.secrets?.get(HOT_PASSWORD_SECRET)) !== undefined;
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
      canStorePassword: deps.secrets !== undefined,
      envPassword: typeof env.PGPASSWORD === 'string' && env.PGPASSWORD.length > 0,
      running: {
        hot: { kind: runningKind, url: runningHotUrl, source: deps.running.hotSource },
        lake: deps.running.lakeDir,
      },
      restartRequired: now.fileProblem === null && (hotDiffers || now.lakeDir !== deps.running.lakeDir),
    };
  };

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
      // The background sync interval has its own setter; saving the stores keeps it.
      const saved = await readSettingsFile(deps.paths.settings).catch(() => null);
      if (saved?.sync) next.sync = saved.sync;
      const lakePath = req.lake?.path?.trim();
      if (lakePath) {
        const dir = lakeDirOf(deps.paths, { hot: next.hot, lake: { path: lakePath } });
        const st = await stat(dir).catch(() => null);
        if (st && !st.isDirectory())
          throw new WorkbenchError('BAD_INPUT', `The lake folder ${dir} is a file, not a folder. Choose a folder.`);
        next.lake = { path: dir };
      }
      // The password first: if it cannot be kept safely, nothing is saved.
      if (password !== undefined && password !== '') {
        if (!deps.secrets) throw new WorkbenchError('BAD_INPUT', NO_SECRET_STORE);
        await deps.secrets.set(HOT_PASSWORD_SECRET, password);
      } else if (password === '' || next.hot.kind === 'embedded') {
        await deps.secrets?.delete(HOT_PASSWORD_SECRET);
      }
      await writeSettingsFile(deps.paths.settings, next);
      return { restartRequired: true as const, settings: await info() };
    },

    setSyncInterval: async (req) => {
      let current: WorkspaceSettings | null;
      try {
        current = await readSettingsFile(deps.paths.settings);
      } catch (err) {
        // Never overwrite a file that could not be read: its hot store and lake would be lost.
        throw new WorkbenchError('BAD_INPUT', `${errorMessage(err)} The sync interval was not saved.`);
      }
      await writeSettingsFile(deps.paths.settings, {
        ...(current ?? { hot: { kind: 'embedded' } }),
        sync: { intervalSeconds: req.intervalSeconds },
      });
      deps.onSyncInterval?.(req.intervalSeconds);
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
  };
}
