import { setTimeout as sleep } from 'node:timers/promises';
import { WorkbenchError } from '../../../shared/api/errors';
import type { LakePin, LakePullReport, LakeStatus } from '../../../shared/api/storage';
import type { LakeProgress } from './coverage';
import type { BatchManifest } from './manifest';

/**
 * The cold lake: hive-partitioned Parquet, `<dataset>/date=YYYY-MM-DD/part-*.parquet`, plus
 * `_manifests/` recording every batch written, replaced or withdrawn. `Lake` is the only door to it:
 * archival, conversion, compaction, export, the inspector and the views go through this interface and
 * never read a root folder or cast to a backend. A local folder implements it today; an S3 backend stages
 * files locally, publishes them with a conditional PUT and hands DuckDB the path of a verified local copy.
 */
export interface LakeFile {
  /** Key relative to the lake root, `/`-separated: `telemetry/date=2024-05-01/part-0001.parquet`. */
  key: string;
  dataset: string;
  /** Partition values parsed from the key, e.g. `{ date: '2024-05-01' }`. */
  partition: Record<string, string>;
  size: number;
  modifiedAt: Date;
  /** Rows, when the lake knows them without reading the file (an S3 lake: from the manifest). */
  rows?: number;
}

/** Anything under a dataset (or other top-level folder), for the lake check: published, temp or other. */
export interface LakeEntry {
  key: string;
  /** Where a published file is, when not in the lake's first tier (a local lake's `archive` folder). */
  tier?: string;
  size: number;
  modifiedAt: Date;
  /** `data`: a published Parquet file; `temp`: a writer's temp name; `other`: anything else. */
  kind: 'data' | 'temp' | 'other';
  /** Temp files: whether the process that writes it is still running. */
  writerAlive?: boolean;
}

export interface StagedFile {
  /** A local path the writer fills (e.g. DuckDB `COPY ... TO`); not visible to readers until published. */
  path: string;
  key: string;
  /** Its SHA-256 when the writer has it already (the archiver verifies it before publishing): not read again. */
  sha256?: string;
}

/** Held by the one job that may rewrite the lake (archival, compaction, repair); see `Lake.lockWriter`. */
export interface LakeWriterLock {
  release(): Promise<void>;
}

export interface Lake {
  readonly kind: 'local' | 's3';
  /** Human-readable location (folder or bucket URL). */
  readonly location: string;
  /** Create the lake if it is missing and prove it writable. */
  ensure(): Promise<void>;
  /** Before a job that writes the lake: an S3 lake that cannot be reached fails at once (LAKE_OFFLINE), saying so. */
  requireOnline(what: string): Promise<void>;
  /** The datasets in the lake: top-level folders holding data (bookkeeping such as `_manifests` and `master` excluded). */
  datasets(): Promise<string[]>;
  /**
   * The live Parquet files of a dataset (per its manifests), in key order. A dataset no manifest names at all (written
   * before manifests existed) is read as listed. A file no manifest names (copied in by hand) is not listed; `lake
   * check` reports it. Temp files are never listed.
   */
  list(dataset: string): Promise<LakeFile[]>;
  /** The listed files DuckDB can read now: a local lake's are all; an S3 lake's are those with a verified cached copy. */
  readable(dataset: string): Promise<LakeFile[]>;
  /** Of these live keys, those DuckDB can read now without a download (a local lake: the files that are there; one stat each). */
  cached(keys: readonly string[]): Promise<Set<string>>;
  /** Makes sure these files have a local copy (S3: fetched into the cache and verified against the manifests). */
  fetch(keys: readonly string[]): Promise<void>;
  /** The published object's size and SHA-256 (S3: from a HEAD; null sha256 when the store keeps none), or null when absent. */
  describe(key: string): Promise<{ bytes: number; sha256: string | null } | null>;
  /** Requests the lake retried so far (S3: the SDK's retries and re-downloads; a local lake: 0). */
  retryCount(): number;
  /**
   * What the lake holds per dataset and what of it is local; online state and last contact (S3). `coverageOnly`: only what a cold-coverage
   * note needs (days missing from the cache); a local lake holds every day it has, so it answers without listing.
   */
  status(options?: { coverageOnly?: boolean }): Promise<LakeStatus>;
  /** Fills the local copy (S3) with the live files in scope; a local lake has nothing to pull. */
  pull(
    scope?: { dataset?: string; from?: string; to?: string; auto?: boolean },
    onProgress?: (p: LakeProgress) => void,
    signal?: AbortSignal,
  ): Promise<LakePullReport>;
  /** Keeps a working set in the cache whatever the cap (S3 only). */
  pin(pin: LakePin): Promise<void>;
  unpin(pin: LakePin): Promise<void>;
  /** Everything under a folder (default: the whole lake), temp files included (the lake check's view). */
  listEntries(folder?: string): Promise<LakeEntry[]>;
  /** Every manifest of one dataset, or of the whole lake, in key order. */
  manifests(dataset?: string): Promise<{ key: string; manifest: BatchManifest }[]>;
  /**
   * The keys of the manifests (of one dataset), unread, in key order: the workspace catalog's cheap staleness check.
   * A local lake lists only its `_manifests/` folders; an S3 lake answers from its index (refreshed from S3 at open and
   * at every pull).
   */
  manifestKeys(dataset?: string): Promise<string[]>;
  /** One manifest, or null when it is gone or not a readable manifest (the lake check reports those). */
  readManifest(key: string): Promise<BatchManifest | null>;
  read(key: string): Promise<Uint8Array>;
  /** Write bytes under a key atomically. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** A local place to write a file destined for `key`. */
  stage(key: string): Promise<StagedFile>;
  /** Make a staged file visible under its key, atomically; never replaces an existing file (EEXIST). */
  publish(staged: StagedFile): Promise<LakeFile>;
  /** Drop a staged file that will not be published. */
  discard(staged: StagedFile): Promise<void>;
  /**
   * Take back published files whose rows live elsewhere (PostgreSQL, a replacing file): a `withdraw`
   * manifest names them first, so the lake check knows they are gone on purpose, then they are removed.
   */
  withdraw(dataset: string, keys: readonly string[], reason: string): Promise<void>;
  /** Remove one object; no error when it does not exist. */
  remove(key: string): Promise<void>;
  /** Whether an object exists. */
  exists(key: string): Promise<boolean>;
  /** Remove a whole dataset (the demo's reset). */
  removeDataset(dataset: string): Promise<void>;
  /** The local file DuckDB reads for `key` (for S3: its verified cache copy; a local lake: the archive folder's, once there). */
  localPath(key: string): string;
  /**
   * The storage tiers, warmest first: new files land in the first; lifecycle moves take them to the others, where the
   * views still read them. A local lake: `standard` (the lake folder), and `archive` when an archive folder is set. An
   * S3 lake: its instantly retrievable storage classes (`STANDARD`, `STANDARD_IA`, `GLACIER_IR`).
   */
  readonly tiers: readonly string[];
  /**
   * Puts a published file into a colder tier under the same key, readable all along: a local lake copies it into the
   * archive folder (verified against `want`, never over another file; a verified copy already there is kept); an S3 lake
   * changes the object's storage class in place. Safe to repeat.
   */
  copyToTier(key: string, tier: string, want: { bytes: number; sha256: string }): Promise<void>;
  /** After `copyToTier`: drops the file's copy in the warmer tier (a local lake: the one in the lake folder; S3: nothing). */
  settleTier(key: string): Promise<void>;
  /**
   * The lake-writer lock: archival, compaction and repair never run at once on one lake, even from
   * two workspaces sharing it. Throws CONFLICT naming the holder.
   */
  lockWriter(owner: string): Promise<LakeWriterLock>;
}

