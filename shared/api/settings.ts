import { z } from 'zod';
import { method } from './define';
import type { LifecyclePolicy } from './lifecycle';

/** What `settings.json` holds. A password is never part of it (see SettingsInfo.passwordStored). */
export interface WorkspaceSettings {
  hot: { kind: 'embedded' } | { kind: 'external'; url: string };
  /** The lake: a folder elsewhere than `<workspace>/lake`, or an S3 bucket; unset = `<workspace>/lake`. */
  lake?: LakeSettings;
  /** Background sync of the mirror (desktop app, web host): every `intervalSeconds`, 0 = off; unset = DEFAULT_SYNC_INTERVAL_SECONDS. */
  sync?: { intervalSeconds: number };
  /** The live demo feed (desktop app, web host): off unless `enabled`; `speed` x as often as the demo's readings (1 = every 5 minutes). */
  liveFeed?: { enabled: boolean; speed: number };
  /** Lifecycle policies per lake dataset (the Lifecycle view and `lifecycle policy` edit them). */
  lifecycle?: Record<string, LifecyclePolicy>;
}

/** A lake folder (relative paths from the workspace folder); no path = `<workspace>/lake`. */
export interface LocalLakeSettings {
  kind?: 'local';
  path?: string;
  /** The colder tier: a second folder (another disk, a NAS) lifecycle moves take old files to; the views still read it. */
  archivePath?: string;
}

/**
 * An S3 (or MinIO, Ceph, R2) lake. Credentials never live here: they come from the AWS chain
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws) or the desktop app's keychain.
 */
export interface S3LakeSettings {
  kind: 's3';
  /** `s3://bucket/prefix`. */
  url: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** `http(s)://host:port` for S3-compatible stores; default: AWS_ENDPOINT_URL_S3, else AWS. */
  endpoint?: string;
  /** The local cache DuckDB reads: above `maxBytes` only pinned working sets stay (least recently used go first). */
  cache?: { maxBytes?: number };
}

export type LakeSettings = LocalLakeSettings | S3LakeSettings;

/** The background sync's interval when settings.json names none. */
export const DEFAULT_SYNC_INTERVAL_SECONDS = 60;

/** The live demo feed's speed when settings.json names none, and the fastest it accepts (readings every 83 ms). */
export const DEFAULT_LIVE_SPEED = 1;
export const MAX_LIVE_SPEED = 3600;

/** The longest interval settings accept (a day). */
export const MAX_SYNC_INTERVAL_SECONDS = 86_400;

export interface SettingsInfo {
  /** The settings file, e.g. `<workspace>/settings.json`. */
  file: string;
  /** What the file says (the defaults when it does not exist or cannot be read). */
  settings: WorkspaceSettings;
  /** Why the file could not be used, or null; the workspace then runs without a hot store until it is fixed. */
  problem: string | null;
  /** A password for the external store is kept in the OS keychain. */
  passwordStored: boolean;
  /** This process can keep a password (desktop: OS keychain); else PGPASSWORD is the way. */
  canStorePassword: boolean;
  /** An S3 access key for the lake is kept in the OS keychain (the same store as the password). */
  lakeKeysStored: boolean;
  /** `PGPASSWORD` is set in the core's environment. */
  envPassword: boolean;
  /** What this run actually uses (a `--pg-url` flag wins over the file; saved changes apply after a restart). */
  running: {
    hot: { kind: 'embedded' | 'external' | 'none'; url: string | null; source: 'flag' | 'settings' | 'default' | 'off' };
    /** The lake folder, or the S3 lake's `s3://` URL; from a `--lake` flag, settings.json or the default. */
    lake: string;
    lakeSource: 'flag' | 'settings' | 'default';
  };
  /** The saved settings differ from what this run uses: restart to apply them. */
  restartRequired: boolean;
}

/** What the connecting PostgreSQL role may do (the connection test reports it; see README "An external PostgreSQL"). */
export interface RolePowers {
  role: string;
  superuser: boolean;
  /** Its memberships among pg_read_server_files, pg_write_server_files, pg_execute_server_program. */
  serverAccess: string[];
  /** May SELECT every workbench table that exists; null when none exists yet. */
  canReadHot: boolean | null;
  /** May INSERT, UPDATE or DELETE some workbench table. */
  canWriteHot: boolean;
  /** May create tables in the hot schema (and so own them and install the mirror's triggers). */
  canCreate: boolean;
}

