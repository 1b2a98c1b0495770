import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArchivableDataset, DryRunDataset } from '../../../shared/api/archive';
import { WorkbenchError } from '../../../shared/api/errors';
import { INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { leafRelationsSql, nextUtcDay, totalBytesSql, HOT_SCHEMA } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import type { Lake } from '../lake/lake';
import { lakeFilesSql } from '../lake/lake-sql';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Parquet bytes per row when the lake has nothing to learn from (zstd telemetry measures ~2-4). */
const DEFAULT_PARQUET_BYTES_PER_ROW = 6;
/**
 * A file's own bytes per column when the lake has nothing to learn from: its schema and statistics in the footer and
 * a page header (an archived day of 2 alerts, 10 columns, is ~1.9 KB whatever its rows), and the footer's frame.
 */
const DEFAULT_PARQUET_BYTES_PER_COLUMN = 140;
const DEFAULT_PARQUET_BYTES_PER_FILE = 200;

export function timeColumnOf(spec: DatasetSpec): string {
  if (!spec.splitColumn) throw new WorkbenchError('INVALID_REQUEST', `${spec.name} has no time column to archive by.`);
  return spec.splitColumn;
}

export function hotTable(spec: DatasetSpec): string {
  return qualifiedName(HOT_SCHEMA, spec.name);
}

/** The start (UTC) of the day `days` days before `now`. */
export function cutoffFor(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}

/** The first instant of a batch's day (the digest sums timestamps as offsets from it). */
export function dayStart(day: string): string {
  return `${day} 00:00:00+00`;
}

/** The rows of one UTC day, in PostgreSQL or DuckDB (the same text works in both). */
export function dayPredicate(spec: DatasetSpec, day: string): string {
  if (!DAY_RE.test(day)) throw new Error(`Bad batch day ${day}`);
  const col = quoteIdent(timeColumnOf(spec));
  // Typed literals, not casts: PostgreSQL folds them at parse time, so a query on the partitioned parent is pruned
  // (and locks) to the day's partition while planning; a cast is only stable and would lock every partition.
  return `${col} >= TIMESTAMPTZ ${quoteLiteral(dayStart(day))} AND ${col} < TIMESTAMPTZ ${quoteLiteral(dayStart(nextUtcDay(day)))}`;
}

/** The row predicate of one batch: its day, and for time series no row above its ingest mark. */
export function batchPredicate(spec: DatasetSpec, day: string, highIngestId: number | null): string {
  const p = dayPredicate(spec, day);
  return highIngestId === null ? p : `${p} AND ${quoteIdent(INGEST_COLUMN)} <= ${Math.floor(highIngestId)}`;
}

export interface DatasetPlan {
  summary: DryRunDataset;
  days: { day: string; rows: number }[];
  /** Time series: the highest ingest_id the plan covers; rows inserted later stay hot. */
  high: number | null;
}

/** One batch per UTC day before the cut-off, with PostgreSQL's bytes and an estimated Parquet size. */
export async function planDataset(
  hot: HotStore,
  duck: DuckDBConnection,
  lake: Lake,
  spec: DatasetSpec,
  cutoff: Date,
  onlyDay?: string,
): Promise<DatasetPlan> {
  const col = quoteIdent(timeColumnOf(spec));
  const table = hotTable(spec);
  const plan = await hot.withClient('archiver', async (c) => {
    const high =
      spec.kind === 'timeseries'
        ? Number((await c.query<{ h: string | null }>(`SELECT max(${quoteIdent(INGEST_COLUMN)})::text AS h FROM ${table}`)).rows[0].h ?? 0)
        : null;
    let filter = `${col} < $1::timestamptz${high !== null ? ` AND ${quoteIdent(INGEST_COLUMN)} <= ${high}` : ''}`;
    if (onlyDay !== undefined) filter += ` AND ${dayPredicate(spec, onlyDay)}`;
    const days = (
      await c.query<{ day: string; rows: string }>(
        // date_bin on the absolute time (no time-zone conversion per row); only the days are formatted.
        `SELECT to_char(d AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, n::text AS rows FROM (
           SELECT date_bin('1 day', ${col}, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d, count(*) AS n FROM ${table} WHERE ${filter} GROUP BY 1) g ORDER BY 1`,
        [cutoff.toISOString()],
      )
    ).rows.map((r) => ({ day: r.day, rows: Number(r.rows) }));
    const sizes = (
      await c.query<{ bytes: string; total: string }>(
        // The share of the table's bytes the plan frees: PostgreSQL's row estimate is enough for it
        // (counting a large table would cost as much as the plan itself); exact when never analysed.
        `SELECT ${totalBytesSql(quoteLiteral(table))}::text AS bytes, coalesce(nullif((SELECT sum(greatest(c.reltuples, 0)) FROM ${leafRelationsSql(`${quoteLiteral(table)}::regclass`)} l(relid) JOIN pg_class c ON c.oid = l.relid), 0), (SELECT count(*) FROM ${table}))::bigint::text AS total`,
      )
    ).rows[0];
    return { high, days, bytes: Number(sizes.bytes), totalRows: Number(sizes.total) };
  });
  const rows = plan.days.reduce((a, d) => a + d.rows, 0);
  const size = await parquetSizeModel(duck, lake, spec);
  return {
    high: plan.high,
    days: plan.days,
    summary: {
      dataset: spec.name as ArchivableDataset,
      rows,
      partitions: plan.days.map((d) => d.day),
      postgresBytes: plan.totalRows > 0 ? Math.round((plan.bytes * rows) / plan.totalRows) : 0,
      // One file per day: its own bytes, and the rows'.
      estimatedParquetBytes: Math.round(plan.days.length * size.perFile + rows * size.perRow),
    },
  };
}

/**
 * What a dataset's Parquet costs, learnt from its latest lake files: each file's footer and frame, and the bytes per
 * row of the rest. A day of a few events is mostly footer, a day of telemetry mostly rows. Without files, defaults.
 */
async function parquetSizeModel(duck: DuckDBConnection, lake: Lake, spec: DatasetSpec): Promise<{ perFile: number; perRow: number }> {
  const files = (await lake.readable(spec.name)).slice(-30);
  const defaults = {
    perFile: DEFAULT_PARQUET_BYTES_PER_FILE + DEFAULT_PARQUET_BYTES_PER_COLUMN * spec.columns.length,
    perRow: DEFAULT_PARQUET_BYTES_PER_ROW,
  };
  if (files.length === 0) return defaults;
  const r = (
    await duck.runAndReadAll(
      // 8 bytes frame the footer: its length and the closing magic (the opening magic is counted with the rows).
      `SELECT sum(file_size_bytes - footer_size - 8)::DOUBLE AS b, sum(num_rows)::DOUBLE AS n, avg(footer_size + 8)::DOUBLE AS f
       FROM parquet_file_metadata(${lakeFilesSql(lake, files)})`,
    )
  ).getRowObjectsJS()[0];
  const n = Number(r.n);
  return n > 0 ? { perFile: Number(r.f), perRow: Math.max(0, Number(r.b)) / n } : defaults;
}
