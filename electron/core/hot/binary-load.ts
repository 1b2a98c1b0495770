import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { createReadStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { CopyToStreamQuery } from 'pg-copy-streams';
import type { ColumnSpec } from '../../../shared/domain/datasets';
import { quoteIdent } from '../../../shared/sql';
import { binaryColumnsFor, PgBinaryDecoder, PgBinaryError, valueBytes, type BinaryColumn, type ColumnBatch } from './pg-binary';
import { copyOutStream } from './copy-out-stream';

type LoadColumn = Pick<ColumnSpec, 'name' | 'pg' | 'duck'>;

/** The decoder's batches → DuckDB data chunks → an appender (the chunk and its vectors are reused batch after batch). */
function chunkAppender(appender: DuckDBAppender, binary: readonly BinaryColumn[]): (batch: ColumnBatch) => void {
  const types = binary.map((_, i) => appender.columnType(i));
  const chunk = DuckDBDataChunk.create(types);
  const vectors = types.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
  return (batch) => {
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
}

/**
 * PostgreSQL's binary COPY, as bytes arrive from the stream `open` gives, in any chunking, → a new temporary DuckDB table `table`
 * typed by `columns`: each chunk is decoded at once straight into DuckDB's vectors and appended, batch by batch
 * (no text on either side, no file in between). The sink takes a chunk only when the last one is appended, so a
 * stream's backpressure reaches its producer and memory stays the same whatever the row count. Returns the rows
 * appended; malformed input throws (PgBinaryError) with part of its rows in the table, which the caller drops.
 */
async function loadBinary(duck: DuckDBConnection, open: () => Readable, table: string, columns: readonly LoadColumn[]): Promise<number> {
  const binary = binaryColumnsFor(columns);
  if (!binary) throw new Error(`No binary decoding for the types ${columns.map((c) => c.pg).join(', ')}`);
  await duck.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.duck}`).join(', ')})`);
  const appender = await duck.createAppender(table, 'main', 'temp');
  try {
    const decoder = new PgBinaryDecoder(binary, chunkAppender(appender, binary), duckdb.vector_size());
    // The source opens only now: a stream's error on its next tick must meet pipeline's listener, not an await in between.
    await pipeline(
      open(),
      new Writable({
        highWaterMark: 1 << 20,
        write(chunk: Buffer, _enc, cb) {
          try {
            decoder.push(chunk);
          } catch (err) {
            cb(err as Error);
            return;
          }
          cb();
        },
      }),
    );
    const rows = decoder.end();
    appender.flushSync();
    return rows;
  } finally {
    appender.closeSync();
  }
}

/** A file of PostgreSQL's binary COPY → temporary table `table` (see loadBinary), read in 4 MB blocks. */
export function loadBinaryCopy(duck: DuckDBConnection, file: string, table: string, columns: readonly LoadColumn[]): Promise<number> {
  return loadBinary(duck, () => createReadStream(file, { highWaterMark: 1 << 22 }), table, columns);
}

/**
 * `COPY (query) TO STDOUT (FORMAT binary)` on `client` → temporary table `table` on `duck` while the rows stream
 * (see loadBinary): PostgreSQL produces the next rows while this side decodes and appends the last ones, and waits
 * (TCP backpressure) when this side falls behind. Returns the rows appended, which must be the rows PostgreSQL
 * reports it sent. A failed COPY leaves `client` inside the COPY: end it, do not reuse it.
 */
export async function streamBinaryCopy(
  client: pg.Client,
  query: string,
  duck: DuckDBConnection,
  table: string,
  columns: readonly LoadColumn[],
): Promise<{ rows: number }> {
  let stream: CopyToStreamQuery | null = null;
  const open = (): Readable => (stream = client.query(copyOutStream(`COPY (${query}) TO STDOUT WITH (FORMAT binary)`)));
  const rows = await loadBinary(duck, open, table, columns);
  const sent = (): number => (stream as CopyToStreamQuery | null)?.rowCount ?? -1;
  // The COPY's count comes in the message after its data, usually in the same packet; a query queued behind it waits for it.
  if (sent() !== rows) await client.query('SELECT 1');
  if (sent() !== rows) throw new PgBinaryError(`PostgreSQL reports ${sent()} rows sent where ${rows} were decoded`);
  return { rows };
}
