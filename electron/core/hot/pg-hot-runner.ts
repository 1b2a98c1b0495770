import type pg from 'pg';
import { WorkbenchError } from '../../../shared/api/errors';
import type { HotRunner, HotRunResult } from '../engine/hot-runner';
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

/** query.run({ target: 'hot' }): SQL straight into PostgreSQL, results handed to the engine as text cells. */
export class PgHotRunner implements HotRunner {
  constructor(private readonly store: () => Promise<HotStore>) {}

  async run(sql: string, options: { runId: string; signal: AbortSignal }): Promise<HotRunResult> {
    const store = await this.store();
    const client = await store.connect();
    const processId = (client as unknown as { processID?: number }).processID;
    const onAbort = (): void => {
      void store
        .withClient(async (c) => {
          await c.query('SELECT pg_cancel_backend($1)', [processId]);
        })
        .catch(() => undefined);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    let results: pg.QueryArrayResult | pg.QueryArrayResult[];
    try {
      if (options.signal.aborted) throw new WorkbenchError('CANCELLED', 'The query was cancelled before it reached PostgreSQL.');
      results = (await client.query({ text: sql, rowMode: 'array', types: TEXT_TYPES })) as unknown as
        pg.QueryArrayResult | pg.QueryArrayResult[];
    } catch (err) {
      if (err instanceof WorkbenchError) throw err;
      const e = err as { code?: string; message?: string; position?: string; hint?: string; detail?: string };
      if (e.code === '57014' || options.signal.aborted) throw new WorkbenchError('CANCELLED', 'The PostgreSQL query was cancelled.');
      if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith('08')) {
        const detail = [e.detail, e.hint ? `Hint: ${e.hint}` : undefined, e.position ? `At character ${e.position}` : undefined]
          .filter(Boolean)
          .join('\n');
        throw new WorkbenchError('SQL_ERROR', `PostgreSQL: ${e.message ?? 'error'}`, detail || undefined);
      }
      throw new WorkbenchError('HOT_UNAVAILABLE', `PostgreSQL failed to run the query: ${e.message ?? String(err)}`);
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => undefined);
    }
    const list = Array.isArray(results) ? results : [results];
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
