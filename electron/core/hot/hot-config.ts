import { WorkbenchError } from '../../../shared/api/errors';
import { isSecretParam, urlSecretProblem } from '../../../shared/postgres-url';

/**
 * Where the hot store is.
 * - embedded: the workspace's own PostgreSQL (default), started and stopped by whoever opens the workspace.
 * - external: any PostgreSQL by URL (workspace settings `hot.url` or `--pg-url`). Its password comes from the
 *   URL (`--pg-url` only), `PGPASSWORD`, or (desktop) the OS keychain via the main process. It is never written
 *   to disk: settings refuse a URL that carries a secret (`parseSecretFreeUrl`); `redactedUrl` is what logs show.
 */
export type HotConfig = { kind: 'embedded' } | { kind: 'external'; url: string; password?: string };

export interface ExternalConnection {
  connectionString: string;
  password: string | undefined;
}

export function parseExternalUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WorkbenchError('BAD_INPUT', 'The PostgreSQL URL could not be parsed.', 'Use the form postgres://user@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new WorkbenchError('BAD_INPUT', `The PostgreSQL URL must start with postgres://, not ${parsed.protocol}//.`);
  }
  return parsed;
}

/** The parsed URL, or BAD_INPUT naming its secret parts (never their values) when it carries any (see shared/postgres-url.ts). */
export function parseSecretFreeUrl(url: string): URL {
  const parsed = parseExternalUrl(url);
  const problem = urlSecretProblem(parsed);
  if (problem !== null) throw new WorkbenchError('BAD_INPUT', problem);
  return parsed;
}

/** The URL to show or log (a `--pg-url` may carry secrets): no password, and secret parameters' values masked. */
export function redactedUrl(url: string): string {
  const parsed = parseExternalUrl(url);
  parsed.password = '';
  for (const name of new Set(parsed.searchParams.keys())) if (isSecretParam(name)) parsed.searchParams.set(name, '***');
  return parsed.toString();
}

/** The connection for an external store; the password: explicit (keychain) > in the URL > PGPASSWORD. */
export function externalConnection(
  config: Extract<HotConfig, { kind: 'external' }>,
  env: NodeJS.ProcessEnv = process.env,
): ExternalConnection {
  const parsed = parseExternalUrl(config.url);
  const inUrl = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.password = '';
  return { connectionString: parsed.toString(), password: config.password ?? inUrl ?? env.PGPASSWORD };
}

/**
 * The connection string for `pg`, carrying the password (in memory only, never logged or stored):
 * pg lets a URL's empty password override a separate `password` option, so it must travel in the URL.
 */
export function pgConnectionString(conn: ExternalConnection): string {
  const parsed = new URL(conn.connectionString);
  if (conn.password !== undefined && conn.password !== '') parsed.password = encodeURIComponent(conn.password);
  return parsed.toString();
}

/** Choose the hot store: an explicit URL (flag) wins over the workspace setting; else embedded. */
export function resolveHotConfig(input: { pgUrl?: string | null; settingsUrl?: string | null; password?: string }): HotConfig {
  const url = input.pgUrl ?? input.settingsUrl ?? null;
  if (!url) return { kind: 'embedded' };
  parseExternalUrl(url);
  return input.password === undefined ? { kind: 'external', url } : { kind: 'external', url, password: input.password };
}
