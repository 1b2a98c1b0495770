import { WorkbenchError } from '../../../shared/api/errors';
import type { S3Keys } from '../lake/open-lake';

/**
 * Where the workbench keeps secrets it must not write in plain text (the external PostgreSQL
 * password, the S3 lake's access key). The desktop app passes one backed by the OS keychain (Electron safeStorage); the web
 * host and the CLI have none and read PGPASSWORD instead.
 */
export interface SecretStore {
  /** Says where secrets go, for messages (e.g. "the OS keychain"). */
  readonly description: string;
  get(name: string): Promise<string | undefined>;
  /** Throws a WorkbenchError when the secret cannot be kept safely (e.g. no keychain on this machine). */
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** The external PostgreSQL's password. */
export const HOT_PASSWORD_SECRET = 'hot.password';

/** The S3 lake's access key (id and secret, kept together as one JSON value). */
export const LAKE_S3_KEYS_SECRET = 'lake.s3.keys';

/** Which lake a stored key belongs to: it is never sent to another bucket, prefix or endpoint. */
export interface S3KeyScope {
  url: string;
  endpoint?: string | undefined;
}

function sameScope(a: Partial<S3KeyScope> | undefined, b: S3KeyScope): boolean {
  return a !== undefined && a.url === b.url && (a.endpoint ?? '') === (b.endpoint ?? '');
}

/**
 * The S3 lake's stored access key for the lake `scope` names, if any: a key saved for another lake (or before keys
 * were bound to one) is not given out. A stored value that is not a key pair is an error naming the store.
 */
export async function readS3Keys(store: SecretStore | undefined, scope: S3KeyScope): Promise<S3Keys | undefined> {
  const text = await store?.get(LAKE_S3_KEYS_SECRET);
  if (text === undefined || store === undefined) return undefined;
  let keys: unknown;
  try {
    keys = JSON.parse(text);
  } catch {
    keys = null;
  }
  const k = keys as (Partial<S3Keys> & { lake?: Partial<S3KeyScope> }) | null;
  if (typeof k?.accessKeyId !== 'string' || typeof k.secretAccessKey !== 'string') {
    throw new WorkbenchError('BAD_INPUT', `The S3 key kept in ${store.description} is not readable. Enter the key again in Settings.`);
  }
  if (!sameScope(k.lake, scope)) return undefined;
  return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
}

/** Keeps the key for the lake `scope` names (and for no other). */
export async function writeS3Keys(store: SecretStore, keys: S3Keys, scope: S3KeyScope): Promise<void> {
  await store.set(
    LAKE_S3_KEYS_SECRET,
    JSON.stringify({
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      lake: { url: scope.url, ...(scope.endpoint ? { endpoint: scope.endpoint } : {}) },
    }),
  );
}

/** Secrets held in memory for the life of the process (tests, or a caller that asks each time). */
export class MemorySecretStore implements SecretStore {
  readonly description = 'memory';
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }

  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}
