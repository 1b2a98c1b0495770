import { reportOf } from '../shared/api/jobs';
import { ArchiveRequest, type ArchiveReport } from '../shared/api/archive';
import { cutoffFor } from '../electron/core/archive/archiver';
import { daysBetween, ensureDayPartitions, ensureHotSchema } from '../electron/core/hot/hot-schema';
import type { HotStore } from '../electron/core/hot/hot-store';
import type { Workbench } from '../electron/core/workbench';

/** The archive benchmarks' data: 5,000,000 telemetry rows of 2,500 jars, one every 5 minutes (~6.9 days); `rows` of a window changes the count. */
export const ARCHIVE_ROWS = 5_000_000;
export const ARCHIVE_JARS = 2500;
/** What the archive takes: rows older than this many days (the cutoff is a UTC midnight). */
export const ARCHIVE_OLDER_THAN_DAYS = 7;

export interface ArchiveWindow {
  now: Date;
  /** Every benchmark row is older than this. */
  cutoff: Date;
  /** The first row's time: the whole days the rows span plus one before the cutoff (8 days for 5,000,000 rows). */
  start: Date;
  /** Telemetry rows loaded: `ARCHIVE_JARS` jars, one reading every 5 minutes from `start`. */
  rows: number;
}

export function archiveWindow(now = new Date(), rows = ARCHIVE_ROWS): ArchiveWindow {
  const cutoff = cutoffFor(now, ARCHIVE_OLDER_THAN_DAYS);
  const days = Math.ceil(((rows / ARCHIVE_JARS) * 5) / 1440) + 1;
  return { now, cutoff, start: new Date(cutoff.getTime() - days * 86_400_000), rows };
}

/** The rows as a SELECT over `generate_series` (random readings; `setseed` first makes them repeatable). */
function rowsSql(startParam: string, rows: number): string {
  return `SELECT g % ${ARCHIVE_JARS} + 1 AS battery_id, ${startParam}::timestamptz + (g / ${ARCHIVE_JARS}) * interval '5 minutes' AS ts,
                 round((2.25 + random() * 0.02)::numeric, 3) AS voltage_v, round((22 + random() * 6)::numeric, 1) AS temperature_c,
                 round((0.45 + random() * 0.1)::numeric, 2) AS resistance_mohm
          FROM generate_series(0, ${rows - 1}) g`;
}

/** Where `seed`ed rows are generated once per PostgreSQL and row count (an unlogged table outside the workbench's schema). */
const sourceTable = (rows: number): string => `bench.archive_rows_${rows}`;

/**
 * Fills the hot telemetry table with the benchmark rows (schema and day partitions first, indexes after, then
 * VACUUM ANALYZE); returns the milliseconds it took. `seed`: the rows are generated once with `setseed(seed)`
 * (the same seed gives the same rows in any PostgreSQL) and copied from there on every load; the telemetry
 * table is then dropped and created again first, so each load meets an empty table without indexes (as the
 * first load does). `shiftSeconds` moves every timestamp (within its day): a later run's rows then have another
 * digest, so an S3 lake writes them again instead of adopting the objects of an earlier run.
 */
export async function loadArchiveRows(
  hot: HotStore,
  window: ArchiveWindow,
  opts: { seed?: number; shiftSeconds?: number } = {},
): Promise<number> {
  const t0 = performance.now();
  await hot.withClient(async (c) => {
    if (opts.seed !== undefined) {
      await c.query('DROP TABLE IF EXISTS public.telemetry CASCADE');
      await c.query('CREATE SCHEMA IF NOT EXISTS bench');
      if (!(await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [sourceTable(window.rows)])).rows[0]?.t) {
        await c.query('SELECT setseed($1)', [opts.seed]);
        await c.query(`CREATE UNLOGGED TABLE ${sourceTable(window.rows)} AS ${rowsSql('$1', window.rows)}`, [window.start.toISOString()]);
      }
    }
    await ensureHotSchema(c, { indexes: false });
    // The day partitions the running app keeps ready (see ensureUpcomingPartitions).
    await ensureDayPartitions(c, daysBetween(window.start, window.now));
    const cols = 'battery_id, ts, voltage_v, temperature_c, resistance_mohm';
    if (opts.seed === undefined)
      await c.query(`INSERT INTO telemetry (${cols}) ${rowsSql('$1', window.rows)}`, [window.start.toISOString()]);
    else {
      await c.query(
        `INSERT INTO telemetry (${cols}) SELECT battery_id, ts + $1::int * interval '1 second', voltage_v, temperature_c, resistance_mohm FROM ${sourceTable(window.rows)}`,
        [opts.shiftSeconds ?? 0],
      );
    }
    await ensureHotSchema(c, { indexes: true });
    await c.query('VACUUM ANALYZE telemetry');
  });
  return performance.now() - t0;
}

/** The steps every archive batch times (export + verify + publish + delete + cleanup: the "archiveMs" figure). */
export const ARCHIVE_PHASES = ['export', 'verify', 'publish', 'delete', 'cleanup'] as const;

export interface ArchiveRun {
  report: ArchiveReport;
  /** The batches' steps summed (as bench/archive.ts has always measured the archive). */
  batchesMs: number;
  /** The batches' wall time (adds the journal writes between the steps), if the report has it. */
  batchesWallMs: number | null;
  phasesMs: Record<(typeof ARCHIVE_PHASES)[number], number>;
  /**
   * Inside the steps: the export's wait for its rows, digest and Parquet write, the verify's re-read and file hash;
   * and `fetch`, each batch's COPY streamed and decoded into DuckDB, which overlaps the batch before it.
   */
  detailMs: Record<string, number>;
  /** The whole job: batches, vacuum and master snapshot. */
  endToEndMs: number;
}

/** One `archive --older-than 7d --dataset telemetry` as a job on `wb`; throws unless it is done. */
export async function runTelemetryArchive(wb: Workbench): Promise<ArchiveRun> {
  const req = ArchiveRequest.parse({ olderThanDays: ARCHIVE_OLDER_THAN_DAYS, datasets: ['telemetry'] });
  const t0 = performance.now();
  const summary = await wb.jobs.start('archive', (ctx) => wb.archive.run(req, ctx)).done;
  const endToEndMs = performance.now() - t0;
  if (summary.state !== 'done') throw new Error(`archive failed: ${summary.error?.message ?? summary.state}`);
  const report = reportOf(summary);
  const phase = (name: string): number => report.batches.reduce((a, b) => a + (b.timingsMs[name] ?? 0), 0);
  const phasesMs = Object.fromEntries(ARCHIVE_PHASES.map((p) => [p, phase(p)])) as ArchiveRun['phasesMs'];
  const details = [...new Set(report.batches.flatMap((b) => Object.keys(b.timingsMs)))].filter(
    (k) => !(ARCHIVE_PHASES as readonly string[]).includes(k),
  );
  const detailMs = Object.fromEntries(details.map((k) => [k, phase(k)]));
  return {
    report,
    batchesMs: ARCHIVE_PHASES.reduce((a, p) => a + phasesMs[p], 0),
    batchesWallMs: report.timingsMs?.batches ?? null,
    phasesMs,
    detailMs,
    endToEndMs,
  };
}
