import { describe, expect, it } from 'vitest';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { decodeWindow } from './arrowPage';
import { defaultColumnWidth, isNumericType } from './columnKinds';
import { formatCell } from '../../../shared/format';
import { toTsv } from './tsv';

describe('tsv', () => {
  it('joins with tabs and quotes only what needs it', () => {
    expect(
      toTsv(
        [
          ['a', null, 'x\ty'],
          ['say "hi"', 'line\nbreak', ''],
        ],
        ['c1', 'c2', 'c3'],
      ),
    ).toBe('c1\tc2\tc3\na\t\t"x\ty"\n"say ""hi"""\t"line\nbreak"\t');
  });
});

describe('column kinds', () => {
  it('right-aligns numbers only', () => {
    for (const t of ['BIGINT', 'DECIMAL(18,3)', 'DOUBLE', 'UHUGEINT', 'float']) expect(isNumericType(t)).toBe(true);
    for (const t of ['VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'INTEGER[]', 'STRUCT(a INTEGER)', 'DOUBLE[3]', 'UUID']) {
      expect(isNumericType(t)).toBe(false);
    }
    expect(defaultColumnWidth('n', 'BIGINT')).toBeLessThan(defaultColumnWidth('n', 'TIMESTAMP'));
  });
});

describe('decodeWindow', () => {
  it('reads Arrow IPC bytes with exact bigints, text verbatim and nulls', () => {
    const table = tableFromArrays({
      id: BigInt64Array.from([9223372036854775807n, -1n]),
      s: ['<img src=x onerror=alert(1)>', 'b'],
    });
    const page = decodeWindow(tableToIPC(table, 'stream'));
    expect(page.rows).toBe(2);
    expect(formatCell(page.value(0, 0), 'BIGINT')).toBe('9223372036854775807');
    expect(page.value(0, 1)).toBe('<img src=x onerror=alert(1)>');
    expect(page.value(5, 0)).toBeNull();
    expect(formatCell(null, 'VARCHAR')).toBe('NULL');
  });
});
