import { ARCHIVE_TARGET_RATIO, measureArchive } from './archive';
import { atMost, type ScaleFigure } from './scale-kit';

function roundAll(ms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)]));
}

/**
 * Scale part `archive` (issue 16, ask 4): archival of 5M telemetry rows against a raw binary COPY TO STDOUT of
 * the same rows, measured in one process by the archive benchmark (bench/archive.ts). The archive's time is the
 * batches' wall time: every step plus the journal writes between them (the steps alone are `ratioStepsOnly`).
 * The CSV COPY ratio is the detail.
 */
export async function scaleArchive(): Promise<ScaleFigure[]> {
  const m = await measureArchive();
  return [
    atMost('archival / raw binary COPY', m.wallRatioVsRawBinaryCopy ?? m.ratioVsRawBinaryCopy, 'ratio', ARCHIVE_TARGET_RATIO, {
      ratioStepsOnly: Math.round(m.ratioVsRawBinaryCopy * 1000) / 1000,
      rows: m.rows,
      archiveMs: Math.round(m.archiveMs),
      rawCopyBinaryMs: Math.round(m.rawCopyBinaryMs),
      rawCopyBinaryRunsMs: m.runs.binary.map(Math.round),
      rawCopyBinaryLibraryMs: Math.round(m.rawCopyBinaryLibraryMs),
      batchesWallMs: m.batchesWallMs === null ? null : Math.round(m.batchesWallMs),
      rawCopyCsvMs: Math.round(m.rawCopyCsvMs),
      ratioVsRawCsvCopy: Math.round(m.ratioVsRawCsvCopy * 1000) / 1000,
      phasesMs: roundAll(m.phasesMs),
      detailMs: roundAll(m.detailMs),
    }),
  ];
}
