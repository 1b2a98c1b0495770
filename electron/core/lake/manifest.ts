import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Lake } from './lake';

export interface ManifestFile {
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
  minTime: string | null;
  maxTime: string | null;
}

/**
 * `_manifests/<dataset>/<batchId>.json`: one record per batch written into the lake, and per batch that
 * took files back. A file is live while some manifest lists it and none replaces or withdraws it; keys
 * are never reused (every publish is no-clobber under a unique name), so the order of manifests does not
 * matter. The lake check holds the files against this.
 */
export interface BatchManifest {
  batchId: string;
  dataset: string;
  /** Who wrote it: `demo`, `archive`, `convert`, `compact`, `snapshot`, `withdraw`. */
  source: string;
  writtenAt: string;
  rows: number;
  files: ManifestFile[];
  /** Compaction: the keys this batch's file replaced (they are no longer live). */
  replaces?: string[];
  /** Keys taken back (their rows live elsewhere), with why. */
  withdraws?: string[];
  /** A lifecycle move (`source: 'lifecycle'`): the storage tier each key was moved to. */
  tiers?: Record<string, string>;
  reason?: string;
  /** Anything else the writer records (checksum, host, user, cut-off...). */
  [extra: string]: unknown;
}

/** `_manifests/<dataset>/<batchId>.json`, written atomically after the batch's files are published. */
export function manifestKey(dataset: string, batchId: string): string {
  return `_manifests/${dataset}/${batchId}.json`;
}

export const MANIFESTS_FOLDER = '_manifests';

/**
 * Not a manifest: the marker a demo run keeps in the lake while it generates (its files are not real data until it
 * is gone). Each day it lands has its manifest, so an interrupted run leaves a consistent lake beside it.
 */
export const DEMO_MARKER_KEY = `${MANIFESTS_FOLDER}/demo-in-progress.json`;

export async function writeManifest(lake: Lake, manifest: BatchManifest): Promise<void> {
  await lake.put(manifestKey(manifest.dataset, manifest.batchId), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Takes back published files whose rows live elsewhere: a `withdraw` manifest names them first, so the lake check
 * knows they are gone on purpose, then they are removed.
 */
export async function writeWithdrawal(lake: Lake, dataset: string, keys: readonly string[], reason: string): Promise<void> {
  if (keys.length === 0) return;
  const batchId = `withdraw-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeManifest(lake, {
    batchId,
    dataset,
    source: 'withdraw',
    writtenAt: new Date().toISOString(),
    rows: 0,
    files: [],
    withdraws: [...keys],
    reason,
  });
  for (const k of keys) await lake.remove(k);
}

/** The tier record of a lifecycle move's manifest (key → tier); empty for any other manifest. */
export function tierRecordOf(m: BatchManifest): Record<string, string> {
  const t = m.tiers;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return {};
  return Object.fromEntries(Object.entries(t).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Bytes sha256File reads at a time, into one buffer: hashing a file of any size holds this much. */
const HASH_CHUNK = 1 << 20;

/**
 * SHA-256 of a local file, read in chunks into one reused buffer (a read stream's new buffer per chunk would wait
 * for the garbage collector: a big file's worth of them could pile up).
 */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HASH_CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, HASH_CHUNK, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return h.digest('hex');
}

/** The live files by key (the newest manifest naming each), after replacements and withdrawals. */
export function liveFiles(
  manifests: readonly { manifest: BatchManifest }[],
): Map<string, { file: ManifestFile; batchId: string; source: string }> {
  const gone = new Set<string>();
  const live = new Map<string, { file: ManifestFile; batchId: string; source: string }>();
  for (const { manifest: m } of manifests) {
    for (const k of m.replaces ?? []) gone.add(k);
    for (const k of m.withdraws ?? []) gone.add(k);
    for (const f of m.files) live.set(f.key, { file: f, batchId: m.batchId, source: m.source });
  }
  for (const k of gone) live.delete(k);
  return live;
}

/** Parse a manifest object's text; null when it is not one (the lake check reports it). */
export function parseManifest(text: string): BatchManifest | null {
  try {
    const m = JSON.parse(text) as Partial<BatchManifest>;
    if (typeof m !== 'object' || m === null || typeof m.dataset !== 'string' || typeof m.batchId !== 'string' || !Array.isArray(m.files))
      return null;
    return m as BatchManifest;
  } catch {
    return null;
  }
}
