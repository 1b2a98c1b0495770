import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from 'apache-arrow';
import { WorkbenchError } from '../../../shared/api/errors';
import { WIDTH, wireKindFor, type WireColumn, type WireKind } from './wire-columns';

const MAX_UTF8_BYTES = 2 ** 31 - 1;
/** Longest span read in one native call. */
const MAX_RUN_BYTES = 16 * 1024 * 1024;

/** Collects one column of a window from DuckDB chunks into Arrow buffers, without per-value JS objects (except long strings). */
class ColumnBuilder {
  readonly validity: Uint8Array;
  nullCount = 0;
  private readonly fixed: Uint8Array | null;
  private readonly offsets: Int32Array | null;
  private bytes: Uint8Array;
  private byteLength = 0;
  private runRows = new Int32Array(4096);

  constructor(
    readonly column: WireColumn,
    readonly capacity: number,
  ) {
    this.validity = new Uint8Array(Math.ceil(capacity / 8)).fill(0xff);
    if (column.kind === 'text') {
      this.fixed = null;
      this.offsets = new Int32Array(capacity + 1);
      this.bytes = new Uint8Array(Math.max(64, capacity * 16));
    } else if (column.kind === 'bool') {
      this.fixed = new Uint8Array(Math.ceil(capacity / 8));
      this.offsets = null;
      this.bytes = new Uint8Array(0);
    } else {
      this.fixed = new Uint8Array(capacity * WIDTH[column.kind]);
      this.offsets = null;
      this.bytes = new Uint8Array(0);
    }
  }

  /** Appends `count` rows of `vector` at row position `at`. */
  append(vector: duckdb.Vector, count: number, at: number): void {
    const validityBytes = duckdb.vector_get_validity(vector, Math.ceil(count / 64) * 8) as Uint8Array | null | undefined;
    const valid = validityBytes && validityBytes.byteLength > 0 ? validityBytes : null;
    if (valid) this.markNulls(valid, count, at);
    const kind = this.column.kind;
    if (kind === 'text') {
      this.appendText(vector, count, at, valid);
    } else if (kind === 'bool') {
      const data = duckdb.vector_get_data(vector, count);
      const bits = this.fixed as Uint8Array;
      for (let i = 0; i < count; i++) {
        if (data[i] !== 0) {
          const bit = at + i;
          bits[bit >> 3] |= 1 << (bit & 7);
        }
      }
    } else {
      const width = WIDTH[kind];
      const data = duckdb.vector_get_data(vector, count * width);
      (this.fixed as Uint8Array).set(data.subarray(0, count * width), at * width);
    }
  }

  private markNulls(valid: Uint8Array, count: number, at: number): void {
    const fullBytes = count >> 3;
    for (let b = 0; b <= fullBytes && b < valid.length; b++) {
      const byte = valid[b];
      if (byte === 0xff) continue;
      for (let j = 0; j < 8; j++) {
        const i = (b << 3) + j;
        if (i >= count) break;
        if ((byte & (1 << j)) === 0) {
          const bit = at + i;
          this.validity[bit >> 3] &= ~(1 << (bit & 7));
          this.nullCount++;
        }
      }
    }
  }

