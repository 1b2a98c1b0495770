import { z } from 'zod';
import { method } from './define';
import type { JobHandle } from './jobs';
import { PARQUET_CODECS, type ParquetCodec } from './convert';

export interface ColumnChunkStats {
  column: string;
  /** Parquet physical type (INT64, BYTE_ARRAY, ...). */
  physicalType: string;
  /** The engine's type for the column. */
  type: string;
  codecs: string[];
  encodings: string[];
  compressedBytes: number;
  uncompressedBytes: number;
  /** compressedBytes as a share of the file(s), 0..1. */
  share: number;
  min: string | null;
  max: string | null;
  nulls: number | null;
}

export interface RowGroupInfo {
  file: string;
  id: number;
  rows: number;
  compressedBytes: number;
  uncompressedBytes: number;
}

export interface ParquetFileInfo {
  /** Path relative to the inspected folder (or the file name). */
  path: string;
  rows: number;
  bytes: number;
  rowGroups: number;
  createdBy: string | null;
  /** CSV bytes this file was converted from, when the workbench converted it. */
  sourceBytes: number | null;
}

export interface PartitionCalendar {
  /** Partition key, e.g. `date`. */
  key: string;
  first: string | null;
  last: string | null;
  present: string[];
  /** Days between first and last with no partition folder. */
  missing: string[];
}

/** A file compaction would merge: small (or of small row groups), and sharing its folder (partition) with another file. */
export interface SmallFileWarning {
  path: string;
  bytes: number;
  rows: number;
  reason: string;
}

export interface ParquetInspection {
  target: string;
  files: ParquetFileInfo[];
  rows: number;
  bytes: number;
  schema: { name: string; type: string; physicalType: string | null; repetition: string | null }[];
  rowGroups: RowGroupInfo[];
  columns: ColumnChunkStats[];
  keyValue: { file: string; key: string; value: string }[];
  partitions: PartitionCalendar | null;
  warnings: SmallFileWarning[];
}

export interface DatasetStats {
  dataset: string;
  files: number;
  rows: number;
  parquetBytes: number;
  /** Source CSV bytes of the files the workbench converted, where known. */
  sourceBytes: number | null;
  ratio: number | null;
  partitions: number;
}

export interface HotTableSize {
  table: string;
  bytes: number;
  rows: number;
}

export interface StorageOverview {
  lakePath: string;
  datasets: DatasetStats[];
  cold: { bytes: number; rows: number; files: number };
  hot: { bytes: number; tables: HotTableSize[] } | null;
  /** Why the hot figures are missing, when they are. */
  hotError: string | null;
}

export interface CodecResult {
  codec: ParquetCodec;
  level: number | null;
  bytes: number;
  writeMs: number;
  readMs: number;
  ratio: number;
}

/** The report of a storage.compact job. */
export interface CompactionReport {
  partitions: number;
  filesBefore: number;
  filesAfter: number;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** One thing `lake check` found. `path` is relative to the lake. */
export interface LakeProblem {
  /**
   * missing-file: a manifest names a file that is absent; checksum-mismatch: a file's sha256 or row count differs
   * from its manifest; unlisted-file: a visible Parquet file no manifest knows (a conversion output recorded in
   * history excepted); overlap: one key visible from two files, or from the lake and the hot store; stray-temp: a
   * leftover temp file, or a hidden file no job is working on; unreadable-manifest; unfinished-job: a journaled
   * intent a killed job left (repair finishes compactions and conversions; the next archive run finishes archival);
   * catalog-stale: the workspace's catalog of the lake (what the views are made from) differs from the manifests'
   * live set (repair rebuilds it); outside-partition: a file holds rows whose partition column is not on the UTC day
   * of its `date=` folder (the views, bounded by month, would not show them); two-tiers: a local lake's file is in the
   * lake folder and in the archive folder with no move under way (repair drops the lake folder's copy when the
   * archive's matches its manifest).
   */
  kind:
    | 'missing-file'
    | 'checksum-mismatch'
    | 'unlisted-file'
    | 'overlap'
    | 'stray-temp'
    | 'unreadable-manifest'
    | 'unfinished-job'
    | 'catalog-stale'
    | 'outside-partition'
    | 'two-tiers';
  dataset: string;
  path: string;
  detail: string;
}

/** The report of a storage.checkLake job (and `battery-workbench lake check --json`). */
export interface LakeCheckReport {
  ok: boolean;
  location: string;
  /** The dataset checked, or null for the whole lake. */
  dataset: string | null;
  problems: LakeProblem[];
  /** Live files (per the manifests) that were checked, their rows (per the files) and bytes. */
  files: number;
  rows: number;
  bytes: number;
  /** What --repair did, one line each (empty without --repair). */
  repaired: string[];
  elapsedMs: number;
}

/** One dataset of the lake: what the lake holds and what this workspace has a verified local copy of. */
export interface LakeDatasetCoverage {
  dataset: string;
  daysRemote: number;
  /** Days whose every file has a verified local copy (DuckDB's cold views read only those). */
  daysCached: number;
  filesRemote: number;
  filesCached: number;
  bytesRemote: number;
  bytesCached: number;
  /** First and last day in the lake, and the days not cached (the first 50). */
  firstDay: string | null;
  lastDay: string | null;
  missingDays: string[];
}

/** `lake status --json`; the Storage and Settings views. A local lake is always complete and online. */
export interface LakeStatus {
  kind: 'local' | 's3';
  location: string;
  /** S3: whether the last request reached the endpoint; null before any (local: true). */
  online: boolean | null;
  lastContact: string | null;
  lastError: string | null;
  /** The local copy: its folder, size, and the cap above which only pinned working sets are kept (null: none). */
  cache: { dir: string; bytes: number; maxBytes: number | null; pins: LakePin[] } | null;
  datasets: LakeDatasetCoverage[];
  /** Every dataset has all its days cached. */
  complete: boolean;
}

/** A working set kept in the cache whatever its size: a dataset's days from..to (inclusive; open ends allowed). */
export interface LakePin {
  dataset: string;
  from: string | null;
  to: string | null;
}

/** The report of a storage.pullLake job and `lake pull --json`. */
export interface LakePullReport {
  location: string;
  /** Files fetched now, and files that were already cached and verified. */
  fetched: number;
  fetchedBytes: number;
  alreadyCached: number;
  /** Cached files that failed verification (changed on disk) and were fetched again. */
  refetched: number;
  /** Files evicted (least recently used, unpinned) to stay under the cache cap. */
  evicted: number;
  /** Files not fetched because they do not fit the cache cap (pinned files and the newest days go first). */
  skipped: number;
  retries: number;
  elapsedMs: number;
  status: LakeStatus;
}

const Target = z
  .object({
    dataset: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.=-]*$/, 'must be a dataset name from the lake')
      .optional(),
    path: z.string().min(1).max(4096).optional(),
  })
  .refine((t) => (t.dataset === undefined) !== (t.path === undefined), { message: 'give exactly one of dataset or path' });

