import pg from 'pg';
import { errorMessage } from '../../../shared/api/errors';
import type { ConnectionTestResult } from '../../../shared/api/settings';
import { rolePowers } from '../hot/hot-roles';
import { externalConnection, pgConnectionString, redactedUrl } from '../hot/hot-config';

const TIMEOUT_MS = 8000;

/**
 * Tries a PostgreSQL URL (connect, `SHOW server_version`, what the role may do) and answers what happened; saves nothing.
 * Password: the given one, else the URL's, else PGPASSWORD. Failing to connect is an answer, not an error;
 * a URL that cannot be parsed throws BAD_INPUT.
 */
export async function testPgConnection(
  url: string,
  password: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConnectionTestResult> {
  const target = redactedUrl(url);
  const conn = externalConnection(
    password === undefined || password === '' ? { kind: 'external', url } : { kind: 'external', url, password },
    env,
  );
  const connectionString = pgConnectionString(conn);
  const config: pg.ClientConfig = {
    connectionString,
    application_name: 'battery-workbench',
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
  };
  const started = Date.now();
  let client: pg.Client | null = null;
  try {
    // Inside the try: pg reads the URL's certificate files (sslcert, sslrootcert) here, and may fail.
    client = new pg.Client(config);
    client.on('error', () => {
      // A dropped connection surfaces on the pending call below.
    });
    await client.connect();
    const res = await client.query<{ server_version: string }>('SHOW server_version');
    const powers = await rolePowers(client);
    return {
      reachable: true,
      target,
      serverVersion: res.rows[0]?.server_version ?? null,
      powers,
      error: null,
      elapsedMs: Date.now() - started,
    };
  } catch (err) {
    const message = withoutSecrets(errorMessage(err), [connectionString, conn.password]);
    return {
      reachable: false,
      target,
      serverVersion: null,
      powers: null,
      error: message || 'The connection failed.',
      elapsedMs: Date.now() - started,
    };
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** A driver's message with every secret it might quote (the full connection string, the password as is or URL-encoded) masked. */
export function withoutSecrets(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) {
    if (s === undefined || s === '') continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.replaceAll(form, '***');
  }
  return out;
}
