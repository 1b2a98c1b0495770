import { z } from 'zod';
import { method } from './define';
import type { ErrorCode } from './errors';
import type { RollupWait } from './dashboard';
import type { JobHandle } from './jobs';

export const PARQUET_CODECS = ['zstd', 'snappy', 'gzip', 'uncompressed'] as const;
export type ParquetCodec = (typeof PARQUET_CODECS)[number];

/** Types a user may pick for a CSV column: DuckDB names, optionally with (p) or (p,s). */
export const CSV_COLUMN_TYPES = [
  'VARCHAR',
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
  'UUID',
  'BLOB',
] as const;

const TYPE_RE = new RegExp(`^(${CSV_COLUMN_TYPES.join('|')})(\\(\\s*\\d{1,2}\\s*(,\\s*\\d{1,2}\\s*)?\\))?$`, 'i');
export const ColumnType = z
  .string()
  .trim()
  .regex(TYPE_RE, `must be one of ${CSV_COLUMN_TYPES.join(', ')} (DECIMAL may take (precision, scale))`);

/** How to read the CSV; anything left out is sniffed. */
export const CsvDialect = z.object({
  delimiter: z.string().min(1).max(4).optional(),
  quote: z.string().max(1).optional(),
  escape: z.string().max(1).optional(),
  header: z.boolean().optional(),
  skipRows: z.number().int().min(0).max(1_000_000).optional(),
});
export type CsvDialect = z.infer<typeof CsvDialect>;

export const ColumnOverride = z.object({
  /** Column name as it is in the CSV (or as sniffed). */
  source: z.string().min(1).max(1000),
  /** New name in the Parquet output. */
  name: z.string().min(1).max(1000).optional(),
  type: ColumnType.optional(),
});
export type ColumnOverride = z.infer<typeof ColumnOverride>;

const DatasetName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _, starting with a letter')
  .refine((d) => d !== 'master', 'master holds the master-data snapshots; choose another name');

export const ConvertTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('lake'), dataset: DatasetName }),
]);
export type ConvertTarget = z.infer<typeof ConvertTarget>;

export const ConvertRequest = z.object({
  inputs: z.array(z.string().min(1).max(4096)).min(1, 'needs at least one file or folder').max(10_000),
  target: ConvertTarget,
  dialect: CsvDialect.default({}),
  /** Overrides by source column name; columns not named keep their sniffed name and type. */
  columns: z.array(ColumnOverride).max(10_000).default([]),
  codec: z.enum(PARQUET_CODECS).default('zstd'),
  compressionLevel: z.number().int().min(1).max(22).optional(),
  rowGroupSize: z.number().int().min(1_000).max(10_000_000).default(122_880),
  /** Partition the output by the UTC day of this timestamp column (hive `date=YYYY-MM-DD`). */
  partitionByDay: z.string().min(1).max(1000).optional(),
  /** 'fail' (default): any bad row fails the job, nothing is written, the report lists them. 'skip': bad rows are left out and reported. */
  onBadRows: z.enum(['fail', 'skip']).default('fail'),
  /** Quality checks of readings (order, ranges, units, current sign) fail the file instead of warning; nothing is written. */
  strict: z.boolean().default(false),
});
export type ConvertRequest = z.infer<typeof ConvertRequest>;
export type ConvertRequestInput = z.input<typeof ConvertRequest>;

export interface SniffedColumn {
  name: string;
  type: string;
}

export interface CsvPreview {
  file: string;
  bytes: number;
  compressed: boolean;
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  skipRows: number;
  columns: SniffedColumn[];
  /** The first rows as text, exactly as read with the sniffed (or given) dialect. */
  sample: (string | null)[][];
}

export interface RejectedRow {
  file: string;
  /** 1-based line in the file where the bad record starts. */
  line: number;
  column: string | null;
  reason: string;
  /** The raw record text, cut to 500 characters. */
  text: string;
}

/** The quality checks run on converted readings (telemetry-like or string_telemetry-like columns). */
export const QUALITY_CHECKS = [
  'time_backwards',
  'time_duplicate',
  'voltage_range',
  'temperature_range',
  'unit_voltage',
  'unit_resistance',
  'unit_current',
  'current_sign',
] as const;
export type QualityCheck = (typeof QUALITY_CHECKS)[number];

/** A quality check that found something in a converted file: how many readings, and a few of them as text. */
export interface QualityWarning {
  file: string;
  check: QualityCheck;
  column: string;
  /** Readings concerned. */
  count: number;
  /** Units (jars or strings) concerned, for the per-unit checks (unit mistakes, current sign). */
  keys?: number;
  message: string;
  /** Up to 5 examples, as text: `row 12: battery_id 3 at 2024-05-01 00:05:00+00: 95.0 degC`. */
  examples: string[];
}

export interface ConvertedFile {
  input: string;
  outputs: string[];
  rowsIn: number;
  rowsWritten: number;
  rejected: number;
  inputBytes: number;
  outputBytes: number;
}

/** `rollupMs`: how long a conversion into the lake waited for the gold rollups to include its rows. */
export interface ConvertReport extends Partial<RollupWait> {
  /** Rows written to Parquet. */
  rows: number;
  rowsIn: number;
  rejected: number;
  inputBytes: number;
  outputBytes: number;
  /** inputBytes / outputBytes. */
  ratio: number;
  elapsedMs: number;
  codec: ParquetCodec;
  target: ConvertTarget;
  files: ConvertedFile[];
  /** Up to 1,000 bad rows (all of them counted in `rejected`). */
  rejects: RejectedRow[];
  /** Quality warnings of the converted readings (absent in reports made before the checks existed). */
  warnings?: QualityWarning[];
}

/** The report of a conversion that has written nothing (yet): where it starts, and what a failed one records. */
export function emptyConvertReport(codec: ParquetCodec, target: ConvertTarget, inputBytes = 0): ConvertReport {
  return {
    rows: 0,
    rowsIn: 0,
    rejected: 0,
    inputBytes,
    outputBytes: 0,
    ratio: 0,
    elapsedMs: 0,
    codec,
    target,
    files: [],
    rejects: [],
    warnings: [],
  };
}

/** A conversion as kept in the workspace's history: its report and, when it failed, why (an ErrorCode and message). */
export type StoredConversion = ConvertReport & { id: number; startedAt: string; error: string | null; errorCode: ErrorCode | null };

export const convertApi = {
  preview: method<{ previews: CsvPreview[] }>()(
    z.object({ inputs: ConvertRequest.shape.inputs, dialect: CsvDialect.default({}), rows: z.number().int().min(1).max(1000).default(20) }),
  ),
  /** Starts the conversion as a job; follow it through 'job.progress' and jobs.list. */
  start: method<JobHandle<ConvertReport>>()(ConvertRequest),
  history: method<{ reports: StoredConversion[] }>()(z.object({ limit: z.number().int().min(1).max(1000).default(100) })),
};