  /**
   * Utf8 from DuckDB string_t slots (16 bytes: u32 length, then 12 inline bytes, or a 4-byte
   * prefix and a pointer). Long strings are read in runs: consecutive strings whose heap
   * addresses follow each other with gaps under one page are fetched with ONE native call over
   * their span (a gap < 4096 bytes between two readable strings cannot hide an unmapped page).
   * DuckDB lays out computed strings (e.g. CAST results) this way, so a chunk usually costs a
   * handful of native calls instead of one per value.
   */
  private appendText(vector: duckdb.Vector, count: number, at: number, valid: Uint8Array | null): void {
    const raw = duckdb.vector_get_data(vector, count * 16);
    // Slots as u32 words: [length, prefix|inline, inline|pointer low, inline|pointer high].
    const slots = raw.byteOffset % 4 === 0 ? raw : raw.slice();
    const words = new Uint32Array(slots.buffer, slots.byteOffset, count * 4);
    const offsets = this.offsets as Int32Array;
    // Pass 1: every length is in its slot, so all offsets come first.
    const start = this.byteLength;
    let end = start;
    for (let i = 0; i < count; i++) {
      if (valid === null || (valid[i >> 3] & (1 << (i & 7))) !== 0) end += words[i * 4];
      offsets[at + i + 1] = end;
    }
    this.reserve(end - start);
    const out = this.bytes;
    // Pass 2: inline strings byte by byte; long strings gathered into address runs.
    if (this.runRows.length < count) this.runRows = new Int32Array(count);
    const runRows = this.runRows;
    let runLength = 0;
    let runStart = 0;
    let runEnd = 0;
    // Dense: consecutive rows whose bytes follow each other exactly; the span is then the output as is.
    let dense = true;
    const flush = (): void => {
      if (runLength === 0) return;
      const span = duckdb.get_data_from_pointer(slots.buffer as ArrayBuffer, slots.byteOffset + runRows[0] * 16 + 8, runEnd - runStart);
      if (dense) {
        out.set(span, offsets[at + runRows[0]]);
      } else {
        for (let k = 0; k < runLength; k++) {
          const w = runRows[k] * 4;
          const length = words[w];
          const from = words[w + 2] + words[w + 3] * 4294967296 - runStart;
          const to = offsets[at + runRows[k]];
          if (length < 48) {
            for (let b = 0; b < length; b++) out[to + b] = span[from + b];
          } else {
            out.set(span.subarray(from, from + length), to);
          }
        }
      }
      runLength = 0;
    };
    for (let i = 0; i < count; i++) {
      if (valid !== null && (valid[i >> 3] & (1 << (i & 7))) === 0) continue;
      const w = i * 4;
      const length = words[w];
      if (length <= 12) {
        const to = offsets[at + i];
        const from = i * 16 + 4;
        for (let b = 0; b < length; b++) out[to + b] = slots[from + b];
        continue;
      }
      const address = words[w + 2] + words[w + 3] * 4294967296;
      if (runLength > 0 && (address < runEnd || address - runEnd >= 4096 || address + length - runStart > MAX_RUN_BYTES)) flush();
      if (runLength === 0) {
        runStart = address;
        runEnd = address;
        dense = true;
      } else if (address !== runEnd || runRows[runLength - 1] !== i - 1) {
        dense = false;
      }
      runRows[runLength++] = i;
      runEnd = address + length;
    }
    flush();
    this.byteLength = end;
  }

  private reserve(extra: number): void {
    const needed = this.byteLength + extra;
    if (needed <= this.bytes.byteLength) return;
    if (needed > MAX_UTF8_BYTES) {
      throw new WorkbenchError(
        'BAD_INPUT',
        `The window's text in column "${this.column.name}" is larger than 2 GB. Ask for fewer rows per window.`,
      );
    }
    const grown = new Uint8Array(Math.min(MAX_UTF8_BYTES, Math.max(needed, this.bytes.byteLength * 2)));
    grown.set(this.bytes.subarray(0, this.byteLength));
    this.bytes = grown;
  }

