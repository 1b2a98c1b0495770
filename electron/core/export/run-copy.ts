import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';

export interface CopyProgress {
  /** 0..100, or -1 when DuckDB cannot tell. */
  percentage: number;
  rowsProcessed: number;
}

/** Turns DuckDB progress tracking on for this connection (printing stays off). */
export async function enableProgress(conn: DuckDBConnection): Promise<void> {
  await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
}

/**
 * Runs one statement (a COPY ... TO) on `conn`, reporting DuckDB's progress every `intervalMs`
 * and interrupting it when `signal` aborts (then it throws CANCELLED). Resolves to the first
 * cell of the result (COPY's row count).
 */
export async function runWithProgress(
  conn: DuckDBConnection,
  sql: string,
  options: { signal?: AbortSignal; onProgress?: (p: CopyProgress) => void; intervalMs?: number } = {},
): Promise<number> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The export was cancelled.');
  const onAbort = (): void => conn.interrupt();
  signal?.addEventListener('abort', onAbort);
  const timer = onProgress
    ? setInterval(() => {
        try {
          const p = conn.progress;
          onProgress({ percentage: p.percentage, rowsProcessed: Number(p.rows_processed) });
        } catch {
          // progress is best effort
        }
      }, options.intervalMs ?? 200)
    : null;
  try {
    const reader = await conn.runAndReadAll(sql);
    const first = reader.getRowsJS()[0]?.[0];
    return first === undefined || first === null ? 0 : Number(first);
  } catch (err) {
    if (signal?.aborted || /interrupt/i.test(errorMessage(err))) throw new WorkbenchError('CANCELLED', 'The export was cancelled.');
    if (err instanceof WorkbenchError) throw err;
    throw new WorkbenchError('SQL_ERROR', `The export query failed: ${errorMessage(err)}`);
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
