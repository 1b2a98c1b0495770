/**
 * The hook through which query.run({ target: 'hot' }) reaches PostgreSQL. The engine owns
 * no PostgreSQL code: the data platform gives the workbench a HotRunner (openWorkbench's
 * `hotRunner` option or `workbench.engine.setHotRunner(...)`). Without one, hot runs fail
 * with HOT_UNAVAILABLE. The engine stores what the runner returns as an ordinary result,
 * so it is windowed, sorted and closed like a DuckDB result.
 */
export interface HotRunResult {
  /** Result columns; `type` is the DuckDB type text each is stored as (e.g. VARCHAR, BIGINT, DOUBLE, TIMESTAMPTZ). */
  columns: { name: string; type: string }[];
  /**
   * Rows in batches, each row one cell per column. A cell is null, boolean, number, bigint,
   * string (DuckDB casts it to the column type: pass PostgreSQL's text form), Date or Uint8Array.
   */
  batches: AsyncIterable<readonly (readonly unknown[])[]>;
  /** How many statements ran (the last one's rows are the result). */
  statements: number;
}

export interface HotRunner {
  /**
   * Runs `sql` on the hot store. Stop and reject when `signal` aborts (query.cancel). Throw WorkbenchError to fail with a code.
   * Without `allowWrites` the session is read-only: a write fails with READ_ONLY.
   */
  run(sql: string, options: { runId: string; signal: AbortSignal; allowWrites: boolean }): Promise<HotRunResult>;
}
