import type { DuckDBConnection } from '@duckdb/node-api';
import { StatementType } from '@duckdb/node-api';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { ExportFormat } from '../../../shared/api/export';
import { quoteLiteral } from '../../../shared/sql';
import { publishFile, sweepStaleTempsIn, tempPathFor } from '../files/atomic';
import { killPoint } from '../system/kill-switch';
import { enableProgress, runWithProgress } from './run-copy';

/** DuckDB COPY options per format: CSV with a header, Parquet with zstd, JSON as one array of objects. */
export const COPY_OPTIONS: Readonly<Record<ExportFormat, string>> = {
  csv: 'FORMAT csv, HEADER true',
  parquet: 'FORMAT parquet, COMPRESSION zstd',
  json: 'FORMAT json, ARRAY true',
};

export interface WriteProgress {
  fraction: number | null;
  rows: number;
}

/**
 * Writes the rows of one SELECT to `file` in `format`: DuckDB COPY into a temp name in the same
 * folder, then published (fsync, no-clobber link). A failed or cancelled export leaves nothing behind.
 */
export async function writeSelect(
  conn: DuckDBConnection,
  selectSql: string,
  format: ExportFormat,
  file: string,
  options: { signal?: AbortSignal; onProgress?: (p: WriteProgress) => void; totalRows?: number } = {},
): Promise<{ rows: number; bytes: number }> {
  await mkdir(dirname(file), { recursive: true });
  // What killed exports left next to this one goes first.
  await sweepStaleTempsIn(dirname(file));
  const temp = tempPathFor(file);
  await enableProgress(conn);
  try {
    const rows = await runWithProgress(conn, `COPY (\n${selectSql}\n) TO ${quoteLiteral(temp)} (${COPY_OPTIONS[format]})`, {
      signal: options.signal,
      onProgress: (p) => {
        const fraction = p.percentage >= 0 ? p.percentage / 100 : null;
        const total = options.totalRows;
        options.onProgress?.({ fraction, rows: total !== undefined && fraction !== null ? Math.round(total * fraction) : p.rowsProcessed });
      },
    });
    if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The export was cancelled; no file was written.');
    // Fault-test step (BW_KILL_AT=export:publish): the rows are all in the temp file, which is not yet published.
    killPoint('export', 'publish');
    try {
      await publishFile(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WorkbenchError(
          'CONFLICT',
          `${file} appeared while the export ran; an export never replaces a file.`,
          'Run it again to get a new name.',
        );
      }
      throw err;
    }
    return { rows, bytes: (await stat(file)).size };
  } finally {
    await rm(temp, { force: true });
  }
}

/** One SELECT (a trailing `;` allowed), checked before it is wrapped in COPY. */
export async function checkedSelect(conn: DuckDBConnection, sql: string): Promise<string> {
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (err) {
    throw new WorkbenchError('SQL_ERROR', `The SQL could not be read: ${errorMessage(err)}`);
  }
  if (extracted.count !== 1) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `Export takes exactly one SELECT statement; the text holds ${extracted.count}.`,
      'Remove the other statements, or export a result from the grid.',
    );
  }
  const prepared = await extracted.prepare(0).catch((err: unknown) => {
    throw new WorkbenchError('SQL_ERROR', errorMessage(err));
  });
  try {
    if (prepared.statementType !== StatementType.SELECT) {
      throw new WorkbenchError(
        'BAD_INPUT',
        'Export takes a SELECT (a query that returns rows); this statement does not.',
        'Run it in the SQL view instead.',
      );
    }
  } finally {
    prepared.destroySync();
  }
  return sql.trim().replace(/;+\s*$/, '');
}
