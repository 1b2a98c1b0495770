import type { ColumnSpec, DatasetSpec } from '../../../shared/domain/datasets';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';

/**
 * One row checksum that PostgreSQL and DuckDB compute identically, so a Parquet file can be
 * verified against the rows it came from: each row becomes canonical text (integers and
 * decimals as text, timestamps as epoch microseconds, NULL as \N), its MD5's first 15 hex digits
 * a 60-bit integer, summed over the rows. Together with the count and min/max time it says the
 * file holds exactly the rows PostgreSQL holds for the same key range.
 */
const NULL_TEXT = "'\\N'";

function pgCanonical(c: ColumnSpec): string {
  const col = quoteIdent(c.name);
  const text = c.duck === 'TIMESTAMPTZ' ? `(extract(epoch from ${col}) * 1000000)::bigint::text` : `${col}::text`;
  return `coalesce(${text}, ${NULL_TEXT})`;
}

function duckCanonical(c: ColumnSpec): string {
  const col = quoteIdent(c.name);
  const text = c.duck === 'TIMESTAMPTZ' ? `epoch_us(${col})::VARCHAR` : `${col}::VARCHAR`;
  return `coalesce(${text}, ${NULL_TEXT})`;
}

/** PostgreSQL: the per-row 60-bit hash expression. */
export function pgRowHash(columns: readonly ColumnSpec[]): string {
  return `('x' || substr(md5(concat_ws('|', ${columns.map(pgCanonical).join(', ')})), 1, 15))::bit(60)::bigint`;
}

/** DuckDB: the same per-row hash. */
export function duckRowHash(columns: readonly ColumnSpec[]): string {
  return `CAST('0x' || substr(md5(concat_ws('|', ${columns.map(duckCanonical).join(', ')})), 1, 15) AS BIGINT)`;
}

export interface BatchDigest {
  rows: number;
  /** Sum of row hashes, as exact decimal text. */
  checksum: string;
  /** Epoch microseconds of the first and last time in the batch (null when empty), as text. */
  minTime: string | null;
  maxTime: string | null;
}

/** SELECT list giving (rows, checksum, min_us, max_us) in PostgreSQL. */
export function pgDigestSelect(columns: readonly ColumnSpec[], timeColumn: string): string {
  const t = quoteIdent(timeColumn);
  return (
    `count(*)::text AS rows, coalesce(sum(${pgRowHash(columns)}), 0)::text AS checksum, ` +
    `(extract(epoch from min(${t})) * 1000000)::bigint::text AS min_us, (extract(epoch from max(${t})) * 1000000)::bigint::text AS max_us`
  );
}

/** SELECT list giving (rows, checksum, min_us, max_us) in DuckDB. */
export function duckDigestSelect(columns: readonly ColumnSpec[], timeColumn: string): string {
  const t = quoteIdent(timeColumn);
  return (
    `count(*)::VARCHAR AS rows, coalesce(sum(${duckRowHash(columns)}), 0)::VARCHAR AS checksum, ` +
    `epoch_us(min(${t}))::VARCHAR AS min_us, epoch_us(max(${t}))::VARCHAR AS max_us`
  );
}

export function digestFromRow(r: Record<string, unknown>): BatchDigest {
  return {
    rows: Number(r.rows),
    checksum: String(r.checksum),
    minTime: r.min_us === null || r.min_us === undefined ? null : String(r.min_us),
    maxTime: r.max_us === null || r.max_us === undefined ? null : String(r.max_us),
  };
}

export function sameDigest(a: BatchDigest, b: BatchDigest): boolean {
  return a.rows === b.rows && a.checksum === b.checksum && a.minTime === b.minTime && a.maxTime === b.maxTime;
}

