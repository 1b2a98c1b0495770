import type { LakeDatasetCoverage } from '../../../shared/api/storage';
import type { LakeFile } from './lake';

/** Progress of a pull: files and bytes so far of those to fetch. */
export interface LakeProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

const MISSING_LISTED = 50;

/** A dataset's days in the lake against the days whose every file is in `cached` (files without a date count as one day ''). */
export function coverageOf(dataset: string, files: readonly LakeFile[], cached: ReadonlySet<string>): LakeDatasetCoverage {
  const days = new Map<string, boolean>();
  let filesCached = 0;
  let bytesCached = 0;
  for (const f of files) {
    const day = f.partition.date ?? '';
    const have = cached.has(f.key);
    if (have) {
      filesCached++;
      bytesCached += f.size;
    }
    days.set(day, (days.get(day) ?? true) && have);
  }
  const sorted = [...days.keys()].filter((d) => d !== '').sort();
  const missing = [...days]
    .filter(([, ok]) => !ok)
    .map(([d]) => d)
    .sort();
  return {
    dataset,
    daysRemote: days.size,
    daysCached: [...days.values()].filter(Boolean).length,
    filesRemote: files.length,
    filesCached,
    bytesRemote: files.reduce((a, f) => a + f.size, 0),
    bytesCached,
    firstDay: sorted[0] ?? null,
    lastDay: sorted[sorted.length - 1] ?? null,
    missingDays: missing.slice(0, MISSING_LISTED),
  };
}
