import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { copyOutStream } from '../electron/core/hot/copy-out-stream';
import { DATASETS } from '../shared/domain/datasets';
import { quoteIdent } from '../shared/sql';
import { openWorkbench } from '../electron/core/workbench';
import { archiveWindow, loadArchiveRows, runTelemetryArchive, type ArchiveRun } from './archive-rows';

/** How a raw COPY is read: with the workbench's reader (the baseline), or pg-copy-streams' own (a detail). */
type Reader = (sql: string) => ReturnType<typeof copyTo>;

async function copyToNull(c: pg.Client, sql: string, reader: Reader = copyOutStream): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  let bytes = 0;
  await pipeline(
    c.query(reader(sql)),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb();
      },
    }),
  );
  return { ms: performance.now() - t0, bytes };
}

/** What one archive measurement gives: the archive's time against raw COPYs of the same rows, in one process. */
export interface ArchiveMeasurement {
  rows: number;
  batches: number;
  rawCopyCsvMs: number;
  rawCopyBinaryMs: number;
  /** The raw binary COPY read by pg-copy-streams' own framing parse, which the workbench's reader replaces. */
  rawCopyBinaryLibraryMs: number;
  rawCopyCsvBytes: number;
  archiveMs: number;
  ratioVsRawBinaryCopy: number;
  ratioVsRawCsvCopy: number;
  batchesWallMs: number | null;
  /** The batches' wall time (journal writes included) over the raw binary COPY. */
  wallRatioVsRawBinaryCopy: number | null;
  wallRatioVsRawCsvCopy: number | null;
  targetRatio: number;
  phasesMs: ArchiveRun['phasesMs'];
  detailMs: ArchiveRun['detailMs'];
  vacuumMs: number;
  endToEndWithVacuumAndSnapshotMs: number;
  parquetBytes: number;
  runs: { csv: number[]; binary: number[]; binaryLibrary: number[] };
}

/** Archival's target: at most this many times the raw binary COPY of the same rows (issue 16). */
export const ARCHIVE_TARGET_RATIO = 1.5;

/**
 * Archive 5,000,000 telemetry rows end to end (export + verify + publish + delete, one batch per day)
 * against raw `COPY (SELECT ...) TO STDOUT` of the same rows in the same run, on the same embedded PostgreSQL,
 * binary and CSV (each the best of two), read by the reader the archive uses (hot/copy-out-stream.ts), so a faster
 * reader lowers the baseline as much as the archive. Target: archive / binary COPY ≤ 1.5.
 */
export async function measureArchive(): Promise<ArchiveMeasurement> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-bench-archive-'));
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    const hot = await wb.data.hotStore();
    const window = archiveWindow();
    await loadArchiveRows(hot, window);
    const cols = DATASETS.telemetry.columns.map((c) => quoteIdent(c.name)).join(', ');
    const select = `SELECT ${cols} FROM public.telemetry WHERE ts < '${window.cutoff.toISOString()}'::timestamptz`;
    const csvRuns: number[] = [];
    const binRuns: number[] = [];
    const binLibRuns: number[] = [];
    let csvBytes = 0;
    for (let i = 0; i < 2; i++) {
      await hot.withClient(async (c) => {
        const csv = await copyToNull(c, `COPY (${select}) TO STDOUT WITH (FORMAT csv)`);
        csvRuns.push(csv.ms);
        csvBytes = csv.bytes;
        binRuns.push((await copyToNull(c, `COPY (${select}) TO STDOUT WITH (FORMAT binary)`)).ms);
        binLibRuns.push((await copyToNull(c, `COPY (${select}) TO STDOUT WITH (FORMAT binary)`, copyTo)).ms);
      });
    }
    const run = await runTelemetryArchive(wb);
    const { report, batchesMs } = run;
    const rawCsvMs = Math.min(...csvRuns);
    const rawBinaryMs = Math.min(...binRuns);
    return {
      rows: report.rowsArchived,
      batches: report.batches.length,
      rawCopyCsvMs: rawCsvMs,
      rawCopyBinaryMs: rawBinaryMs,
      rawCopyBinaryLibraryMs: Math.min(...binLibRuns),
      rawCopyCsvBytes: csvBytes,
      archiveMs: batchesMs,
      ratioVsRawBinaryCopy: batchesMs / rawBinaryMs,
      ratioVsRawCsvCopy: batchesMs / rawCsvMs,
      batchesWallMs: run.batchesWallMs,
      wallRatioVsRawBinaryCopy: run.batchesWallMs ? run.batchesWallMs / rawBinaryMs : null,
      wallRatioVsRawCsvCopy: run.batchesWallMs ? run.batchesWallMs / rawCsvMs : null,
      targetRatio: ARCHIVE_TARGET_RATIO,
      phasesMs: run.phasesMs,
      detailMs: run.detailMs,
      vacuumMs: report.vacuum.reduce((a, v) => a + v.elapsedMs, 0),
      endToEndWithVacuumAndSnapshotMs: run.endToEndMs,
      parquetBytes: report.batches.reduce((a, b) => a + b.parquetBytes, 0),
      runs: { csv: csvRuns, binary: binRuns, binaryLibrary: binLibRuns },
    };
  } finally {
    await wb.close();
    await rm(ws, { recursive: true, force: true });
  }
}

/** `npm run bench -- archive`. */
export async function benchArchive(): Promise<Record<string, unknown>> {
  return { ...(await measureArchive()) };
}
