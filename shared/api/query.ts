import { z } from 'zod';
import { ChartRequest, type ChartData } from './chart';
import { method } from './define';
import type { ExplainResult } from './explain';
import { ParamDecls, ParamValues } from './params';
import { PivotSpec } from './pivot';

export const QueryTarget = z.enum(['workspace', 'hot']);
export type QueryTarget = z.infer<typeof QueryTarget>;

const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');

export interface ColumnInfo {
  name: string;
  /** The engine's type text, e.g. `BIGINT`, `DECIMAL(18,3)`, `TIMESTAMP WITH TIME ZONE`. */
  type: string;
}

export interface QueryRunResult {
  runId: string;
  /** Kept in the core until closed; read it in windows. */
  resultId: string;
  columns: ColumnInfo[];
  rowCount: number;
  elapsedMs: number;
  /** How many statements ran; the last one's rows are the result. */
  statements: number;
  /** False when the result cannot be re-queried with ORDER BY (e.g. EXPLAIN); the grid hides sort then. */
  sortable: boolean;
}

export interface QueryWindowResult {
  resultId: string;
  offset: number;
  /** Rows in this window. */
  rows: number;
  /** Rows in the whole result. */
  rowCount: number;
  /** Arrow IPC stream bytes; each field's metadata `duckdb_type` names the engine type. */
  arrow: Uint8Array;
}

export interface HistoryEntry {
  id: number;
  sql: string;
  target: QueryTarget;
  startedAt: string;
  elapsedMs: number;
  rowCount: number | null;
  error: string | null;
  /** The parameter values the run was given, by name (`{}` when none). */
  params: Record<string, unknown>;
  /**
   * The lake days (UTC `YYYY-MM-DD`, or a `first..last` run of days) of every cold dataset the query names, by dataset:
   * the days its result may depend on. A filter in the query is not taken into account. `{}`: no lake data named.
   */
  coldDays: Record<string, string[]>;
  /** The hot mirror's watermark per dataset when the query ran (how far it was synced from PostgreSQL). */
  hotWatermark: Record<string, number>;
  /** The result fingerprint (hex; see README, Run history); null while it is computed, for a failed run, or when it could not be. */
  resultHash: string | null;
}

export const SortKey = z.object({ column: z.string().min(1).max(1000), direction: z.enum(['asc', 'desc']) });
export type SortKey = z.infer<typeof SortKey>;

export const queryApi = {
  run: method<QueryRunResult>()(
    z.object({
      sql: z.string().min(1, 'is empty: type a query first').max(10_000_000),
      target: QueryTarget.default('workspace'),
      runId: Id,
      /** An editor session (e.g. the SQL tab's id): SET, TEMP tables and open transactions carry over between its runs. */
      sessionId: Id.optional(),
      /** target 'hot' only: run as the role that may change data. Off: a read-only session (a write is refused with READ_ONLY). */
      allowWrites: z.boolean().optional(),
      /** Values of the SQL's named parameters (`$site` is `site`), bound as prepared-statement values, never put into the SQL text. */
      params: ParamValues.optional(),
      /** The parameters' declared types (a saved query's): each value is checked against its type and bound as that type. */
      paramTypes: ParamDecls.optional(),
    }),
  ),
  window: method<QueryWindowResult>()(
    z.object({
      resultId: Id,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(2_000_000),
      sort: z.array(SortKey).max(8).default([]),
    }),
  ),
  /** A chart of a kept result: its points computed in the core (downsampled, binned or aggregated), never its rows. */
  chart: method<ChartData>()(ChartRequest),
  cancel: method<{ cancelled: boolean }>()(z.object({ runId: Id })),
  close: method<{ closed: boolean }>()(z.object({ resultId: Id })),
  /** Ends an editor session (its tab was closed). */
  closeSession: method<{ closed: boolean }>()(z.object({ sessionId: Id })),
  /** A pivot of a kept result (DuckDB PIVOT), kept as a new result: read, sort and export it like any other. */
  pivot: method<QueryRunResult>()(z.object({ resultId: Id, runId: Id, spec: PivotSpec })),
  /**
   * The plan of one workspace statement as a tree, and which tier each scan reads: the lake's Parquet files and
   * bytes after pruning, the hot mirror's rows. `analyze` runs the statement (EXPLAIN ANALYZE) for actual rows and time.
   */
  explain: method<ExplainResult>()(
    z.object({ sql: z.string().min(1, 'is empty: type a query first').max(10_000_000), runId: Id, analyze: z.boolean().default(false) }),
  ),
  history: method<{ entries: HistoryEntry[] }>()(
    z.object({ search: z.string().max(1000).default(''), limit: z.number().int().min(1).max(1000).default(200) }),
  ),
};

export interface QueryProgressEvent {
  runId: string;
  /** 0..100, or -1 when the engine cannot tell. */
  percentage: number;
  rowsProcessed: number;
  totalRows: number;
}
