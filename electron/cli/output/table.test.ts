import { describe, expect, it } from 'vitest';
import { cellText } from './cell-text';
import { displayWidth, fitWidths, isNumericType, renderTable } from './table';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and shows types', () => {
    const out = renderTable(
      [
        { name: 'n', type: 'BIGINT', alignRight: true },
        { name: 'name', type: 'VARCHAR', alignRight: false },
      ],
      [
        ['1', 'a'],
        ['12345', 'longer text'],
      ],
    );
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('n      │ name');
    expect(lines[1]).toBe('bigint │ varchar');
    expect(lines[2]).toBe('───────┼────────────');
    expect(lines[3]).toBe('     1 │ a');
    expect(lines[4]).toBe(' 12345 │ longer text');
  });
  it('cuts long cells with an ellipsis and counts wide characters as two cells', () => {
    const out = renderTable([{ name: 'x', type: 'VARCHAR', alignRight: false }], [['abcdefghijklmnop']], 80, 8);
    expect(out.split('\n')[3]).toBe('abcdefg…');
    expect(displayWidth('电池')).toBe(4);
    expect(displayWidth('abc')).toBe(3);
  });
  it('fits the terminal width by shrinking the widest columns first', () => {
    expect(fitWidths([10, 50, 30], 200, 80)).toEqual([10, 50, 30]);
    const fitted = fitWidths([10, 50, 30], 60, 80);
    expect(fitted.reduce((a, b) => a + b, 0) + 6).toBe(60);
    expect(fitted[0]).toBe(10);
    expect(fitWidths([9, 9, 9], 10, 80)).toEqual([8, 8, 8]);
    const out = renderTable(
      [
        { name: 'a', type: 'VARCHAR', alignRight: false },
        { name: 'b', type: 'VARCHAR', alignRight: false },
      ],
      [['x'.repeat(100), 'y'.repeat(100)]],
      41,
    );
    for (const l of out.trimEnd().split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(41);
  });
  it('knows numeric DuckDB types', () => {
    expect(isNumericType('DECIMAL(18,3)')).toBe(true);
    expect(isNumericType('UBIGINT')).toBe(true);
    expect(isNumericType('VARCHAR')).toBe(false);
    expect(isNumericType('TIMESTAMP')).toBe(false);
  });
});

describe('cellText', () => {
  it('shows NULL, exact bigints, and makes control characters visible', () => {
    expect(cellText(null, 'INTEGER')).toBe('NULL');
    expect(cellText(-9223372036854775808n, 'BIGINT')).toBe('-9223372036854775808');
    expect(cellText('a\nb\tc\x1b[31m', 'VARCHAR')).toBe('a\\nb\\tc\\x1b[31m');
    expect(cellText('<img src=x onerror=alert(1)>', 'VARCHAR')).toBe('<img src=x onerror=alert(1)>');
  });
});
