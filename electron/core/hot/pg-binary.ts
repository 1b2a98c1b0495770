import type { ColumnSpec } from '../../../shared/domain/datasets';

/**
 * A decoder of PostgreSQL's binary COPY format into column batches that DuckDB takes as they are (its
 * vectors' little-endian layout): no text is formatted by PostgreSQL nor parsed again on this side.
 * Format (PostgreSQL docs, "COPY … Binary Format"): the 11-byte signature, int32 flags, int32 header
 * extension length and the extension; per tuple an int16 field count, per field an int32 length (-1: NULL)
 * and the value in the type's binary send format; the int16 -1 trailer. Every integer is big-endian.
 */

/** How one column's values arrive and how DuckDB stores them. */
export type BinaryColumn =
  | { kind: 'int2' | 'int4' | 'int8' | 'date' | 'timestamptz' | 'text' }
  /** numeric(width, scale) into DECIMAL(width, scale): the value scaled by 10^scale, exactly. */
  | { kind: 'numeric'; width: number; scale: number };

/** Bytes per value in DuckDB's vector (0: strings). */
export function valueBytes(c: BinaryColumn): number {
  switch (c.kind) {
    case 'int2':
      return 2;
    case 'int4':
    case 'date':
      return 4;
    case 'int8':
    case 'timestamptz':
      return 8;
    case 'text':
      return 0;
    case 'numeric':
      return c.width <= 4 ? 2 : c.width <= 9 ? 4 : 8;
  }
}

const NUMERIC_PG = /^numeric\((\d+),(\d+)\)$/;
/** DECIMAL widths above this need 128-bit values; no archived dataset has one. */
const MAX_NUMERIC_WIDTH = 18;

/** The binary decoding of `columns` (by their PostgreSQL type), or null when a type has none here. */
export function binaryColumnsFor(columns: readonly Pick<ColumnSpec, 'pg'>[]): BinaryColumn[] | null {
  const out: BinaryColumn[] = [];
  for (const c of columns) {
    const simple = ({ smallint: 'int2', integer: 'int4', bigint: 'int8', date: 'date', timestamptz: 'timestamptz', text: 'text' } as const)[
      c.pg as 'integer'
    ] as BinaryColumn['kind'] | undefined;
    const num = NUMERIC_PG.exec(c.pg);
    if (simple && simple !== 'numeric') out.push({ kind: simple });
    else if (num && Number(num[1]) <= MAX_NUMERIC_WIDTH) out.push({ kind: 'numeric', width: Number(num[1]), scale: Number(num[2]) });
    else return null;
  }
  return out;
}

/**
 * One column of a batch: fixed-width values in `data` (DuckDB's layout), or `strings` for text; `valid` is
 * DuckDB's validity mask (bit i of byte i/8 set: row i is not NULL).
 */
export interface ColumnData {
  data: ArrayBuffer;
  strings: (string | null)[] | null;
  valid: Uint8Array;
  /** Some row of the batch is NULL here. */
  hasNull: boolean;
}

export interface ColumnBatch {
  rows: number;
  columns: ColumnData[];
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
/** PostgreSQL's timestamps count microseconds from 2000-01-01, DuckDB's from 1970-01-01: 946684800000000 µs apart. */
const EPOCH_HI = 0x35d01;
const EPOCH_LO = 0x3b37e000;
/** Days from 1970-01-01 to 2000-01-01. */
const EPOCH_DAYS = 10957;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
const POW10 = Array.from({ length: 16 }, (_, e) => 10 ** e);

export class PgBinaryError extends Error {
  constructor(message: string) {
    super(`PostgreSQL's binary COPY could not be read: ${message}`);
    this.name = 'PgBinaryError';
  }
}

/** Big-endian readers without Buffer's argument checks (the callers check bounds): the decoder's inner loop. */
function i16(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >> 16) | b[p + 1];
}
function i32(b: Uint8Array, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}

