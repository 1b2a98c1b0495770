import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVABLE_DATASETS } from '../../../shared/api/archive';
import { DATASETS } from '../../../shared/domain/datasets';
import { openWorkbench, type Workbench } from '../workbench';
import { loadBinaryCopy, streamBinaryCopy } from './binary-load';
import { HotStore } from './hot-store';
import { binaryColumnsFor, PgBinaryDecoder, PgBinaryError, type ColumnBatch } from './pg-binary';
import { copyOut, readCopySql } from './pg-copy';

/** Every type the decoder knows, with its edges: NULLs, signs, many digits, old and far-off times, multi-byte text. */
const COLUMNS = [
  { name: 'i2', pg: 'smallint', duck: 'SMALLINT' },
  { name: 'i4', pg: 'integer', duck: 'INTEGER' },
  { name: 'i8', pg: 'bigint', duck: 'BIGINT' },
  { name: 'v', pg: 'numeric(6,3)', duck: 'DECIMAL(6,3)' },
  { name: 't', pg: 'numeric(4,1)', duck: 'DECIMAL(4,1)' },
  { name: 'n15', pg: 'numeric(15,2)', duck: 'DECIMAL(15,2)' },
  { name: 'n18', pg: 'numeric(18,4)', duck: 'DECIMAL(18,4)' },
  { name: 'n0', pg: 'numeric(9,0)', duck: 'DECIMAL(9,0)' },
  { name: 'ts', pg: 'timestamptz', duck: 'TIMESTAMPTZ' },
  { name: 'd', pg: 'date', duck: 'DATE' },
  { name: 's', pg: 'text', duck: 'VARCHAR' },
];

const ROWS = [
  [1, 1, '1', '2.251', '-4.5', '1234567890123.45', '12345678901234.5678', '0', '2024-01-01 00:00:00.123456+00', '2024-01-01', 'plain'],
  [
    -32768,
    -2147483648,
    '-9223372036854775808',
    '-999.999',
    '-999.9',
    '-9999999999999.99',
    '-99999999999999.9999',
    '-999999999',
    '1899-12-31 23:59:59.999999+00',
    '1900-02-28',
    'Zoë Ærø 電池 🔋',
  ],
  [
    32767,
    2147483647,
    '9223372036854775807',
    '999.999',
    '999.9',
    '9999999999999.99',
    '99999999999999.9999',
    '999999999',
    '9999-12-31 23:59:59.999999+00',
    '9999-12-31',
    '',
  ],
  [
    0,
    0,
    '0',
    '0.001',
    '0.1',
    '0.01',
    '0.0001',
    '10000',
    '1999-12-31 23:59:59.999999+00',
    '1999-12-31',
    'tab\there, "quote", back\\slash\nnewline',
  ],
  [null, null, null, null, null, null, null, null, null, null, null],
  [7, 8, '9007199254740993', '-0.001', '-0.1', '-0.01', '-0.0001', '-10000', '1970-01-01 00:00:00+00', '1970-01-01', 'x'],
  [2, 3, '4', '-12.3', '12', '100000000.1', '10000.0001', '1', '2000-01-01 00:00:00+00', '2000-01-01', null],
  [null, 5, null, '5', null, '5', null, '5', 'infinity', 'infinity', 'y'],
  [6, null, '6', null, '6', null, '6', null, '-infinity', '-infinity', 'z'],
];

const made: string[] = [];
let dir: string;
let hot: HotStore;
let wb: Workbench;
let duck: DuckDBConnection;
/** The rows above, as PostgreSQL's binary COPY wrote them. */
let binary: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-pgbin-'));
  made.push(dir);
  hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
  await hot.withClient(async (c) => {
    await c.query(`CREATE TABLE bin (${COLUMNS.map((col) => `${col.name} ${col.pg}`).join(', ')})`);
    const params = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    for (const r of ROWS) await c.query(`INSERT INTO bin VALUES (${params})`, r);
    await copyOut(c, 'SELECT * FROM bin', join(dir, 'rows.bin'), 'binary');
    await copyOut(c, 'SELECT * FROM bin', join(dir, 'rows.csv'), 'csv');
  });
  binary = await readFile(join(dir, 'rows.bin'));
  wb = await openWorkbench({ workspaceDir: join(dir, 'duck'), entry: 'test' });
  duck = await wb.engine.connect();
}, 120_000);