export interface ConnectionTestResult {
  reachable: boolean;
  /** The URL tried, without a password. */
  target: string;
  /** `SHOW server_version` when reachable. */
  serverVersion: string | null;
  /** When reachable: what the role may do. */
  powers: RolePowers | null;
  error: string | null;
  elapsedMs: number;
}

/** What an S3 lake connection test names as the cause of a failed step. */
export type S3LakeFailure =
  'dns' | 'unreachable' | 'tls' | 'credentials' | 'bucket' | 'permissions' | 'exists' | 'not-found' | 'server' | 'other';

export type S3LakeProbeStep = 'list' | 'put' | 'get' | 'delete';

/** The S3 lake connection test: list the prefix, then put, get and delete a probe object `_probe/<uuid>` under it. */
export interface S3LakeTestResult {
  ok: boolean;
  /** Each step tried, in order; the first failure ends the test (a probe object already put is still deleted). */
  steps: { step: S3LakeProbeStep; ok: boolean; ms: number; failure?: S3LakeFailure; message?: string }[];
  /** `s3://bucket/prefix` and the endpoint tried (AWS when none). */
  target: string;
  elapsedMs: number;
}

const UrlSchema = z.string().trim().min(1, 'is empty').max(2000);

/** Optional text fields of the form: '' means unset. */
const OptionalText = (max: number) => z.string().trim().max(max).optional();

/** Where an S3 lake is (the keys are separate: never in settings.json). */
const S3LakeFields = {
  kind: z.literal('s3'),
  url: UrlSchema,
  region: OptionalText(100),
  endpoint: OptionalText(2000),
  /**
   * Desktop: an access key kept in the OS keychain (both fields together), never in settings.json; elsewhere the
   * AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws). Omit to keep the stored key; '' removes it.
   */
  accessKeyId: z.string().trim().max(1000).optional(),
  secretAccessKey: z.string().max(1000).optional(),
};

export const SettingsLakeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local').optional(), path: OptionalText(4000), archivePath: OptionalText(4000) }),
  z.object({
    ...S3LakeFields,
    /** The local cache's size limit in bytes; unset = mirror the whole lake. */
    cache: z.object({ maxBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }).optional(),
  }),
]);

export const SettingsHotSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded') }),
  z.object({
    kind: z.literal('external'),
    url: UrlSchema,
    /** Kept in the OS keychain (desktop), never in settings.json. Omit to keep the stored one; '' removes it. */
    password: z.string().max(1000).optional(),
  }),
]);

/** The lake as the Settings form sends it: a folder, or an S3 lake with an optional key for the keychain. */
export type SettingsLakeRequest = z.infer<typeof SettingsLakeSchema>;

export const settingsApi = {
  get: method<SettingsInfo>()(z.object({}).default({})),
  /** Saves settings.json (atomically; the password goes to the keychain or is refused). Applies after a restart. */
  set: method<{ restartRequired: true; settings: SettingsInfo }>()(
    z.object({
      hot: SettingsHotSchema,
      lake: SettingsLakeSchema.optional(),
    }),
  ),
  /**
   * Saves settings.json `sync.intervalSeconds` (0 = off) and applies it at once, no restart needed; the
   * background sync's state is in data.status.
   */
  setSyncInterval: method<SettingsInfo>()(z.object({ intervalSeconds: z.number().int().min(0).max(MAX_SYNC_INTERVAL_SECONDS) })),
  /**
   * Saves settings.json `liveFeed` and applies it at once: the live demo feed starts (while the hot store holds the
   * demo fleet) or stops; its state is in data.status.
   */
  setLiveFeed: method<SettingsInfo>()(
    z.object({ enabled: z.boolean(), speed: z.number().positive().max(MAX_LIVE_SPEED).default(DEFAULT_LIVE_SPEED) }),
  ),
  /** Tries a PostgreSQL URL without saving anything. */
  testConnection: method<ConnectionTestResult>()(z.object({ url: UrlSchema, password: z.string().max(1000).optional() })),
  /**
   * Tries an S3 lake without saving anything: list, put, get and delete a probe object under the prefix, naming
   * what failed (DNS, TLS, credentials, bucket, permissions, unreachable).
   */
  testLakeConnection: method<S3LakeTestResult>()(z.object(S3LakeFields)),
};