const KIND = { int2: 0, int4: 1, int8: 2, date: 3, timestamptz: 4, text: 5, numeric: 6 } as const;

/** Thrown inside a tuple when its bytes have not all arrived: the tuple is decoded again with the next chunk. */
const NEED_MORE = Symbol('need more bytes');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Push the COPY's bytes in any chunking; `onBatch` receives each full batch (and the last one at `end`).
 * A batch's buffers are reused for the next one: consume it before returning.
 */
export class PgBinaryDecoder {
  private carry: Buffer | null = null;
  private header = false;
  private done = false;
  private total = 0;
  private readonly batch: ColumnBatch;
  private readonly i16: (Int16Array | null)[];
  private readonly i32: (Int32Array | null)[];
  /** Per column: its KIND code, value bytes, and DECIMAL width and scale (the inner loop reads no object). */
  private readonly kind: Uint8Array;
  private readonly width: Uint8Array;
  private readonly scale: Uint8Array;

  constructor(
    private readonly columns: readonly BinaryColumn[],
    private readonly onBatch: (batch: ColumnBatch) => void,
    private readonly capacity = 2048,
  ) {
    this.batch = {
      rows: 0,
      columns: columns.map((c) => ({
        data: new ArrayBuffer(valueBytes(c) * capacity),
        strings: c.kind === 'text' ? new Array<string | null>(capacity).fill(null) : null,
        valid: new Uint8Array(Math.ceil(capacity / 64) * 8),
        hasNull: false,
      })),
    };
    this.i16 = this.batch.columns.map((d, i) => (valueBytes(columns[i]) === 2 ? new Int16Array(d.data) : null));
    this.i32 = this.batch.columns.map((d, i) => (valueBytes(columns[i]) >= 4 ? new Int32Array(d.data) : null));
    this.kind = Uint8Array.from(columns, (c) => KIND[c.kind]);
    this.width = Uint8Array.from(columns, (c) => (c.kind === 'numeric' ? c.width : 0));
    this.scale = Uint8Array.from(columns, (c) => (c.kind === 'numeric' ? c.scale : 0));
  }

  /** Rows decoded so far. */
  get rows(): number {
    return this.total + this.batch.rows;
  }

  push(chunk: Buffer): void {
    if (this.done) {
      if (chunk.length > 0) throw new PgBinaryError(`${chunk.length} bytes follow the trailer`);
      return;
    }
    let rest = chunk;
    if (!this.header) {
      const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      this.carry = null;
      const start = this.readHeader(buf);
      if (start < 0) {
        this.carry = buf;
        return;
      }
      rest = buf.subarray(start);
    } else if (this.carry) {
      // Only the row that straddles the two pushes is copied, with as much of the new chunk as it needs.
      const carry = this.carry;
      this.carry = null;
      for (let take = Math.min(rest.length, 1 << 16); ; take = Math.min(rest.length, take * 8)) {
        const head = Buffer.concat([carry, rest.subarray(0, take)]);
        const p = this.tuples(head, 0, carry.length);
        if (this.done) return this.afterTrailer(head.length - p + rest.length - take);
        if (p >= carry.length) {
          rest = rest.subarray(p - carry.length);
          break;
        }
        if (take === rest.length) {
          this.carry = head;
          return;
        }
      }
    }
    const p = this.tuples(rest, 0, rest.length);
    if (this.done) this.afterTrailer(rest.length - p);
    else if (p < rest.length) this.carry = rest.subarray(p);
  }

  /** The offset of the first tuple, or -1 when the header has not all arrived. */
  private readHeader(buf: Buffer): number {
    const sig = Math.min(buf.length, SIGNATURE.length);
    if (!buf.subarray(0, sig).equals(SIGNATURE.subarray(0, sig)))
      throw new PgBinaryError('the data does not start with the PGCOPY signature');
    if (buf.length < HEADER_BYTES) return -1;
    const flags = i32(buf, SIGNATURE.length);
    if (flags & (1 << 16)) throw new PgBinaryError('the rows carry OIDs, which no query here asks for');
    const ext = i32(buf, SIGNATURE.length + 4);
    if (ext < 0) throw new PgBinaryError(`the header extension length is negative (${ext})`);
    if (buf.length < HEADER_BYTES + ext) return -1;
    this.header = true;
    return HEADER_BYTES + ext;
  }

