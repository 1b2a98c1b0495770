import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { quoteIdent } from '../../../shared/sql';
import { dayPartitionOf } from '../hot/hot-partitions';
import { partitionHasDayBounds } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { streamBinaryCopy } from '../hot/binary-load';
import { batchPredicate, hotTable } from './plan';
import { lap, type BatchRecord } from './state';

/**
 * A day held from its COPY to its delete: the batch's own connection, in a transaction that locked the day's
 * partition (SHARE: no row of it can be inserted, updated or deleted meanwhile, readers go on) before the COPY.
 * The rows the delete removes are then exactly the rows the COPY wrote, whose digest the file was verified
 * against: PostgreSQL need not digest them again.
 */
export interface HeldDay {
  client: pg.Client;
  partition: string;
  /** The partition holds only the copied rows (its bounds are the day's, no row above the ingest mark): TRUNCATE it. */
  exact: boolean;
  /** Rows the COPY wrote. */
  rows: number;
}

/**
 * A batch's rows, fetched: decoded into the temporary table `table` of the DuckDB connection `duck` (the batch's
 * own; give it back with BatchFetcher.done), and the held day when it has a partition.
 */
export interface Fetched {
  duck: DuckDBConnection;
  table: string;
  rows: number;
  held: HeldDay | null;
}

/** The temporary table a fetch fills (temporary tables are the connection's own: one per fetch connection). */
const ROWS_TABLE = 'bw_archive_rows';

export function hotUnavailable(err: unknown, what: string): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  return new WorkbenchError(
    'HOT_UNAVAILABLE',
    `PostgreSQL failed while ${what}: ${errorMessage(err)}. Nothing was lost: rows are deleted only after they are verified in the lake, in one transaction. Start PostgreSQL and run the archive again to finish.`,
    errorMessage(err),
  );
}

/**
 * The archiver's side of PostgreSQL: connections kept for the run (a connection per batch costs more than a small
 * batch's rows), a day held from its COPY to its delete where it has a partition, one connection for the deletes
 * of days that are not held, and the next day fetched ahead while DuckDB writes, verifies and publishes the
 * current one: its rows stream from PostgreSQL into a DuckDB connection of their own (two take turns), so the next
 * day's COPY and decoding overlap the current day's sort, Parquet write and verification.
 */
export class BatchFetcher {
  private readonly prefetched = new Map<string, Promise<Fetched>>();
  private readonly idle: pg.Client[] = [];
  private readonly idleDuck: DuckDBConnection[] = [];
  private readonly ducks: DuckDBConnection[] = [];
  private readonly held = new Map<string, HeldDay>();
  private deleteClient: Promise<pg.Client> | null = null;

  constructor(
    private readonly hot: HotStore,
    private readonly connectDuck: () => Promise<DuckDBConnection>,
  ) {}

  private async lease(): Promise<pg.Client> {
    return this.idle.pop() ?? this.hot.connect('archiver');
  }

  private async leaseDuck(): Promise<DuckDBConnection> {
    const idle = this.idleDuck.pop();
    if (idle) return idle;
    const conn = await this.connectDuck();
    this.ducks.push(conn);
    return conn;
  }

  /** The batch's rows were written: their table goes, its connection serves the next fetch. */
  async done(f: Fetched): Promise<void> {
    await f.duck.run(`DROP TABLE IF EXISTS ${quoteIdent(f.table)}`);
    this.idleDuck.push(f.duck);
  }

