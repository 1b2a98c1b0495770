import pg from 'pg';
import type { ConnectionTestResult } from '../../../shared/api/settings';
import { errorMessage } from '../../../shared/api/errors';
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
  const config: pg.ClientConfig = {
    connectionString: pgConnectionString(conn),
    application_name: 'battery-workbench',
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
  };
  const started = Date.now();
  const client = new pg.Client(config);
  client.on('error', () => {
    // A dropped connection surfaces on the pending call below.
  });
  try {
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
    const message = errorMessage(err);
    return {
      reachable: false,
      target,
      serverVersion: null,
      powers: null,
      error: message || 'The connection failed.',
      elapsedMs: Date.now() - started,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
