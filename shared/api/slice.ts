import { z } from 'zod';
import { SliceSpecSchema, type SliceSpec, type SpecIssue } from '../domain/slice-spec';
import type { SliceFeatureSet } from '../domain/features';
import { method } from './define';
import type { JobHandle } from './jobs';

/** One column of a slice's output. */
export interface SliceColumn {
  name: string;
  /** DuckDB type text. */
  type: string;
}

/** One output file, as the manifest lists it. */
export interface SliceFile {
  /** Relative to the slice folder, `/`-separated: `train/part-0000.parquet`. */
  path: string;
  split: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface SliceSplitInfo {
  name: string;
  fraction: number;
  rows: number;
  /** Split by time: this split's rows have from <= time < to. */
  from?: string;
  to?: string;
  /** Split by battery: the units (battery_id or string_id) in this split, ascending. */
  entities?: number[];
}

/** What the slice read: the hot/cold watermark, the lake files and the hot mirror's state. */
export interface SliceSources {
  /** Per dataset read: cold rows are before this instant, hot rows at or after it (null: no lake yet). */
  tierSplit: Record<string, string | null>;
  /** Lake files whose partitions overlap the range (and lie before the tier split). */
  lakeFiles: { key: string; bytes: number; modifiedAt: string }[];
  /** The local mirror of the hot store, per dataset read. */
  hotMirror: Record<string, { watermark: number; rows: number; syncedAt: string | null }>;
}

/** `<out>/manifest.json`: everything needed to trust and reproduce the slice. */
export interface SliceManifest {
  kind: 'battery-workbench.training-slice';
  version: 1;
  createdAt: string;
  appVersion: string;
  duckdbVersion: string;
  /** The normalized spec; `export --spec manifest.json` runs it again. */
  spec: SliceSpec;
  /** The SELECT run for each split (each written with COPY ... TO parquet), and the split assignment query. */
  sql: { splits: Record<string, string>; assignment: string | null };
  sources: SliceSources;
  schema: SliceColumn[];
  splits: SliceSplitInfo[];
  files: SliceFile[];
  rows: number;
  bytes: number;
  /** `sha256:<hex>` over the rows in order (see the README for the exact recipe); the same rows give the same hash. */
  contentHash: string;
  contentHashAlgorithm: string;
  /** The feature sets joined: name, version, definition hash, lag and columns (absent when the spec names none). */
  features?: SliceFeatureSet[];
}

/** The job report of slice.run. */
export interface SliceReport {
  /** Absolute path of the slice folder. */
  dir: string;
  manifestPath: string;
  /** The web host serves the manifest at /download/<id> (slices in the workspace's exports folder only). */
  manifestDownloadId: string | null;
  manifest: SliceManifest;
  elapsedMs: number;
}

export interface SliceEstimate {
  spec: SliceSpec;
  rows: number;
  /** Rows per split, in the spec's order (one `all` split without a split). */
  splits: { name: string; rows: number }[];
  /** A rough Parquet size from the lake's bytes per value. */
  bytes: number;
  schema: SliceColumn[];
  /** The SELECT of the first split, for display. */
  sql: string;
  elapsedMs: number;
}

export interface SliceDatasetOption {
  name: string;
  entityColumn: string;
  timeColumn: string;
  columns: { name: string; type: string; numeric: boolean }[];
  filterKeys: string[];
  labelSources: string[];
  /** Oldest and newest time in the unified view, or null when empty. */
  extent: { min: string; max: string } | null;
}

export interface SliceOptions {
  datasets: SliceDatasetOption[];
  locations: { id: number; code: string; name: string }[];
  resamples: string[];
  /** Where slices go when no folder is given. */
  exportsDir: string;
}

export type SliceValidation = { ok: true; spec: SliceSpec } | { ok: false; issues: SpecIssue[] };

const OutPath = z.string().trim().min(1).max(4096).optional();

export const sliceApi = {
  /** Pickers: datasets with their columns, filter keys, label sources and time extent; the sites. */
  options: method<SliceOptions>()(z.object({}).default({})),
  /** Checks a spec (or a manifest) without running it; every issue names its field. Never fails for a bad spec. */
  validate: method<SliceValidation>()(z.object({ spec: z.unknown() })),
  /** Row counts per split, schema and a size estimate, before running. */
  estimate: method<SliceEstimate>()(z.object({ spec: SliceSpecSchema })),
  /**
   * Writes `<path>/<split>/part-*.parquet` and `<path>/manifest.json` as a job (report: SliceReport).
   * `path` must not exist or be an empty folder; default `<workspace>/exports/<dataset>-slice-<time>`.
   */
  run: method<JobHandle<SliceReport> & { dir: string }>()(z.object({ spec: SliceSpecSchema, path: OutPath })),
};
