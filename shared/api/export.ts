import { z } from 'zod';
import { method } from './define';
import type { JobHandle } from './jobs';
import { ChartRange, ChartSettings } from './chart';
import { SortKey } from './query';

export const EXPORT_FORMATS = ['csv', 'parquet', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Where an export is written: a file path, or a folder (the default file name goes in it). Default: the
 * workspace's exports folder, `<workspace>/exports/<name>-<timestamp>.<ext>`. An existing file is never replaced.
 */
const OutPath = z.string().trim().min(1).max(4096).optional();

/** Used for the default file name. */
const FileName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be letters, digits, _ . or -')
    .default(fallback);

export interface ExportedFile {
  /** Absolute path of the written file (published atomically). */
  path: string;
  rows: number;
  bytes: number;
  format: ExportFormat;
  elapsedMs: number;
  /** Id the web host serves the file under at /download/<id> (files in the exports folder only). */
  downloadId: string | null;
}

export const exportApi = {
  /** Writes the full result of one SELECT (not only the loaded rows) as a job; the report is an ExportedFile. */
  query: method<JobHandle<ExportedFile>>()(
    z.object({
      sql: z.string().min(1).max(1_000_000),
      format: z.enum(EXPORT_FORMATS).default('csv'),
      /** Used for the default file name. */
      name: FileName('export'),
      path: OutPath,
    }),
  ),
  /** Writes a whole kept result (from query.run) in the grid's sort (the engine's order when none), as a job. */
  result: method<JobHandle<ExportedFile>>()(
    z.object({
      resultId: z.string().min(1).max(100),
      sort: z.array(SortKey).max(8).default([]),
      format: z.enum(EXPORT_FORMATS).default('csv'),
      name: FileName('result'),
      path: OutPath,
    }),
  ),
  /**
   * Writes the full-resolution rows behind a chart of a kept result (query.chart): its columns, in the range when
   * given (x's units), in the result's order, as a job.
   */
  chart: method<JobHandle<ExportedFile>>()(
    z.object({
      resultId: z.string().min(1).max(100),
      settings: ChartSettings,
      range: ChartRange.optional(),
      format: z.enum(EXPORT_FORMATS).default('csv'),
      name: FileName('chart'),
      path: OutPath,
    }),
  ),
};
