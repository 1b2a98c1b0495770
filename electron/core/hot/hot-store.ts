import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { EmbeddedServer } from './embedded-server';
import { externalConnection, pgConnectionString, redactedUrl, type HotConfig } from './hot-config';
import { loadHotIdentity } from './hot-identity';
import { HOT_SCHEMA } from './hot-schema';
import { grantWorkbenchTables, provisionRoles, ROLE_NAMES, rolePassword, type HotRole } from './hot-roles';

export interface HotStoreInfo {
  kind: 'embedded' | 'external';
  /** Host:port/database, never with a password. */
  target: string;
  /** Embedded only: the cluster's data folder. */
  dataDir: string | null;
}

export interface OpenHotStoreOptions {
  config: HotConfig;
  workspaceRoot: string;
  /** `<workspace>/pg`. */
  workspacePgDir: string;
  log?: (line: string) => void;
}

/** Shown in pg_stat_activity: which task a session serves. */
export function applicationName(role: HotRole): string {
  return `battery-workbench ${role}`;
}

/**
 * The PostgreSQL hot store: embedded (started here, stopped on close) or external (by URL).
 * Hands out plain `pg` clients, each for one task (see hot-roles.ts): on the embedded store as that task's
 * own role, on an external one as the URL's role. Every client gets an error listener so a dropped
 * connection never crashes the process.
 */
export class HotStore {
  private constructor(
    private readonly clientConfig: (role: HotRole) => pg.ClientConfig,
    readonly info: HotStoreInfo,
    private readonly server: EmbeddedServer | null,
  ) {}

  static async open(options: OpenHotStoreOptions): Promise<HotStore> {
    if (options.config.kind === 'external') {
      const conn = externalConnection(options.config);
      const connectionString = pgConnectionString(conn);
      const cfg = (role: HotRole): pg.ClientConfig => ({ connectionString, application_name: applicationName(role) });
      const store = new HotStore(cfg, { kind: 'external', target: redactedUrl(options.config.url), dataDir: null }, null);
      await store.ping();
      return store;
    }
    const identity = await loadHotIdentity(options.workspaceRoot);
    const server = new EmbeddedServer({
      workspacePgDir: options.workspacePgDir,
      workspaceId: identity.id,
      password: identity.password,
      ...(options.log ? { log: options.log } : {}),
    });
    await server.start();
    const cfg = (role: HotRole): pg.ClientConfig => ({
      host: '127.0.0.1',
      port: server.port,
      user: role === 'owner' ? server.user : ROLE_NAMES[role],
      password: role === 'owner' ? identity.password : rolePassword(identity.password, role),
      database: 'postgres',
      application_name: applicationName(role),
    });
    const store = new HotStore(cfg, { kind: 'embedded', target: `127.0.0.1:${server.port}/postgres`, dataDir: server.dataDir }, server);
    try {
      // Every start: a workspace made before the roles existed gains them now.
      await store.withClient('owner', (c) => provisionRoles(c, identity.password));
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw err instanceof WorkbenchError
        ? err
        : new WorkbenchError('HOT_UNAVAILABLE', 'The embedded PostgreSQL could not set up its roles.', errorMessage(err));
    }
    return store;
  }

  /**
   * After the owner (re)created change logs: the task roles' rights on them. Embedded only: an external store's
   * roles are its administrator's to grant.
   */
  async grantTaskRoles(owner: pg.Client): Promise<void> {
    if (this.server) await grantWorkbenchTables(owner);
  }

  /** The embedded server (tests stop and restart it); null for external stores. */
  get embedded(): EmbeddedServer | null {
    return this.server;
  }

  /** Embedded only: the folder its server writes COPY files into (see EmbeddedServer.outboxDir); null when external. */
  async serverOutbox(): Promise<string | null> {
    return this.server ? this.server.outboxDir() : null;
  }

  /** A client for `role`'s task; `owner` (setup, tests) unless said otherwise. */
  async connect(role: HotRole = 'owner'): Promise<pg.Client> {
    // The embedded server may have been restarted on another free port.
    const config = this.server ? { ...this.clientConfig(role), port: this.server.port } : this.clientConfig(role);
    const client = new pg.Client(config);
    client.on('error', () => {
      // A terminated backend or a stopped server surfaces on the pending query; nothing to do here.
    });
    try {
      await client.connect();
    } catch (err) {
      throw new WorkbenchError('HOT_UNAVAILABLE', `PostgreSQL at ${this.info.target} could not be reached.`, errorMessage(err));
    }
    await client.query("SET TimeZone = 'UTC'");
    return client;
  }

  withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>;
  withClient<T>(role: HotRole, fn: (client: pg.Client) => Promise<T>): Promise<T>;
  async withClient<T>(a: HotRole | ((client: pg.Client) => Promise<T>), b?: (client: pg.Client) => Promise<T>): Promise<T> {
    const [role, fn] = typeof a === 'function' ? (['owner', a] as const) : [a, b as (client: pg.Client) => Promise<T>];
    const client = await this.connect(role);
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    await this.withClient('reader', async (c) => {
      await c.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    await this.server?.stop();
  }
}

/** COPY a CSV file (header row, DuckDB-written) into a hot table. Returns rows copied. */
export async function copyCsvIntoHot(client: pg.Client, table: string, columns: readonly string[], file: string): Promise<number> {
  const sql = `COPY ${qualifiedName(HOT_SCHEMA, table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`;
  const stream = client.query(copyFrom(sql));
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), stream);
  return stream.rowCount;
}
