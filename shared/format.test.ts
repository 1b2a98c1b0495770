import { describe, expect, it } from 'vitest';
import { formatBytes, formatCell, formatCount, formatDuration, formatUtc } from './format';

describe('formatCell', () => {
  it('keeps bigint exact', () => {
    expect(formatCell(9223372036854775807n, 'BIGINT')).toBe('9223372036854775807');
    expect(formatCell(-9223372036854775808n, 'BIGINT')).toBe('-9223372036854775808');
    expect(formatCell(18446744073709551615n, 'UBIGINT')).toBe('18446744073709551615');
  });
  it('shows null and undefined as NULL', () => {
    expect(formatCell(null, 'INTEGER')).toBe('NULL');
    expect(formatCell(undefined, 'VARCHAR')).toBe('NULL');
  });
  it('shows strings verbatim, including markup', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    expect(formatCell(hostile, 'VARCHAR')).toBe(hostile);
    expect(formatCell('170141183460469231731687303715884105727', 'HUGEINT')).toBe('170141183460469231731687303715884105727');
    expect(formatCell('', 'VARCHAR')).toBe('');
  });
  it('formats doubles and floats like DuckDB does', () => {
    expect(formatCell(1.5, 'DOUBLE')).toBe('1.5');
    expect(formatCell(2, 'DOUBLE')).toBe('2.0');
    expect(formatCell(Math.fround(0.1), 'FLOAT')).toBe('0.1');
    expect(formatCell(Number.NaN, 'DOUBLE')).toBe('nan');
    expect(formatCell(-Infinity, 'DOUBLE')).toBe('-inf');
    expect(formatCell(42, 'INTEGER')).toBe('42');
  });
  it('formats booleans, blobs, dates and nested values', () => {
    expect(formatCell(true, 'BOOLEAN')).toBe('true');
    expect(formatCell(new Uint8Array([0, 65, 0x5c]), 'BLOB')).toBe('\\x00A\\x5C');
    expect(formatCell(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), 'TIMESTAMP')).toBe('2024-01-02T03:04:05.000Z');
    expect(formatCell({ a: 1n, b: [1, 2] }, 'STRUCT(a BIGINT, b INTEGER[])')).toBe('{"a":"1","b":[1,2]}');
  });
});

describe('formatBytes', () => {
  it('uses 1024-based units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(15 * 1024 * 1024)).toBe('15.0 MB');
    expect(formatBytes(3n * 1024n ** 3n)).toBe('3.00 GB');
    expect(formatBytes(-2048)).toBe('-2.00 KB');
  });
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_723_000)).toBe('1 h 2 min');
    expect(formatDuration(0.5)).toBe('0.50 ms');
  });
});

describe('formatCount', () => {
  it('groups thousands the same way everywhere', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(-5_000_000)).toBe('-5,000,000');
    expect(formatCount(12345678901234567890n)).toBe('12,345,678,901,234,567,890');
  });
});

describe('formatUtc', () => {
  it('writes a moment the one way the app does, and leaves odd text alone', () => {
    expect(formatUtc('2025-03-08T02:15:04.123Z')).toBe('2025-03-08 02:15:04 UTC');
    expect(formatUtc('2025-03-08T02:15:04Z')).toBe('2025-03-08 02:15:04 UTC');
    expect(formatUtc(null)).toBe('—');
    expect(formatUtc('yesterday')).toBe('yesterday');
  });
});
