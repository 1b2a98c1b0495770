import type { ExportApi } from '../../../shared/api/contract';
import type { ExportFormat, ExportedFile } from '../../../shared/api/export';
import type { Engine } from '../engine/engine';
import type { JobContext, JobRunner } from '../jobs/runner';
import { downloadIdFor, resolveExportFile } from '../export/export-paths';
import { keptResultSelect, type StoredResult } from '../engine/result-store';
import { checkedSelect, writeSelect } from '../export/query-export';
import { chartColumns, chartRowsSql } from '../chart/chart-sql';

export interface ExportServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  /** `<workspace>/exports`: the default place, and the only one the web host serves downloads from. */
  exportsDir: string;
}

const EXT: Readonly<Record<ExportFormat, string>> = { csv: 'csv', parquet: 'parquet', json: 'json' };

/** export.*: a whole SELECT or a whole kept result to CSV, Parquet or JSON, as a job with progress and cancel. */
export function createExportService(deps: ExportServiceDeps): ExportApi {
  const write = async (
    ctx: JobContext,
    select: (conn: Awaited<ReturnType<Engine['connect']>>) => Promise<string>,
    file: string,
    format: ExportFormat,
    totalRows?: number,
  ): Promise<ExportedFile> => {
    const started = performance.now();
    // Under the job budget: a SELECT whose rows are sorted or grouped spills instead of growing with them (and where
    // DuckDB cannot spill it, it runs once more under the workspace's limit).
    return deps.engine.withJobMemoryOrMore(
      () =>
        deps.engine.withConnection(async (conn) => {
          const sql = await select(conn);
          ctx.progress({ phase: 'write', fraction: 0, message: `Writing ${file}` });
          const { rows, bytes } = await writeSelect(conn, sql, format, file, {
            signal: ctx.signal,
            totalRows,
            onProgress: (p) => ctx.progress({ fraction: p.fraction, rows: p.rows }),
          });
          ctx.progress({ phase: 'done', fraction: 1, rows, bytes, message: `Wrote ${file}` });
          return {
            path: file,
            rows,
            bytes,
            format,
            elapsedMs: Math.round(performance.now() - started),
            downloadId: downloadIdFor(deps.exportsDir, file),
          };
        }),
      (message) => ctx.progress({ phase: 'write', fraction: 0, message }),
      ctx.note,
    );
  };

  /** An export of a kept result's rows (`select` reads them), checked now and written as a job. */
  const startKept = async (
    req: { resultId: string; format: ExportFormat; name: string; path?: string },
    select: (stored: StoredResult) => string,
    totalRows?: (stored: StoredResult) => number,
  ): Promise<{ jobId: string }> => {
    const stored = deps.engine.keptResult(req.resultId);
    const sql = select(stored);
    const file = await resolveExportFile({ path: req.path, exportsDir: deps.exportsDir, name: req.name, ext: EXT[req.format] });
    const { jobId } = deps.jobs.start(
      'export',
      (ctx) =>
        write(
          ctx,
          async () => {
            // The result may have been dropped (LRU) since the job was asked for.
            deps.engine.keptResult(req.resultId);
            return sql;
          },
          file,
          req.format,
          totalRows?.(stored),
        ),
      { phase: 'write' },
    );
    return { jobId };
  };

  return {
    query: async (req) => {
      // Check the SQL and the target before a job exists, so mistakes are immediate errors.
      const sql = await deps.engine.withConnection((conn) => checkedSelect(conn, req.sql));
      const file = await resolveExportFile({ path: req.path, exportsDir: deps.exportsDir, name: req.name, ext: EXT[req.format] });
      const { jobId } = deps.jobs.start('export', (ctx) => write(ctx, async () => sql, file, req.format), { phase: 'write' });
      return { jobId };
    },
    result: async (req) =>
      startKept(
        req,
        (stored) => keptResultSelect(stored, req.sort),
        (stored) => stored.rowCount,
      ),
    chart: async (req) => startKept(req, (stored) => chartRowsSql(chartColumns(stored, req.settings, false), req.range ?? null)),
  };
}
