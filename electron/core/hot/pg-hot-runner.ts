import type pg from 'pg';
import { WorkbenchError } from '../../../shared/api/errors';
import type { HotRunner, HotRunResult } from '../engine/hot-runner';
import { rolePowers } from './hot-roles';
import type { HotStore } from './hot-store';

/** PostgreSQL type OIDs -> the DuckDB type the engine stores the column as. Unknown types stay text. */
function duckTypeOf(field: pg.FieldDef): string {
  switch (field.dataTypeID) {
    case 16:
      return 'BOOLEAN';
    case 20:
      return 'BIGINT';
    case 21:
      return 'SMALLINT';
    case 23:
    case 26:
      return 'INTEGER';
    case 700:
      return 'FLOAT';
    case 701:
      return 'DOUBLE';
    case 1700: {
      const mod = field.dataTypeModifier;
      if (mod < 4) return 'VARCHAR'; // unconstrained numeric: keep its exact text
      const precision = ((mod - 4) >> 16) & 0xffff;
      const scale = (mod - 4) & 0xffff;
      return precision >= 1 && precision <= 38 && scale <= precision ? `DECIMAL(${precision},${scale})` : 'VARCHAR';
    }
    case 1082:
      return 'DATE';
    case 1083:
      return 'TIME';
    case 1114:
      return 'TIMESTAMP';
    case 1184:
      return 'TIMESTAMPTZ';
    case 2950:
      return 'UUID';
    default:
      return 'VARCHAR';
  }
}

/** Every value comes back as PostgreSQL's text form; DuckDB casts it to the column type exactly. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

const BATCH = 10_000;

/** The refusal of a write in a read-only editor session: what happened and how to allow it. */
export const READ_ONLY_MESSAGE =
  'PostgreSQL refused the write: the editor is read-only. Turn on "Allow writes" for this tab (CLI: --allow-writes) to change data.';

/**
 * An external store is reached as its URL's role: the editor refuses one that could reach the server's files
 * or programs (a superuser, or a member of pg_read_server_files and the like), whatever the SQL.
 */
async function assertEditorRole(client: pg.Client, target: string): Promise<void> {
  const powers = await rolePowers(client);
  if (!powers.superuser && powers.serverAccess.length === 0) return;
  const why = powers.superuser ? 'is a superuser' : `is a member of ${powers.serverAccess.join(', ')}`;
  throw new WorkbenchError(
    'READ_ONLY',
    `The SQL editor does not run as PostgreSQL role "${powers.role}" at ${target}: it ${why}, so it could read and write the server's files. Nothing was run.`,
    'Give the workbench a role without superuser rights (see the README: "An external PostgreSQL"), or run this SQL with psql.',
  );
}

/** Commands that change rows: after one, the mirror syncs so the views show it (see PgHotRunner's onWrite). */
const ROW_WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'TRUNCATE']);

/**
 * query.run({ target: 'hot' }): SQL straight into PostgreSQL, results handed to the engine as text cells.
 * It runs as the editor's role (see hot-roles.ts): `reader` in read-only transactions by default, `writer` when
 * writes are allowed. The transaction mode is a guard against mistakes; on the embedded store the reader's
 * grants are what make it read-only.
 */
export class PgHotRunner implements HotRunner {
  /** `onWrite`: called after a run whose statements changed rows in tables (INSERT, UPDATE, DELETE, MERGE, COPY, TRUNCATE). */
  constructor(
    private readonly store: () => Promise<HotStore>,
    private readonly onWrite: () => void = () => undefined,
  ) {}

  async run(sql: string, options: { runId: string; signal: AbortSignal; allowWrites: boolean }): Promise<HotRunResult> {
    const store = await this.store();
    const role = options.allowWrites ? 'writer' : 'reader';
    const client = await store.connect(role);
    const processId = (client as unknown as { processID?: number }).processID;
    const onAbort = (): void => {
      void store
        // A role may cancel its own sessions only.
        .withClient(role, async (c) => {
          await c.query('SELECT pg_cancel_backend($1)', [processId]);
        })
        .catch(() => undefined);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    let results: pg.QueryArrayResult | pg.QueryArrayResult[];
    try {
      if (store.info.kind === 'external') await assertEditorRole(client, store.info.target);
      await client.query(`SET default_transaction_read_only = ${options.allowWrites ? 'off' : 'on'}`);
      if (options.signal.aborted) throw new WorkbenchError('CANCELLED', 'The query was cancelled before it reached PostgreSQL.');
      results = (await client.query({ text: sql, rowMode: 'array', types: TEXT_TYPES })) as unknown as
        pg.QueryArrayResult | pg.QueryArrayResult[];
    } catch (err) {
      if (err instanceof WorkbenchError) throw err;
      const e = err as { code?: string; message?: string; position?: string; hint?: string; detail?: string };
      if (e.code === '57014' || options.signal.aborted) throw new WorkbenchError('CANCELLED', 'The PostgreSQL query was cancelled.');
      const detail = [e.detail, e.hint ? `Hint: ${e.hint}` : undefined, e.position ? `At character ${e.position}` : undefined]
        .filter(Boolean)
        .join('\n');
      // 25006: a write in a read-only transaction; 42501 on a hot table: the reader's grants (the mode was turned off).
      const refusedWrite =
        e.code === '25006' || (e.code === '42501' && /permission denied for (table|relation|sequence)/.test(e.message ?? ''));
      if (!options.allowWrites && refusedWrite)
        throw new WorkbenchError('READ_ONLY', READ_ONLY_MESSAGE, `PostgreSQL: ${e.message ?? 'error'}`);
      if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith('08')) {
        throw new WorkbenchError('SQL_ERROR', `PostgreSQL: ${e.message ?? 'error'}`, detail || undefined);
      }
      throw new WorkbenchError('HOT_UNAVAILABLE', `PostgreSQL failed to run the query: ${e.message ?? String(err)}`);
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => undefined);
    }
    const list = Array.isArray(results) ? results : [results];
    if (options.allowWrites && list.some((r) => ROW_WRITES.has(r.command))) this.onWrite();
    const last = list[list.length - 1];
    const fields = last?.fields ?? [];
    const rows = last?.rows ?? [];
    const columns = fields.length > 0 ? fields.map((f) => ({ name: f.name, type: duckTypeOf(f) })) : [{ name: 'status', type: 'VARCHAR' }];
    const data: readonly (readonly unknown[])[] =
      fields.length > 0
        ? rows
        : [[`${last?.command ?? 'OK'}${last?.rowCount === null || last?.rowCount === undefined ? '' : ` ${last.rowCount}`}`]];
    async function* batches(): AsyncIterable<readonly (readonly unknown[])[]> {
      for (let i = 0; i < data.length; i += BATCH) yield data.slice(i, i + BATCH);
    }
    return { columns, batches: batches(), statements: list.length };
  }
}
