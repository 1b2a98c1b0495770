import { randomBytes } from 'node:crypto';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { ColumnInfo, QueryWindowResult, SortKey } from '../../../shared/api/query';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { uniqueNames, wireExpression, wireKindFor, type WireColumn } from './wire-columns';
import type * as ArrowWindow from './arrow-window';
import type { FingerprintSource } from './fingerprint';

type ArrowWindowModule = typeof ArrowWindow;

/** The Arrow encoder loads with the first result window (apache-arrow takes about 0.2 s to load), not at start. */
const arrowWindow = (): Promise<ArrowWindowModule> => import('./arrow-window');

/** The attached in-memory database that holds kept results (spills to the workspace temp folder). */
export const RESULTS_DB = 'bw_results';

interface SortedCopy {
  key: string;
  table: string;
  ready: Promise<void>;
}

export interface StoredResult {
  id: string;
  table: string;
  columns: ColumnInfo[];
  wire: WireColumn[];
  /** Safe unique storage names c0..cN (real names may repeat or be odd). */
  storage: string[];
  rowCount: number;
  sortable: boolean;
  lastUsed: number;
  sorted: SortedCopy | null;
}

function tableRef(table: string): string {
  return qualifiedName(RESULTS_DB, 'main', table);
}

/**
 * The SELECT that reads a kept result whole, in the grid's sort (ties keep the original order, as the
 * grid's own sort does) or in the engine's order. Columns get the grid's unique names.
 */
export function keptResultSelect(stored: StoredResult, sort: readonly SortKey[]): string {
  if (stored.wire.length === 0) throw new WorkbenchError('BAD_INPUT', 'The result has no columns, so there is nothing to export or pivot.');
  const select = stored.wire.map((w, i) => `${quoteIdent(stored.storage[i])} AS ${quoteIdent(w.name)}`).join(', ');
  const order = sort.map((s) => {
    let index = stored.wire.findIndex((w) => w.name === s.column);
    if (index < 0) index = stored.columns.findIndex((c) => c.name === s.column);
    if (index < 0) throw new WorkbenchError('BAD_INPUT', `Cannot sort the export by "${s.column}": the result has no such column.`);
    return `${quoteIdent(stored.storage[index])} ${s.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`;
  });
  return `SELECT ${select} FROM ${qualifiedName(RESULTS_DB, 'main', stored.table)} ORDER BY ${[...order, 'rowid'].join(', ')}`;
}

/**
 * Results kept in the core: each is a table in the results database, read in rowid windows
 * as Arrow IPC. A sort is materialized once per (result, sort) into a second table; only the
 * latest sort per result is kept. At most `maxResults` results are kept (least recently used go first).
 */
