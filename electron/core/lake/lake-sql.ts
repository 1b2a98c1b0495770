import { quoteLiteral } from '../../../shared/sql';
import type { Lake } from './lake';

/** A DuckDB list literal of file paths: `['/a.parquet', '/b.parquet']`. */
export function sqlPathList(paths: readonly string[]): string {
  return `[${paths.map(quoteLiteral).join(', ')}]`;
}

/** The local files DuckDB reads for these lake files, as a list literal. */
export function lakeFilesSql(lake: Lake, files: readonly { key: string }[]): string {
  return sqlPathList(files.map((f) => lake.localPath(f.key)));
}
