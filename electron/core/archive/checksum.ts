import type { ColumnSpec } from '../../../shared/domain/datasets';
import { quoteIdent } from '../../../shared/sql';

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