afterAll(async () => {
  await wb?.close();
  await hot?.close();
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** Decodes `bytes` pushed in pieces of `step` bytes; returns each batch's text columns and the fixed-width bytes. */
function decode(bytes: Buffer, step: number, capacity = 2048, columns = binaryColumnsFor(COLUMNS)): { rows: number; batches: string[] } {
  const batches: string[] = [];
  const seen = (b: ColumnBatch): void => {
    batches.push(
      JSON.stringify(
        b.columns.map((c, i) => {
          const width = c.strings ? 0 : c.data.byteLength / capacity;
          const valid = Array.from({ length: b.rows }, (_, r) => (c.valid[r >> 3] >> (r & 7)) & 1);
          const values = c.strings
            ? c.strings.slice(0, b.rows)
            : Array.from(new Uint8Array(c.data, 0, b.rows * width)).map((x, k) => (valid[Math.floor(k / width)] ? x : 0));
          return [i, valid, values];
        }),
      ),
    );
  };
  const d = new PgBinaryDecoder(columns ?? [], seen, capacity);
  for (let p = 0; p < bytes.length; p += step) d.push(bytes.subarray(p, p + step));
  return { rows: d.end(), batches };
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PgBinaryError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('PostgreSQL binary COPY decoder', () => {
  it('has a decoding for every column of every archived dataset', () => {
    for (const name of ARCHIVABLE_DATASETS) expect(binaryColumnsFor(DATASETS[name].columns), name).not.toBeNull();
    expect(binaryColumnsFor([{ pg: 'numeric(38,2)' }])).toBeNull();
    expect(binaryColumnsFor([{ pg: 'double precision' }])).toBeNull();
  });

  it('loads into DuckDB exactly what the CSV path loads, every edge value included', async () => {
    // As the archiver loads: decoded while PostgreSQL streams the COPY; and the same from a file PostgreSQL wrote.
    const streamed = await hot.withClient((c) => streamBinaryCopy(c, 'SELECT * FROM bin', duck, 'bin_rows', COLUMNS));
    expect(streamed.rows).toBe(ROWS.length);
    expect(await loadBinaryCopy(duck, join(dir, 'rows.bin'), 'file_rows', COLUMNS)).toBe(ROWS.length);
    const same = await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM bin_rows EXCEPT ALL SELECT * FROM file_rows)`);
    expect(same.getRowObjectsJS()[0].n).toBe(0);
    await duck.run(`CREATE OR REPLACE TEMP TABLE csv_rows AS SELECT * FROM ${readCopySql(join(dir, 'rows.csv'), COLUMNS, 'csv')}`);
    for (const [a, b] of [
      ['bin_rows', 'csv_rows'],
      ['csv_rows', 'bin_rows'],
    ]) {
      const diff = await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`);
      expect(diff.getRowObjectsJS()[0].n).toBe(0);
    }
    // And against PostgreSQL's own text of each value (timestamps as epoch microseconds).
    const pgText = await hot.withClient(async (c) =>
      (
        await c.query<{ line: string }>(
          `SELECT concat_ws('|', i2, i4, i8, v, t, n15, n18, n0, CASE WHEN isfinite(ts) THEN (extract(epoch from ts) * 1000000)::bigint::text ELSE ts::text END, d, s) AS line FROM bin ORDER BY i4 NULLS FIRST, i2`,
        )
      ).rows.map((r) => r.line),
    );
    const duckText = (
      await duck.runAndReadAll(
        `SELECT concat_ws('|', i2, i4, i8, v, t, n15, n18, n0, CASE WHEN isfinite(ts) THEN epoch_us(ts)::VARCHAR ELSE ts::VARCHAR END, d, s) AS line FROM bin_rows ORDER BY i4 NULLS FIRST, i2`,
      )
    )
      .getRowObjectsJS()
      .map((r) => String(r.line));
    expect(duckText).toEqual(pgText);
    expect(duckText).toContain(
      '-32768|-2147483648|-9223372036854775808|-999.999|-999.9|-9999999999999.99|-99999999999999.9999|-999999999|-2208988800000001|1900-02-28|Zoë Ærø 電池 🔋',
    );
    const nulls = await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM bin_rows WHERE i2 IS NULL AND s IS NULL`);
    expect(nulls.getRowObjectsJS()[0].n).toBe(1);
  });

  it('gives the same batches whatever the chunking, rows split across pushes and batches', () => {
    const whole = decode(binary, binary.length, 4);
    expect(whole.rows).toBe(ROWS.length);
    expect(whole.batches).toHaveLength(3);
    for (const step of [1, 2, 7, 64]) expect(decode(binary, step, 4)).toEqual(whole);
  });

  it('refuses malformed input with a clear error', () => {
    const bad = (mutate: (b: Buffer) => Buffer): string => failure(() => decode(mutate(Buffer.from(binary)), 1 << 20));
    expect(bad((b) => Buffer.concat([Buffer.from('COPY'), b]))).toMatch(/PGCOPY signature/);
    expect(bad((b) => b.subarray(0, 5))).toMatch(/before its header/);
    expect(bad((b) => b.subarray(0, b.length - 2))).toMatch(/without its trailer/);
    expect(bad((b) => b.subarray(0, b.length - 9))).toMatch(/inside a row/);
    expect(bad((b) => Buffer.concat([b, Buffer.from([0])]))).toMatch(/follow the trailer/);
    // The first row's field count.
    expect(bad((b) => (b.writeInt16BE(3, 19), b))).toMatch(/has 3 fields where 11 were asked for/);
    // The first row's first field (int2) claims 4 bytes.
    expect(bad((b) => (b.writeInt32BE(4, 21), b))).toMatch(/int2 field has 4 bytes/);
    // Text that is not UTF-8: the first row's text 'plain' made 0xff.
    expect(bad((b) => ((b[b.indexOf('plain')] = 0xff), b))).toMatch(/not valid UTF-8/);
    // Fewer decimals than PostgreSQL sent: numeric(6,3) read as if it were numeric(6,2).
    const narrow = binaryColumnsFor(COLUMNS.map((c) => (c.name === 'v' ? { pg: 'numeric(6,2)' } : c)));
    expect(failure(() => decode(binary, binary.length, 2048, narrow))).toMatch(/more decimals than DECIMAL\(6,2\)/);
    // A value too wide for the column: numeric(6,3) read as numeric(4,3).
    const small = binaryColumnsFor(COLUMNS.map((c) => (c.name === 'v' ? { pg: 'numeric(4,3)' } : c)));
    expect(failure(() => decode(binary, binary.length, 2048, small))).toMatch(/does not fit DECIMAL\(4,3\)/);
  });

  it('refuses NaN for a DECIMAL column and a file that is not binary COPY', async () => {
    const nan = join(dir, 'nan.bin');
    await hot.withClient((c) => copyOut(c, `SELECT 'NaN'::numeric(6,3) AS v`, nan, 'binary'));
    const cols = [{ name: 'v', pg: 'numeric(6,3)', duck: 'DECIMAL(6,3)' }];
    await expect(loadBinaryCopy(duck, nan, 'nan_rows', cols)).rejects.toThrow(/NaN or infinite/);
    const text = join(dir, 'not-binary.bin');
    await writeFile(text, '1\t2\n');
    await expect(loadBinaryCopy(duck, text, 'nan_rows', cols)).rejects.toThrow(PgBinaryError);
  });

  it('stops a streamed COPY at its first bad row, mid-stream, with a clear error; the connection then ends at once', async () => {
    const cols = [
      { name: 'i', pg: 'integer', duck: 'INTEGER' },
      { name: 'v', pg: 'numeric(6,3)', duck: 'DECIMAL(6,3)' },
    ];
    // 200,000 good rows (several MB, many chunks), then one PostgreSQL sends as NaN, then more.
    const query = `SELECT g AS i, CASE WHEN g = 200000 THEN 'NaN' ELSE (g % 1000) / 1000.0 END::numeric(6,3) AS v FROM generate_series(1, 400000) g`;
    const c = await hot.connect('owner');
    try {
      await expect(streamBinaryCopy(c, query, duck, 'nan_stream', cols)).rejects.toThrow(/NaN or infinite/);
    } finally {
      await c.end();
    }
    // The rows before it were appended (the caller drops the table); never a row after it.
    const got = await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n, max(i) AS top FROM nan_stream`);
    const { n, top } = got.getRowObjectsJS()[0];
    expect(Number(n)).toBeLessThan(200000);
    expect(Number(top)).toBeLessThan(200000);
    // A good stream's count is the one PostgreSQL reports.
    const ok = await hot.withClient((cl) => streamBinaryCopy(cl, query.replace("'NaN'", '0.5'), duck, 'ok_stream', cols));
    expect(ok.rows).toBe(400000);
  });
});
