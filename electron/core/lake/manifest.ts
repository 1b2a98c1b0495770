import { createHash } from 'node:crypto';
import type { Lake, LakeFile } from './lake';

export interface ManifestFile {
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
  minTime: string | null;
  maxTime: string | null;
}

export interface BatchManifest {
  batchId: string;
  dataset: string;
  /** Who wrote it: `demo`, `archive`, `convert`... */
  source: string;
  writtenAt: string;
  rows: number;
  files: ManifestFile[];
}

/** `_manifests/<dataset>/<batchId>.json`, written atomically after the batch's files are published. */
export function manifestKey(dataset: string, batchId: string): string {
  return `_manifests/${dataset}/${batchId}.json`;
}

export async function sha256Of(lake: Lake, file: LakeFile): Promise<string> {
  return createHash('sha256').update(await lake.read(file.key)).digest('hex');
}

export async function writeManifest(lake: Lake, manifest: BatchManifest): Promise<void> {
  await lake.put(manifestKey(manifest.dataset, manifest.batchId), JSON.stringify(manifest, null, 2) + '\n');
}
