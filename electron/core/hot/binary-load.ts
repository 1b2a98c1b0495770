import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { createReadStream } from 'node:fs';
import type { ColumnSpec } from '../../../shared/domain/datasets';
import { quoteIdent } from '../../../shared/sql';
import { binaryColumnsFor, PgBinaryDecoder, valueBytes, type ColumnBatch } from './pg-binary';

/**
 * A file of PostgreSQL's binary COPY → a new temporary DuckDB table `table` typed by `columns`: decoded batch by
 * batch straight into DuckDB's vectors and appended as data chunks (no text on either side). Read in 4 MB blocks,
 * so memory stays the same whatever the file's size. Returns the rows appended; a malformed file throws
 * (PgBinaryError) with part of its rows in the table, which the caller drops.
 */
export async function loadBinaryCopy(
  duck: DuckDBConnection,
  file: string,
  table: string,
  columns: readonly Pick<ColumnSpec, 'name' | 'pg' | 'duck'>[],
): Promise<number> {
  const binary = binaryColumnsFor(columns);
  if (!binary) throw new Error(`No binary decoding for the types ${columns.map((c) => c.pg).join(', ')}`);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.duck}`).join(', ')})`);
  const appender = await duck.createAppender(table, 'main', 'temp');
  try {
    const types = columns.map((_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(types);
    const vectors = types.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
    const append = (batch: ColumnBatch): void => {
      batch.columns.forEach((col, i) => {
        const v = vectors[i];
        if (col.hasNull) {
          duckdb.vector_ensure_validity_writable(v);
          duckdb.copy_data_to_vector_validity(v, 0, col.valid.buffer as ArrayBuffer, 0, Math.ceil(batch.rows / 64) * 8);
        }
        if (col.strings) {
          for (let r = 0; r < batch.rows; r++) {
            const s = col.strings[r];
            if (s !== null) duckdb.vector_assign_string_element(v, r, s);
          }
        } else {
          duckdb.copy_data_to_vector(v, 0, col.data, 0, batch.rows * valueBytes(binary[i]));
        }
      });
      chunk.rowCount = batch.rows;
      appender.appendDataChunk(chunk);
      chunk.reset();
    };
    const decoder = new PgBinaryDecoder(binary, append, duckdb.vector_size());
    for await (const block of createReadStream(file, { highWaterMark: 1 << 22 })) decoder.push(block as Buffer);
    const rows = decoder.end();
    appender.flushSync();
    return rows;
  } finally {
    appender.closeSync();
  }
}