  /** Arrow data for the first `length` rows. */
  finish(length: number): Data {
    const type = arrowType(this.column.kind);
    const nullBitmap = this.nullCount > 0 ? this.validity.subarray(0, Math.ceil(length / 8)) : undefined;
    const common = { length, nullCount: this.nullCount, nullBitmap };
    const kind = this.column.kind;
    if (kind === 'text') {
      return makeData({
        ...common,
        type: type as Utf8,
        valueOffsets: (this.offsets as Int32Array).subarray(0, length + 1),
        data: this.bytes.subarray(0, this.byteLength),
      });
    }
    if (kind === 'bool')
      return makeData({ ...common, type: type as Bool, data: (this.fixed as Uint8Array).subarray(0, Math.ceil(length / 8)) });
    const raw = this.fixed as Uint8Array;
    const bytes = raw.subarray(0, length * WIDTH[kind]);
    const buf = bytes.buffer;
    switch (kind) {
      case 'int8':
        return makeData({ ...common, type: type as Int8, data: new Int8Array(buf, bytes.byteOffset, length) });
      case 'int16':
        return makeData({ ...common, type: type as Int16, data: new Int16Array(buf, bytes.byteOffset, length) });
      case 'int32':
        return makeData({ ...common, type: type as Int32, data: new Int32Array(buf, bytes.byteOffset, length) });
      case 'int64':
        return makeData({ ...common, type: type as Int64, data: new BigInt64Array(buf, bytes.byteOffset, length) });
      case 'uint8':
        return makeData({ ...common, type: type as Uint8, data: new Uint8Array(buf, bytes.byteOffset, length) });
      case 'uint16':
        return makeData({ ...common, type: type as Uint16, data: new Uint16Array(buf, bytes.byteOffset, length) });
      case 'uint32':
        return makeData({ ...common, type: type as Uint32, data: new Uint32Array(buf, bytes.byteOffset, length) });
      case 'uint64':
        return makeData({ ...common, type: type as Uint64, data: new BigUint64Array(buf, bytes.byteOffset, length) });
      case 'float32':
        return makeData({ ...common, type: type as Float32, data: new Float32Array(buf, bytes.byteOffset, length) });
      case 'float64':
        return makeData({ ...common, type: type as Float64, data: new Float64Array(buf, bytes.byteOffset, length) });
    }
  }
}

export function arrowSchema(columns: readonly WireColumn[]): Schema {
  return new Schema(
    columns.map(
      (c) =>
        new Field(
          c.name,
          arrowType(c.kind),
          true,
          new Map([
            ['duckdb_type', c.duckdbType],
            ['column_name', c.realName],
          ]),
        ),
    ),
  );
}

/**
 * Reads a streaming DuckDB result whose columns match `columns` (in order, already cast for
 * the wire) and encodes at most `capacity` rows as one Arrow record batch in IPC stream format.
 */
export async function encodeWindow(
  result: DuckDBResult | null,
  columns: readonly WireColumn[],
  capacity: number,
): Promise<{ rows: number; arrow: Uint8Array }> {
  if (result === null)
    return {
      rows: 0,
      arrow: toIPC(
        columns,
        columns.map((c) => new ColumnBuilder(c, 0)),
        0,
      ),
    };
  // The raw reads below trust the layout; refuse a result whose types do not match the plan.
  const types = result.columnTypes();
  if (types.length !== columns.length) throw new WorkbenchError('INTERNAL', 'The window query returned an unexpected number of columns.');
  columns.forEach((c, i) => {
    const id = types[i].typeId;
    const ok = c.kind === 'text' ? id === DuckDBTypeId.VARCHAR : wireKindFor(id) === c.kind;
    if (!ok) throw new WorkbenchError('INTERNAL', `The window column "${c.name}" came back as ${types[i].toString()}, not ${c.kind}.`);
  });
  const builders = columns.map((c) => new ColumnBuilder(c, capacity));
  let rows = 0;
  for (;;) {
    const chunk: DuckDBDataChunk | null = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const count = Math.min(chunk.rowCount, capacity - rows);
    for (let c = 0; c < builders.length; c++) {
      builders[c].append(duckdb.data_chunk_get_vector(chunk.chunk, c), count, rows);
    }
    rows += count;
    if (rows >= capacity) break;
  }
  return { rows, arrow: toIPC(columns, builders, rows) };
}

function toIPC(columns: readonly WireColumn[], builders: readonly ColumnBuilder[], rows: number): Uint8Array {
  const schema = arrowSchema(columns);
  const children = builders.map((b) => b.finish(rows));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
  return tableToIPC(new Table(schema, [batch]), 'stream');
}

/** The Arrow type a wire column travels as. */
export function arrowType(kind: WireKind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint8':
      return new Uint8();
    case 'uint16':
      return new Uint16();
    case 'uint32':
      return new Uint32();
    case 'uint64':
      return new Uint64();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'text':
      return new Utf8();
  }
}