  private afterTrailer(left: number): void {
    if (left > 0) throw new PgBinaryError(`${left} bytes follow the trailer`);
  }

  /** Decodes the tuples that start before `stop`; returns where it stopped (a tuple not all there starts there). */
  private tuples(buf: Buffer, p: number, stop: number): number {
    while (p < stop) {
      if (this.batch.rows === this.capacity) this.flush();
      let next: number;
      try {
        next = this.tuple(buf, p);
      } catch (err) {
        if (err !== NEED_MORE) throw err;
        return p;
      }
      if (next < 0) {
        this.done = true;
        return -next;
      }
      p = next;
    }
    return p;
  }

  /** The COPY ended: the last batch goes out; an incomplete stream is an error. Returns the row count. */
  end(): number {
    if (!this.done) {
      const left = this.carry?.length ?? 0;
      throw new PgBinaryError(
        this.header
          ? `the data ends ${left > 0 ? `inside a row (${left} bytes left over)` : 'without its trailer'}`
          : 'the data ends before its header',
      );
    }
    if (this.batch.rows > 0) this.flush();
    return this.total;
  }

  private flush(): void {
    this.onBatch(this.batch);
    this.total += this.batch.rows;
    this.batch.rows = 0;
    // Every row sets or clears its own validity bit: only the flag starts afresh.
    for (const c of this.batch.columns) c.hasNull = false;
  }

  /** Decodes the tuple at `p` into the batch's next row; returns the offset after it, or -(offset after the trailer). */
  private tuple(b: Buffer, p: number): number {
    if (p + 2 > b.length) throw NEED_MORE;
    const n = i16(b, p);
    p += 2;
    if (n === -1) return -p;
    if (n !== this.columns.length) throw new PgBinaryError(`a row has ${n} fields where ${this.columns.length} were asked for`);
    const r = this.batch.rows;
    const bit = 1 << (r & 7);
    const byte = r >> 3;
    for (let i = 0; i < n; i++) {
      if (p + 4 > b.length) throw NEED_MORE;
      const len = i32(b, p);
      p += 4;
      const col = this.batch.columns[i];
      if (len === -1) {
        col.valid[byte] &= ~bit;
        col.hasNull = true;
        if (col.strings) col.strings[r] = null;
        continue;
      }
      if (len < 0) throw new PgBinaryError(`a field has length ${len}`);
      if (p + len > b.length) throw NEED_MORE;
      this.value(i, b, p, len, r);
      col.valid[byte] |= bit;
      p += len;
    }
    this.batch.rows++;
    return p;
  }

  private value(i: number, b: Buffer, p: number, len: number, r: number): void {
    const kind = this.kind[i];
    if (kind === KIND.numeric) return this.numeric(i, this.width[i], this.scale[i], b, p, len, r);
    if (kind === KIND.text) {
      try {
        (this.batch.columns[i].strings as (string | null)[])[r] = utf8.decode(b.subarray(p, p + len));
      } catch {
        throw new PgBinaryError('a text field is not valid UTF-8');
      }
      return;
    }
    const bytes = kind === KIND.int2 ? 2 : kind === KIND.int4 || kind === KIND.date ? 4 : 8;
    if (len !== bytes) throw new PgBinaryError(`a ${this.columns[i].kind} field has ${len} bytes where ${bytes} were expected`);
    if (kind === KIND.int2) (this.i16[i] as Int16Array)[r] = i16(b, p);
    else if (kind === KIND.int4) (this.i32[i] as Int32Array)[r] = i32(b, p);
    else if (kind === KIND.date) {
      const d = i32(b, p);
      // ±infinity are the extremes in both systems (DuckDB's -infinity is one above int32's minimum).
      (this.i32[i] as Int32Array)[r] = d === INT32_MAX ? d : d === INT32_MIN ? INT32_MIN + 1 : d + EPOCH_DAYS;
    } else if (kind === KIND.int8) this.put64(i, r, i32(b, p), i32(b, p + 4) >>> 0);
    else {
      const hi = i32(b, p);
      const lo = i32(b, p + 4) >>> 0;
      if (hi === INT32_MAX && lo === 0xffffffff)
        this.put64(i, r, hi, lo); // infinity
      else if (hi === INT32_MIN && lo === 0)
        this.put64(i, r, hi, 1); // -infinity
      else {
        const sum = lo + EPOCH_LO;
        const carry = sum > 0xffffffff ? 1 : 0;
        const top = hi + EPOCH_HI + carry;
        if (top > INT32_MAX) throw new PgBinaryError('a timestamp lies beyond what DuckDB can hold');
        this.put64(i, r, top, sum >>> 0);
      }
    }
  }