export interface WriterTurnOptions {
  signal?: AbortSignal;
  /** Told once, with the holder's CONFLICT message, when this writer has to wait. */
  onWait?: (message: string) => void;
  /** How long to wait for the holder before giving up with its CONFLICT (default 30 minutes). */
  patienceMs?: number;
  /** Between attempts (default 500 ms). */
  pollMs?: number;
}

/**
 * The lake-writer lock, waiting for its turn: every job that rewrites the lake (archival, compaction, repair,
 * calculated metrics, feature sets, conversions into the lake) and the lake check (whose reading must not see a
 * writer half-way) take turns. A holder killed with -9 is taken over by `lockWriter` itself; a live one is waited
 * for, cancellably, up to `patienceMs`, then its CONFLICT (naming it) is thrown.
 */
export async function writerTurn(lake: Lake, owner: string, options: WriterTurnOptions = {}): Promise<LakeWriterLock> {
  const deadline = Date.now() + (options.patienceMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      return await lake.lockWriter(owner);
    } catch (err) {
      if (!(err instanceof WorkbenchError) || err.code !== 'CONFLICT' || Date.now() >= deadline) throw err;
      if (!told) options.onWait?.(err.message);
      told = true;
    }
    if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', `Cancelled while waiting for the lake: ${owner} did not start.`);
    await sleep(options.pollMs ?? 500, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}

/** Whether the published object under `key` has this size and SHA-256 (the confirmation after an upload). */
export async function confirmObject(lake: Lake, key: string, want: { bytes: number; sha256: string }): Promise<boolean> {
  const d = await lake.describe(key);
  return d !== null && d.bytes === want.bytes && d.sha256 === want.sha256;
}

/** Top-level folders that are bookkeeping, not datasets. */
export const RESERVED_FOLDERS = ['master'] as const;

export function isReservedFolder(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.') || (RESERVED_FOLDERS as readonly string[]).includes(name);
}

/** Keys are relative, `/`-separated, with no `.`/`..` segments and no empty parts. */
export function checkKey(key: string): string[] {
  const parts = key.split('/');
  if (
    key.length === 0 ||
    key.length > 1024 ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\u0000'))
  ) {
    throw new Error(`Invalid lake key: ${JSON.stringify(key.slice(0, 200))}`);
  }
  return parts;
}

export function datasetOfKey(key: string): string {
  return key.split('/')[0] ?? '';
}

export function partitionOf(key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of key.split('/').slice(1, -1)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

/** The folder part of a key (`telemetry/date=2024-05-01`), or the dataset for a file at its top. */
export function folderOfKey(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

/** `telemetry/date=2024-05-01/part-<tag>.parquet`. */
export function partitionKey(dataset: string, date: string, tag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`Invalid partition date ${date}`);
  if (!/^[A-Za-z0-9_-]+$/.test(tag)) throw new Error(`Invalid part tag ${tag}`);
  return `${dataset}/date=${date}/part-${tag}.parquet`;
}
