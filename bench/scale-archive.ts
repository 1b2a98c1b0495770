import { ARCHIVE_TARGET_RATIO, measureArchive } from './archive';
import { atMost, type ScaleFigure } from './scale-kit';

/**
 * Scale part `archive` (issue 16, ask 4): archival of 5M telemetry rows against a raw binary COPY TO STDOUT of
 * the same rows, measured in one process by the archive benchmark (bench/archive.ts); the CSV COPY ratio is
 * the detail.
 */
function roundAll(ms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)]));
}

export async function scaleArchive(): Promise<ScaleFigure[]> {
  const m = await measureArchive();
  return [
    atMost('archival / raw binary COPY', m.ratioVsRawBinaryCopy, 'ratio', ARCHIVE_TARGET_RATIO, {
      rows: m.rows,
      archiveMs: Math.round(m.archiveMs),
      rawCopyBinaryMs: Math.round(m.rawCopyBinaryMs),
      rawCopyBinaryRunsMs: m.runs.binary.map(Math.round),
      batchesWallMs: m.batchesWallMs === null ? null : Math.round(m.batchesWallMs),
      rawCopyCsvMs: Math.round(m.rawCopyCsvMs),
      ratioVsRawCsvCopy: Math.round(m.ratioVsRawCsvCopy * 1000) / 1000,
      phasesMs: roundAll(m.phasesMs),
      detailMs: roundAll(m.detailMs),
    }),
  ];
}