  /**
   * PostgreSQL → DuckDB, one COPY in the binary format decoded while it streams (see binary-load.ts: no value is
   * formatted as text, nothing is written to disk, memory is bounded by backpressure). The rows leave unsorted (a
   * sort there would spill; DuckDB sorts them). A day with a partition of its own is held (see HeldDay) until the
   * batch's delete.
   */
  private fetch(spec: DatasetSpec, b: BatchRecord): Promise<Fetched> {
    const cols = spec.columns.map((c) => quoteIdent(c.name));
    const select = `SELECT ${cols.join(', ')} FROM ${hotTable(spec)} WHERE ${batchPredicate(spec, b.day, b.highIngestId)}`;
    return (async () => {
      const t0 = performance.now();
      let c: pg.Client | null = null;
      let duck: DuckDBConnection | null = null;
      try {
        duck = await this.leaseDuck();
        c = await this.lease();
        const partition = await dayPartitionOf(c, spec, b.day);
        if (partition === null || b.highIngestId === null) {
          const { rows } = await streamBinaryCopy(c, select, duck, ROWS_TABLE, spec.columns);
          lap(b, 'fetch', t0);
          this.idle.push(c);
          return { duck, table: ROWS_TABLE, rows, held: null };
        }
        await c.query('BEGIN');
        await c.query("SET LOCAL lock_timeout = '60s'");
        await c.query(`LOCK TABLE ${partition} IN SHARE MODE`);
        const top = await c.query<{ hi: string | null }>(`SELECT max(${quoteIdent(INGEST_COLUMN)})::text AS hi FROM ${partition}`);
        const exact = (await partitionHasDayBounds(c, partition, b.day)) && Number(top.rows[0]?.hi ?? 0) <= b.highIngestId;
        const { rows } = await streamBinaryCopy(c, select, duck, ROWS_TABLE, spec.columns);
        lap(b, 'fetch', t0);
        const held: HeldDay = { client: c, partition, exact, rows };
        this.held.set(b.batchId, held);
        return { duck, table: ROWS_TABLE, rows, held };
      } catch (err) {
        // Closing the connection ends its transaction (a ROLLBACK would wait behind a COPY cut short).
        if (c) await c.end().catch(() => undefined);
        if (duck) await this.done({ duck, table: ROWS_TABLE, rows: 0, held: null }).catch(() => undefined);
        throw hotUnavailable(err, `exporting ${spec.name} ${b.day}`);
      }
    })();
  }

  /** The rows of `b`: fetched ahead already, or now. An earlier hold of the same batch (a re-export) is let go first. */
  async take(b: BatchRecord): Promise<Fetched> {
    const ahead = this.prefetched.get(b.batchId);
    if (ahead) {
      this.prefetched.delete(b.batchId);
      return ahead;
    }
    await this.release(b.batchId, 'rollback');
    return this.fetch(DATASETS[b.dataset], b);
  }

  /** Starts fetching `b` ahead of its turn; its rows wait in their DuckDB table. */
  prefetch(b: BatchRecord): void {
    if (this.prefetched.has(b.batchId)) return;
    const p = this.fetch(DATASETS[b.dataset], b);
    p.catch(() => undefined); // reported when (and if) the batch takes it
    this.prefetched.set(b.batchId, p);
  }

  /** The day `batchId` holds in this run, if any (a batch resumed from an earlier run holds nothing). */
  heldFor(batchId: string): HeldDay | null {
    return this.held.get(batchId) ?? null;
  }

  /** Ends a held day's transaction (its delete commits it itself and says `done`). */
  async release(batchId: string, how: 'done' | 'rollback'): Promise<void> {
    const h = this.held.get(batchId);
    if (!h) return;
    this.held.delete(batchId);
    if (how === 'rollback') {
      try {
        await h.client.query('ROLLBACK');
      } catch {
        await h.client.end().catch(() => undefined);
        return;
      }
    }
    this.idle.push(h.client);
  }

  /** Runs `fn` on the run's connection for deleting days that are not held. Any error drops the connection. */
  async onDeleteClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    this.deleteClient ??= this.hot.connect('archiver');
    const pending = this.deleteClient;
    try {
      return await fn(await pending);
    } catch (err) {
      this.deleteClient = null;
      void pending.then((c) => c.end()).catch(() => undefined);
      throw err;
    }
  }

  /** Drops fetches nobody took (a cancelled or failed run), their tables and holds too, and the connections. */
  async close(): Promise<void> {
    for (const [id, p] of this.prefetched) {
      this.prefetched.delete(id);
      const got = await p.catch(() => null);
      if (got) await this.done(got).catch(() => undefined);
    }
    for (const id of [...this.held.keys()]) await this.release(id, 'rollback');
    for (const c of this.idle.splice(0)) await c.end().catch(() => undefined);
    const d = this.deleteClient;
    this.deleteClient = null;
    await d?.then((c) => c.end()).catch(() => undefined);
    this.idleDuck.length = 0;
    for (const conn of this.ducks.splice(0)) conn.closeSync();
  }
}

/** Scratch COPY files of an earlier run that was killed (one archiver per workspace, so none is in use). */
export async function removeScratchFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (/^archive-.*\.(csv|text|bin)$/.test(n)) await rm(join(dir, n), { force: true });
}
