/**
 * The cold lake: hive-partitioned Parquet, `<dataset>/date=YYYY-MM-DD/part-*.parquet`, plus
 * `_manifests/` recording every batch written. One interface, local folder now, S3 later:
 * an S3 backend stages files locally, `publish` uploads them (PUT is atomic per object), and
 * `duckdbGlob` points DuckDB at a local cache or an s3:// URL where httpfs exists.
 */
export interface LakeFile {
  /** Key relative to the lake root, `/`-separated: `telemetry/date=2024-05-01/part-0001.parquet`. */
  key: string;
  dataset: string;
  /** Partition values parsed from the key, e.g. `{ date: '2024-05-01' }`. */
  partition: Record<string, string>;
  size: number;
  modifiedAt: Date;
}

export interface StagedFile {
  /** A local path the writer fills (e.g. DuckDB `COPY ... TO`); not visible to readers until published. */
  path: string;
  key: string;
}

export interface Lake {
  readonly kind: 'local' | 's3';
  /** Human-readable location (folder or bucket URL). */
  readonly location: string;
  /** Data files of a dataset (published Parquet only; temp files are never listed). */
  list(dataset: string): Promise<LakeFile[]>;
  read(key: string): Promise<Uint8Array>;
  /** Write bytes under a key atomically. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** A local place to write a file destined for `key`. */
  stage(key: string): Promise<StagedFile>;
  /** Make a staged file visible under its key, atomically. */
  publish(staged: StagedFile): Promise<LakeFile>;
  /** Drop a staged file that will not be published. */
  discard(staged: StagedFile): Promise<void>;
  /** Remove one object; no error when it does not exist. */
  remove(key: string): Promise<void>;
  /** Whether an object exists. */
  exists(key: string): Promise<boolean>;
  /** Remove a whole dataset (the demo's reset). */
  removeDataset(dataset: string): Promise<void>;
  /** The glob DuckDB's read_parquet reads the dataset from. */
  duckdbGlob(dataset: string): string;
}

/** Keys are relative, `/`-separated, with no `.`/`..` segments and no empty parts. */
export function checkKey(key: string): string[] {
  const parts = key.split('/');
  if (key.length === 0 || key.length > 1024 || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\u0000'))) {
    throw new Error(`Invalid lake key: ${JSON.stringify(key.slice(0, 200))}`);
  }
  return parts;
}

export function partitionOf(key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of key.split('/').slice(1, -1)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

/** `telemetry/date=2024-05-01/part-<tag>.parquet`. */
export function partitionKey(dataset: string, date: string, tag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`Invalid partition date ${date}`);
  if (!/^[A-Za-z0-9_-]+$/.test(tag)) throw new Error(`Invalid part tag ${tag}`);
  return `${dataset}/date=${date}/part-${tag}.parquet`;
}