/** A UTC day, YYYY-MM-DD, that exists on the calendar. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, 'must be a day on the calendar');

const LakeDataset = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/, 'must be a lake dataset name');

/** A dataset's days from..to (both inclusive, either open). */
const DayRange = z.object({ from: Day.optional(), to: Day.optional() });
const fromNotAfterTo = (r: { from?: string; to?: string }): boolean => r.from === undefined || r.to === undefined || r.from <= r.to;
const FROM_AFTER_TO = { message: 'must not be after to', path: ['from'] };
const PinInput = DayRange.extend({ dataset: LakeDataset }).refine(fromNotAfterTo, FROM_AFTER_TO);

export const storageApi = {
  overview: method<StorageOverview>()(z.object({}).default({})),
  inspect: method<ParquetInspection>()(Target),
  codecLab: method<{ source: string; sampleRows: number; results: CodecResult[] }>()(
    z.object({
      target: Target,
      sampleRows: z.number().int().min(1_000).max(5_000_000).default(200_000),
      codecs: z
        .array(z.object({ codec: z.enum(PARQUET_CODECS), level: z.number().int().min(1).max(22).optional() }))
        .min(1)
        .max(20)
        .default([
          { codec: 'uncompressed' },
          { codec: 'snappy' },
          { codec: 'gzip' },
          { codec: 'zstd', level: 1 },
          { codec: 'zstd', level: 3 },
          { codec: 'zstd', level: 9 },
          { codec: 'zstd', level: 19 },
        ]),
    }),
  ),
  /** Reads every manifest and file of the lake and reports problems (a job; its report is a LakeCheckReport). */
  checkLake: method<JobHandle<LakeCheckReport>>()(
    z.object({
      dataset: LakeDataset.optional(),
      /** Do what loses nothing: remove temp files whose rows are proven present elsewhere, finish journaled intents. */
      repair: z.boolean().default(false),
    }),
  ),
  /**
   * What the lake holds per dataset, what of it is cached locally, online state and last contact. `coverageOnly`:
   * just what the cold-coverage notes need (a local lake then answers without listing its files, e.g. at app open).
   */
  lakeStatus: method<LakeStatus>()(z.object({ coverageOnly: z.boolean().default(false) }).default({ coverageOnly: false })),
  /** Fetches the lake's files in scope into the local cache (S3; a local lake has nothing to pull), then refreshes the cold views (a job). */
  pullLake: method<JobHandle<LakePullReport>>()(
    DayRange.extend({ dataset: LakeDataset.optional() }).default({}).refine(fromNotAfterTo, FROM_AFTER_TO),
  ),
  /** Keeps a dataset's days in the cache whatever its cap (S3 only; a local lake answers BAD_INPUT). */
  pinLake: method<{ pins: LakePin[] }>()(PinInput),
  /** Takes back a pin given by pinLake (the same dataset, from and to). */
  unpinLake: method<{ pins: LakePin[] }>()(PinInput),
  /** Rewrites each partition of a lake dataset that has several small files into one file (a job). */
  compact: method<JobHandle<CompactionReport>>()(
    z.object({ dataset: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lake dataset name') }),
  ),
};
