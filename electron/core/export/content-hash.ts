import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import type { SliceColumn } from '../../../shared/api/slice';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';

/** Named in the manifest so a reader knows how `contentHash` was made. */
export const CONTENT_HASH_ALGORITHM = 'sha256 over per-split [name, rows, sum, xor] of DuckDB hash(row position, columns...)';

export interface SplitDigest {
  name: string;
  rows: number;
  /** Sum (as a decimal string) and XOR of the 64-bit row hashes. */
  sum: string;
  xor: string;
}

/**
 * One split's rows in order, reduced to a digest: every row is hashed with its position in the split
 * (so order counts), and the hashes are summed and XORed. Runs in parallel in DuckDB over the written file.
 */
export async function digestParquet(
  conn: DuckDBConnection,
  name: string,
  file: string,
  columns: readonly SliceColumn[],
): Promise<SplitDigest> {
  const args = ['file_row_number', ...columns.map((c) => quoteIdent(c.name))].join(', ');
  const reader = await conn.runAndReadAll(
    `SELECT count(*) AS n, CAST(coalesce(sum(h), 0) AS VARCHAR) AS s, CAST(coalesce(bit_xor(h), 0) AS VARCHAR) AS x ` +
      `FROM (SELECT hash(${args}) AS h FROM read_parquet(${quoteLiteral(file)}, file_row_number = true))`,
  );
  const row = reader.getRowsJS()[0];
  return { name, rows: Number(row[0]), sum: String(row[1]), xor: String(row[2]) };
}

/** `sha256:<hex>` over the schema and the splits' digests, in the spec's split order. */
export function contentHash(schema: readonly SliceColumn[], digests: readonly SplitDigest[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ schema: schema.map((c) => [c.name, c.type]), splits: digests.map((d) => [d.name, d.rows, d.sum, d.xor]) }));
  return `sha256:${h.digest('hex')}`;
}
