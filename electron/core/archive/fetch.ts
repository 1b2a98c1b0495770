import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, type DatasetSpec } from '../../../shared/domain/datasets';
import { quoteIdent } from '../../../shared/sql';
import type { HotStore } from '../hot/hot-store';
import { copyFormatFor, copyToFile, type CopyFormat } from '../hot/pg-copy';
import { digestFromRow, digestQuery, type BatchDigest } from './checksum';
import { batchPredicate, dayStart, hotTable, timeColumnOf } from './plan';
import type { BatchRecord } from './state';

/** A batch's rows, fetched: the scratch file PostgreSQL wrote and its digest of exactly those rows. */
export interface Fetched {
  file: string;
  format: CopyFormat;
  digest: BatchDigest;
}

type ClientRole = 'fetch' | 'delete';

export function hotUnavailable(err: unknown, what: string): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  return new WorkbenchError(
    'HOT_UNAVAILABLE',
    `PostgreSQL failed while ${what}: ${errorMessage(err)}. Nothing was lost: rows are deleted only after they are verified in the lake, in one transaction. Start PostgreSQL and run the archive again to finish.`,
    errorMessage(err),
  );
}

/**
 * The archiver's side of PostgreSQL: one connection for fetching and one for deleting, kept for the run
 * (a connection per batch costs more than a small batch's rows), and the next batch fetched ahead while
 * DuckDB writes, verifies and publishes the current one.
 */
export class BatchFetcher {
  private readonly prefetched = new Map<string, Promise<Fetched>>();
  private readonly clients = new Map<ClientRole, Promise<pg.Client>>();

  constructor(
    private readonly hot: HotStore,
    private readonly tmpDir: string,
  ) {}

  /**
   * PostgreSQL → scratch file, then PostgreSQL's digest of exactly the same rows, in one REPEATABLE READ
   * transaction. The rows leave unsorted (a sort there would spill; DuckDB sorts them). With the embedded
   * store the server writes the file itself (no client protocol to pay for).
   */
  private fetch(spec: DatasetSpec, b: BatchRecord): Promise<Fetched> {
    const format = copyFormatFor(spec);
    const cols = spec.columns.map((c) => quoteIdent(c.name));
    const pred = batchPredicate(spec, b.day, b.highIngestId);
    return (async () => {
      let file: string | null = null;
      try {
        const outbox = await this.hot.serverOutbox();
        await mkdir(this.tmpDir, { recursive: true });
        const out = join(outbox ?? this.tmpDir, `archive-${b.batchId}.${format}`);
        file = out;
        const digest = await this.onClient('fetch', async (c) => {
          // One REPEATABLE READ transaction: the digest sees exactly the snapshot the COPY wrote.
          await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          await copyToFile(c, `SELECT ${cols.join(', ')} FROM ${hotTable(spec)} WHERE ${pred}`, out, format, outbox !== null);
          const d = digestFromRow((await c.query(digestQuery(spec, timeColumnOf(spec), 'pg', hotTable(spec), pred, dayStart(b.day)))).rows[0] as Record<string, unknown>);
          await c.query('COMMIT');
          return d;
        });
        return { file: out, format, digest };
      } catch (err) {
        if (file) await rm(file, { force: true });
        throw hotUnavailable(err, `exporting ${spec.name} ${b.day}`);
      }
    })();
  }

  /** The rows of `b`: fetched ahead already, or now. */
  take(b: BatchRecord): Promise<Fetched> {
    const pending = this.prefetched.get(b.batchId) ?? this.fetch(DATASETS[b.dataset], b);
    this.prefetched.delete(b.batchId);
    return pending;
  }

  /** Starts fetching `b` ahead of its turn; its result waits in memory, its file in the scratch folder. */
  prefetch(b: BatchRecord): void {
    if (this.prefetched.has(b.batchId)) return;
    const p = this.fetch(DATASETS[b.dataset], b);
    p.catch(() => undefined); // reported when (and if) the batch takes it
    this.prefetched.set(b.batchId, p);
  }

  /** Runs `fn` on the run's connection for `role`. Any error drops the connection. */
  async onClient<T>(role: ClientRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    let pending = this.clients.get(role);
    if (!pending) {
      pending = this.hot.connect();
      this.clients.set(role, pending);
    }
    try {
      return await fn(await pending);
    } catch (err) {
      this.dropClient(role);
      throw err;
    }
  }

  private dropClient(role: ClientRole): void {
    const pending = this.clients.get(role);
    this.clients.delete(role);
    void pending?.then((c) => c.end()).catch(() => undefined);
  }

  /** Drops fetches nobody took (a cancelled or failed run), their scratch files too, and the connections. */
  async close(): Promise<void> {
    for (const [id, p] of this.prefetched) {
      this.prefetched.delete(id);
      const got = await p.catch(() => null);
      if (got) await rm(got.file, { force: true });
    }
    this.dropClient('fetch');
    this.dropClient('delete');
  }
}

/** Scratch COPY files of an earlier run that was killed (one archiver per workspace, so none is in use). */
export async function removeScratchFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) if (/^archive-.*\.(csv|text)$/.test(n)) await rm(join(dir, n), { force: true });
}
