/** Test fixture (not a test): a Parquet file's key-value metadata and schema, read by hyparquet, a reader independent of DuckDB. */
import { readFile } from 'node:fs/promises';
import { parquetMetadata, parquetSchema } from 'hyparquet';

export interface ParquetMeta {
  kv: Record<string, string>;
  schema: ReturnType<typeof parquetSchema>;
  rows: number;
}

export async function readParquetMeta(file: string): Promise<ParquetMeta> {
  const buf = await readFile(file);
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  return { kv, schema: parquetSchema(meta), rows: Number(meta.num_rows) };
}
