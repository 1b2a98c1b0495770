import { Field, Int64, Schema, Utf8, Float64, makeData, RecordBatch, Struct, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeArrowWindow } from './arrow-rows';
import { jsonRow, jsonValue, uniqueKeys } from './json-rows';

describe('jsonValue', () => {
  it('writes BIGINT extremes as exact number literals', () => {
    expect(jsonValue(9223372036854775807n)).toBe('9223372036854775807');
    expect(jsonValue(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(jsonValue(18446744073709551615n)).toBe('18446744073709551615');
  });
  it('keeps text verbatim (only JSON-escaped) and null as null', () => {
    const hostile = '<img src=x onerror=alert(1)> "quoted" \\ \n tab\t ü 🔋';
    expect(JSON.parse(jsonValue(hostile))).toBe(hostile);
    expect(jsonValue(null)).toBe('null');
    expect(jsonValue(undefined)).toBe('null');
  });
  it('keeps NaN and infinities visible as strings', () => {
    expect(jsonValue(Number.NaN)).toBe('"NaN"');
    expect(jsonValue(Number.POSITIVE_INFINITY)).toBe('"Infinity"');
    expect(jsonValue(1.5)).toBe('1.5');
    expect(jsonValue(true)).toBe('true');
  });
});

describe('uniqueKeys', () => {
  it('suffixes repeated column names', () => {
    expect(uniqueKeys(['a', 'a', 'b', 'a', 'a_2'])).toEqual(['a', 'a_2', 'b', 'a_3', 'a_2_2']);
  });
});

describe('Arrow window to JSON rows', () => {
  it('round-trips BIGINT max exactly through Arrow IPC and the row writer', () => {
    const big = vectorFromArray([9223372036854775807n, null, -42n], new Int64());
    const text = vectorFromArray(['<b>x</b>', null, 'y'], new Utf8());
    const dbl = vectorFromArray([0.1, 2, null], new Float64());
    const schema = new Schema([
      new Field('id', new Int64(), true, new Map([['duckdb_type', 'BIGINT']])),
      new Field('name', new Utf8(), true, new Map([['duckdb_type', 'VARCHAR']])),
      new Field('ratio', new Float64(), true, new Map([['duckdb_type', 'DOUBLE']])),
    ]);
    const data = makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children: [big.data[0], text.data[0], dbl.data[0]] });
    const table = new Table(new RecordBatch(schema, data));
    const decoded = decodeArrowWindow(tableToIPC(table, 'stream'));
    expect(decoded.columns).toEqual([
      { name: 'id', duckdbType: 'BIGINT' },
      { name: 'name', duckdbType: 'VARCHAR' },
      { name: 'ratio', duckdbType: 'DOUBLE' },
    ]);
    const keys = uniqueKeys(decoded.columns.map((c) => c.name));
    const rows = [0, 1, 2].map((r) => jsonRow(keys, decoded.values, r));
    expect(rows[0]).toBe('{"id":9223372036854775807,"name":"<b>x</b>","ratio":0.1}');
    expect(rows[1]).toBe('{"id":null,"name":null,"ratio":2}');
    expect(rows[2]).toBe('{"id":-42,"name":"y","ratio":null}');
  });
});