/**
 * The cheaper digest for numeric time series (every column an integer, a decimal or a timestamp, e.g.
 * telemetry): per key (the primary key without its time column, e.g. battery_id) the row count and the
 * exact sum of every other column, the timestamps as microseconds from the batch's day; those lines in
 * key order, MD5-hashed. PostgreSQL computes it in one hash aggregate (about a quarter of the per-row MD5's
 * cost, which made the verification the largest part of archiving), DuckDB the same over the file.
 * It binds every value to its key and day: a lost, doubled or changed row, a value moved to another
 * key or a shifted time all change it. Together with count and min/max time it is compared exactly.
 */
export const GROUPED_PREFIX = 'g1:';

const NUMERIC_DUCK = /^(INTEGER|BIGINT|DECIMAL\(\d+,\d+\)|TIMESTAMPTZ)$/;

/** The key columns the grouped digest groups by, or null when the dataset needs the per-row MD5. */
export function groupedDigestKey(spec: DatasetSpec, timeColumn: string): string[] | null {
  if (spec.kind !== 'timeseries' || !spec.columns.every((c) => NUMERIC_DUCK.test(c.duck))) return null;
  const key = spec.primaryKey.filter((k) => k !== timeColumn);
  return key.length > 0 && key.length < spec.primaryKey.length ? key : null;
}

type Dialect = 'pg' | 'duck';

function groupedLine(spec: DatasetSpec, key: string[], dialect: Dialect, anchor: string): string {
  const text = (e: string): string =>
    dialect === 'pg' ? `coalesce((${e})::text, ${NULL_TEXT})` : `coalesce(CAST(${e} AS VARCHAR), ${NULL_TEXT})`;
  const parts = key.map((k) => text(quoteIdent(k)));
  parts.push(text('count(*)'));
  for (const c of spec.columns) {
    if (key.includes(c.name)) continue;
    const col = quoteIdent(c.name);
    if (c.duck === 'TIMESTAMPTZ') {
      parts.push(
        dialect === 'pg'
          ? text(`(extract(epoch from sum(${col} - CAST(${quoteLiteral(anchor)} AS TIMESTAMPTZ))) * 1000000)::bigint`)
          : text(`sum(epoch_us(${col}) - epoch_us(CAST(${quoteLiteral(anchor)} AS TIMESTAMPTZ)))`),
      );
    } else {
      parts.push(text(`sum(${col})`));
    }
    if (c.nullable) parts.push(text(`count(${col})`));
  }
  return `concat_ws('|', ${parts.join(', ')})`;
}

/**
 * The whole digest query (rows, checksum, min_us, max_us) over `from` filtered by `where`, in PostgreSQL
 * or DuckDB. `anchor` is the batch's first instant (timestamps are summed as offsets from it).
 */
export function digestQuery(spec: DatasetSpec, timeColumn: string, dialect: Dialect, from: string, where: string, anchor: string): string {
  const key = groupedDigestKey(spec, timeColumn);
  const filter = where ? ` WHERE ${where}` : '';
  if (!key)
    return `SELECT ${dialect === 'pg' ? pgDigestSelect(spec.columns, timeColumn) : duckDigestSelect(spec.columns, timeColumn)} FROM ${from}${filter}`;
  const t = quoteIdent(timeColumn);
  const keys = key.map(quoteIdent).join(', ');
  const us = (e: string): string =>
    dialect === 'pg' ? `(extract(epoch from ${e}) * 1000000)::bigint::text` : `CAST(epoch_us(${e}) AS VARCHAR)`;
  const num = (e: string): string => (dialect === 'pg' ? `(${e})::text` : `CAST(${e} AS VARCHAR)`);
  return (
    `SELECT ${num('coalesce(sum(n), 0)')} AS rows, ${quoteLiteral(GROUPED_PREFIX)} || coalesce(md5(string_agg(line, ',' ORDER BY ${keys})), '') AS checksum, ` +
    `${us('min(lo)')} AS min_us, ${us('max(hi)')} AS max_us ` +
    `FROM (SELECT ${keys}, count(*) AS n, min(${t}) AS lo, max(${t}) AS hi, ${groupedLine(spec, key, dialect, anchor)} AS line FROM ${from}${filter} GROUP BY ${keys}) g`
  );
}
