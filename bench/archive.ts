import { reportOf } from '../shared/api/jobs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { ArchiveRequest } from '../shared/api/archive';
import { DATASETS } from '../shared/domain/datasets';
import { quoteIdent } from '../shared/sql';
import { cutoffFor } from '../electron/core/archive/archiver';
import { daysBetween, ensureDayPartitions, ensureHotSchema } from '../electron/core/hot/hot-schema';
import { openWorkbench } from '../electron/core/workbench';

const ROWS = 5_000_000;
const JARS = 2500;

async function copyToNull(c: pg.Client, sql: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  let bytes = 0;
  await pipeline(
    c.query(copyTo(sql)),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb();
      },
    }),
  );
  return { ms: performance.now() - t0, bytes };
}

/**
 * Archive 5,000,000 telemetry rows end to end (export + verify + publish + delete, one batch per day)
 * against a raw `COPY (SELECT ...) TO STDOUT (FORMAT csv)` of the same rows through pg-copy-streams in
 * the same run, on the same embedded PostgreSQL. Also the binary COPY. Target: ratio <= 1.5.
 */
export async function benchArchive(): Promise<Record<string, unknown>> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-bench-archive-'));
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    const hot = await wb.data.hotStore();
    const now = new Date();
    const cutoff = cutoffFor(now, 7);
    const start = new Date(cutoff.getTime() - 8 * 86_400_000);
    await hot.withClient(async (c) => {
      await ensureHotSchema(c, { indexes: false });
      // The day partitions the running app keeps ready (see ensureUpcomingPartitions).
      await ensureDayPartitions(c, daysBetween(start, now));
      await c.query(
        `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm)
         SELECT g % ${JARS} + 1, $1::timestamptz + (g / ${JARS}) * interval '5 minutes',
                round((2.25 + random() * 0.02)::numeric, 3), round((22 + random() * 6)::numeric, 1), round((0.45 + random() * 0.1)::numeric, 2)
         FROM generate_series(0, ${ROWS - 1}) g`,
        [start.toISOString()],
      );
      await ensureHotSchema(c, { indexes: true });
      await c.query('VACUUM ANALYZE telemetry');
    });
    const cols = DATASETS.telemetry.columns.map((c) => quoteIdent(c.name)).join(', ');
    const select = `SELECT ${cols} FROM public.telemetry WHERE ts < '${cutoff.toISOString()}'::timestamptz`;
    const csvRuns: number[] = [];
    const binRuns: number[] = [];
    let csvBytes = 0;
    for (let i = 0; i < 2; i++) {
      await hot.withClient(async (c) => {
        const csv = await copyToNull(c, `COPY (${select}) TO STDOUT WITH (FORMAT csv)`);
        csvRuns.push(csv.ms);
        csvBytes = csv.bytes;
        binRuns.push((await copyToNull(c, `COPY (${select}) TO STDOUT WITH (FORMAT binary)`)).ms);
      });
    }
    const req = ArchiveRequest.parse({ olderThanDays: 7, datasets: ['telemetry'] });
    const t0 = performance.now();
    const summary = await wb.jobs.start('archive', (ctx) => wb.archive.run(req, ctx)).done;
    const endToEndMs = performance.now() - t0;
    if (summary.state !== 'done') throw new Error(`archive failed: ${summary.error?.message ?? summary.state}`);
    const report = reportOf(summary);
    const phase = (name: string): number => report.batches.reduce((a, b) => a + (b.timingsMs[name] ?? 0), 0);
    // The batches' steps, export + verify + publish + delete (as this figure has always been measured), and the
    // batches' wall time next to it (which adds the journal writes between the steps).
    const batchesMs = ['export', 'verify', 'publish', 'delete', 'cleanup'].reduce((a, p) => a + phase(p), 0);
    const vacuumMs = report.vacuum.reduce((a, v) => a + v.elapsedMs, 0);
    const rawCsvMs = Math.min(...csvRuns);
    return {
      rows: report.rowsArchived,
      batches: report.batches.length,
      rawCopyCsvMs: rawCsvMs,
      rawCopyBinaryMs: Math.min(...binRuns),
      rawCopyCsvBytes: csvBytes,
      archiveMs: batchesMs,
      ratioVsRawCsvCopy: batchesMs / rawCsvMs,
      batchesWallMs: report.timingsMs?.batches ?? null,
      wallRatioVsRawCsvCopy: report.timingsMs?.batches ? report.timingsMs.batches / rawCsvMs : null,
      targetRatio: 1.5,
      phasesMs: {
        export: phase('export'),
        verify: phase('verify'),
        publish: phase('publish'),
        delete: phase('delete'),
        cleanup: phase('cleanup'),
      },
      vacuumMs,
      endToEndWithVacuumAndSnapshotMs: endToEndMs,
      parquetBytes: report.batches.reduce((a, b) => a + b.parquetBytes, 0),
      runs: { csv: csvRuns, binary: binRuns },
    };
  } finally {
    await wb.close();
    await rm(ws, { recursive: true, force: true });
  }
}