export class ResultStore {
  private readonly results = new Map<string, StoredResult>();
  private seq = 0;
  private useClock = 0;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly maxResults: number,
  ) {}

  static async attach(connection: DuckDBConnection): Promise<void> {
    await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(RESULTS_DB)}`);
  }

  get size(): number {
    return this.results.size;
  }

  /** Streams a DuckDB result into a new kept result. `onRows` sees the running row count. */
  async ingest(result: DuckDBResult, options: { sortable: boolean; onRows?: (rows: number) => void }): Promise<StoredResult> {
    const names = result.columnNames();
    const types = result.columnTypes();
    const typeTexts = types.map((t) => storableTypeText(t.typeId, t.toString()));
    const stored = await this.create(
      names.map((name, i) => ({ name, type: typeTexts[i] })),
      types.map((t) => t.typeId),
      options.sortable,
    );
    if (names.length === 0) return this.register(stored);
    await this.fill(stored, async (appender) => {
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        appender.appendDataChunk(chunk);
        rows += chunk.rowCount;
        options.onRows?.(rows);
      }
      return rows;
    });
    return this.register(stored);
  }

  /** Stores rows given as JS values (the hot store's path); DuckDB casts each cell to its column type. */
  async ingestRows(
    columns: { name: string; type: string }[],
    batches: AsyncIterable<readonly (readonly unknown[])[]>,
    signal: AbortSignal,
  ): Promise<StoredResult> {
    const stored = await this.create(columns, null, true);
    if (columns.length === 0) return this.register(stored);
    await this.fill(stored, async (appender) => {
      let rows = 0;
      for await (const batch of batches) {
        if (signal.aborted) throw new WorkbenchError('CANCELLED', 'The query was cancelled.');
        for (const row of batch) {
          for (let c = 0; c < columns.length; c++) appendJsValue(appender, row[c]);
          appender.endRow();
          rows++;
        }
      }
      return rows;
    });
    return this.register(stored);
  }

  /** A kept result as a relation to fingerprint (its storage columns, the types the user sees). */
  fingerprintSource(r: StoredResult): FingerprintSource {
    return { relation: tableRef(r.table), columns: r.columns.length === 0 ? [] : r.storage, types: r.columns.map((c) => c.type) };
  }

  get(resultId: string): StoredResult {
    const r = this.results.get(resultId);
    if (!r) {
      throw new WorkbenchError(
        'NOT_FOUND',
        `The result ${resultId} is no longer kept (closed, or dropped to free memory after newer results). Run the query again.`,
      );
    }
    r.lastUsed = ++this.useClock;
    return r;
  }

  async window(resultId: string, offset: number, limit: number, sort: readonly SortKey[]): Promise<QueryWindowResult> {
    const r = this.get(resultId);
    const start = Math.min(offset, r.rowCount);
    const end = Math.min(offset + limit, r.rowCount);
    if (r.wire.length === 0 || end <= start) {
      const { arrow } = await (await arrowWindow()).encodeWindow(null, r.wire, 0);
      return { resultId, offset, rows: 0, rowCount: r.rowCount, arrow };
    }
    const connection = await this.instance.connect();
    try {
      const table = sort.length > 0 ? await this.sortedTable(r, sort) : r.table;
      // Materialized, not streamed: a window is small, and a streaming result left to the garbage collector keeps
      // the database (and the workspace lock) alive after close.
      const result = await connection.run(this.windowSql(r, table, start, end));
      const { rows, arrow } = await (await arrowWindow()).encodeWindow(result, r.wire, end - start);
      return { resultId, offset: start, rows, rowCount: r.rowCount, arrow };
    } finally {
      connection.closeSync();
    }
  }

  async close(resultId: string): Promise<boolean> {
    const r = this.results.get(resultId);
    if (!r) return false;
    this.results.delete(resultId);
    await this.dropTables(r);
    return true;
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.results.keys()]) await this.close(id);
  }

  private windowSql(r: StoredResult, table: string, start: number, end: number): string {
    const select = r.wire.map((w, i) => wireExpression(r.storage[i], w.kind)).join(', ');
    // rowid ranges, not OFFSET: DuckDB prunes row groups by rowid, so the last rows come as fast as the first.
    return `SELECT ${select} FROM ${tableRef(table)} WHERE rowid >= ${safeInt(start)} AND rowid < ${safeInt(end)}`;
  }

  private async sortedTable(r: StoredResult, sort: readonly SortKey[]): Promise<string> {
    if (!r.sortable) {
      throw new WorkbenchError('BAD_INPUT', 'This result keeps its own order (for example a query plan) and cannot be sorted.');
    }
    const key = JSON.stringify(sort.map((s) => [s.column, s.direction]));
    if (r.sorted && r.sorted.key === key) {
      await r.sorted.ready;
      return r.sorted.table;
    }
    const orderBy = sort.map((s) => {
      // The Arrow field name first (unique), then the real name (the first column of that name).
      let index = r.wire.findIndex((w) => w.name === s.column);
      if (index < 0) index = r.columns.findIndex((c) => c.name === s.column);
      if (index < 0) {
        throw new WorkbenchError('BAD_INPUT', `Cannot sort by "${s.column}": the result has no such column. Refresh the result.`);
      }
      return `${quoteIdent(r.storage[index])} ${s.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`;
    });
    const previous = r.sorted;
    const table = `${r.table}_s${++this.seq}`;
    const ready = (async () => {
      const connection = await this.instance.connect();
      try {
        // The original position breaks ties, so a sort is stable and repeatable.
        await connection.run(`CREATE TABLE ${tableRef(table)} AS SELECT * FROM ${tableRef(r.table)} ORDER BY ${orderBy.join(', ')}, rowid`);
      } finally {
        connection.closeSync();
      }
    })();
    r.sorted = { key, table, ready };
    if (previous) void this.drop(previous.table, previous.ready);
    try {
      await ready;
    } catch (err) {
      if (r.sorted?.table === table) r.sorted = null;
      throw sqlError(err);
    }
    return table;
  }

  private async create(
    columns: { name: string; type: string }[],
    typeIds: DuckDBTypeId[] | null,
    sortable: boolean,
  ): Promise<StoredResult> {
    const n = ++this.seq;
    const storage = columns.map((_c, i) => `c${i}`);
    const stored: StoredResult = {
      id: `r${n}_${randomBytes(4).toString('hex')}`,
      table: `res_${n}`,
      columns: columns.map((c) => ({ name: c.name, type: c.type })),
      wire: [],
      storage,
      rowCount: 0,
      sortable,
      lastUsed: ++this.useClock,
      sorted: null,
    };
    if (columns.length === 0) return stored;
    const connection = await this.instance.connect();
    try {
      const defs = columns.map((c, i) => `${quoteIdent(storage[i])} ${c.type}`).join(', ');
      await connection.run(`CREATE TABLE ${tableRef(stored.table)} (${defs})`);
      let ids = typeIds;
      if (!ids) {
        // Learn the stored types back from DuckDB (the hot path gives type text only).
        const reader = await connection.runAndReadAll(`SELECT * FROM ${tableRef(stored.table)} LIMIT 0`);
        ids = reader.columnTypes().map((t) => t.typeId);
      }
      const wireNames = uniqueNames(columns.map((c) => c.name));
      stored.wire = columns.map((c, i) => ({
        name: wireNames[i],
        realName: c.name,
        duckdbType: c.type,
        kind: wireKindFor((ids as DuckDBTypeId[])[i]),
      }));
    } catch (err) {
      throw new WorkbenchError('INTERNAL', `Could not keep the result: ${errorMessage(err)}`, columns.map((c) => c.type).join(', '));
    } finally {
      connection.closeSync();
    }
    return stored;
  }

  private async fill(stored: StoredResult, write: (appender: DuckDBAppender) => Promise<number>): Promise<void> {
    const connection = await this.instance.connect();
    let appender: DuckDBAppender | null = null;
    try {
      appender = await connection.createAppender(stored.table, 'main', RESULTS_DB);
      stored.rowCount = await write(appender);
      appender.closeSync();
      appender = null;
    } catch (err) {
      try {
        appender?.closeSync();
      } catch {
        // The appender may already be unusable; the table is dropped next.
      }
      await this.dropTables(stored);
      throw err;
    } finally {
      connection.closeSync();
    }
  }

  private register(stored: StoredResult): StoredResult {
    this.results.set(stored.id, stored);
    while (this.results.size > this.maxResults) {
      let oldest: StoredResult | null = null;
      for (const r of this.results.values()) {
        if (r.id !== stored.id && (oldest === null || r.lastUsed < oldest.lastUsed)) oldest = r;
      }
      if (!oldest) break;
      this.results.delete(oldest.id);
      void this.dropTables(oldest);
    }
    return stored;
  }

  private async dropTables(r: StoredResult): Promise<void> {
    if (r.sorted) await this.drop(r.sorted.table, r.sorted.ready);
    r.sorted = null;
    if (r.wire.length > 0 || r.columns.length > 0) await this.drop(r.table, Promise.resolve());
  }

  private async drop(table: string, after: Promise<void>): Promise<void> {
    await after.catch(() => undefined);
    try {
      const connection = await this.instance.connect();
      try {
        await connection.run(`DROP TABLE IF EXISTS ${tableRef(table)}`);
      } finally {
        connection.closeSync();
      }
    } catch {
      // Dropping is best effort (e.g. during shutdown); the in-memory database goes with the process.
    }
  }
}

function safeInt(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new WorkbenchError('INVALID_REQUEST', `Row position ${n} is not a whole number.`);
  return String(n);
}

/** Result types DuckDB cannot store in a table column become a storable equivalent. */
function storableTypeText(typeId: DuckDBTypeId, text: string): string {
  if (typeId === DuckDBTypeId.SQLNULL) return 'INTEGER';
  if (typeId === DuckDBTypeId.STRING_LITERAL) return 'VARCHAR';
  if (typeId === DuckDBTypeId.INTEGER_LITERAL) return 'BIGINT';
  return text;
}

function appendJsValue(appender: DuckDBAppender, v: unknown): void {
  if (v === null || v === undefined) appender.appendNull();
  else if (typeof v === 'boolean') appender.appendBoolean(v);
  else if (typeof v === 'number') appender.appendDouble(v);
  else if (typeof v === 'bigint') appender.appendVarchar(v.toString());
  else if (typeof v === 'string') appender.appendVarchar(v);
  else if (v instanceof Date) appender.appendVarchar(v.toISOString());
  else if (v instanceof Uint8Array) appender.appendBlob(v);
  else appender.appendVarchar(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
}

export function sqlError(err: unknown): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  return new WorkbenchError('SQL_ERROR', errorMessage(err));
}
