import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { EmbeddedServer } from './embedded-server';
import { externalConnection, pgConnectionString, redactedUrl, type HotConfig } from './hot-config';
import { loadHotIdentity } from './hot-identity';

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

/** The schema the workbench's hot tables live in. */
export const HOT_SCHEMA = 'public';

/**
 * The PostgreSQL hot store: embedded (started here, stopped on close) or external (by URL).
 * Hands out plain `pg` clients; every client gets an error listener so a dropped connection
 * never crashes the process.
 */
export class HotStore {
  private constructor(
    private readonly clientConfig: pg.ClientConfig,
    readonly info: HotStoreInfo,
    private readonly server: EmbeddedServer | null,
  ) {}

  static async open(options: OpenHotStoreOptions): Promise<HotStore> {
    if (options.config.kind === 'external') {
      const conn = externalConnection(options.config);
      const cfg: pg.ClientConfig = { connectionString: pgConnectionString(conn), application_name: 'battery-workbench' };
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
    const cfg: pg.ClientConfig = {
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
      password: identity.password,
      database: 'postgres',
      application_name: 'battery-workbench',
    };
    return new HotStore(cfg, { kind: 'embedded', target: `127.0.0.1:${server.port}/postgres`, dataDir: server.dataDir }, server);
  }

  /** The embedded server (tests stop and restart it); null for external stores. */
  get embedded(): EmbeddedServer | null {
    return this.server;
  }

  /** Embedded only: the folder its server writes COPY files into (see EmbeddedServer.outboxDir); null when external. */
  async serverOutbox(): Promise<string | null> {
    return this.server ? this.server.outboxDir() : null;
  }

  async connect(): Promise<pg.Client> {
    // The embedded server may have been restarted on another free port.
    const config = this.server ? { ...this.clientConfig, port: this.server.port } : this.clientConfig;
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

  async withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    await this.withClient(async (c) => {
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