  private put64(i: number, r: number, hi: number, lo: number): void {
    const w = this.i32[i] as Int32Array;
    w[2 * r] = lo | 0;
    w[2 * r + 1] = hi;
  }

  /**
   * numeric's send format: int16 ndigits, int16 weight (of the first base-10000 digit), uint16 sign, int16 dscale,
   * then ndigits int16 digits. The value times 10^scale is an integer whenever it fits the column's scale.
   */
  private numeric(i: number, width: number, scale: number, b: Buffer, p: number, len: number, r: number): void {
    if (len < 8) throw new PgBinaryError(`a numeric field has ${len} bytes`);
    const ndigits = i16(b, p);
    const weight = i16(b, p + 2);
    const sign = i16(b, p + 4) & 0xffff;
    if (ndigits < 0 || len !== 8 + 2 * ndigits) throw new PgBinaryError(`a numeric field has ${len} bytes for ${ndigits} digits`);
    if (sign !== 0 && sign !== 0x4000) throw new PgBinaryError('a numeric is NaN or infinite, which a DECIMAL column cannot hold');
    if (width <= 15) {
      let v = 0;
      for (let k = 0; k < ndigits; k++) {
        const d = i16(b, p + 8 + 2 * k);
        if (d === 0) continue;
        const e = 4 * (weight - k) + scale;
        if (e >= 0) {
          if (e > 15) throw new PgBinaryError(`a numeric does not fit DECIMAL(${width},${scale})`);
          v += d * POW10[e];
        } else {
          const div = e >= -9 ? POW10[-e] : Infinity;
          if (d % div !== 0) throw new PgBinaryError(`a numeric has more decimals than DECIMAL(${width},${scale}) holds`);
          v += d / div;
        }
      }
      if (v >= POW10[width]) throw new PgBinaryError(`a numeric does not fit DECIMAL(${width},${scale})`);
      if (sign === 0x4000) v = -v;
      if (width <= 4) (this.i16[i] as Int16Array)[r] = v;
      else if (width <= 9) (this.i32[i] as Int32Array)[r] = v;
      else {
        const hi = Math.floor(v / 0x100000000);
        this.put64(i, r, hi, v - hi * 0x100000000);
      }
      return;
    }
    let v = 0n;
    for (let k = 0; k < ndigits; k++) {
      const d = BigInt(i16(b, p + 8 + 2 * k));
      const e = 4 * (weight - k) + scale;
      if (e >= 0) v += d * 10n ** BigInt(e);
      else {
        const div = 10n ** BigInt(-e);
        if (d % div !== 0n) throw new PgBinaryError(`a numeric has more decimals than DECIMAL(${width},${scale}) holds`);
        v += d / div;
      }
    }
    if (v >= 10n ** BigInt(width)) throw new PgBinaryError(`a numeric does not fit DECIMAL(${width},${scale})`);
    if (sign === 0x4000) v = -v;
    this.put64(i, r, Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v)));
  }
}
