import { describe, expect, it } from 'vitest';
import { formatSql } from './formatSql';

describe('formatSql', () => {
  it('lays out clauses on their own lines, keywords upper case, and keeps strings, quoted names and parameters', () => {
    const out = formatSql(`select "Odd ""name""", 'it''s -- not a comment' as s from t where site = $site and day >= $from -- keep me`);
    expect(out).toBe(
      [
        'SELECT',
        '  "Odd ""name""",',
        "  'it''s -- not a comment' AS s",
        'FROM',
        '  t',
        'WHERE',
        '  site = $site',
        '  AND day >= $from -- keep me',
      ].join('\n'),
    );
  });

  it('is stable: formatting formatted SQL changes nothing', () => {
    const once = formatSql(
      'select a, count(*) from t join u using (id) group by all qualify row_number() over (partition by a) = 1; select 1',
    );
    expect(formatSql(once)).toBe(once);
  });

  it('names the reason when it cannot parse', () => {
    expect(() => formatSql("select 'unterminated")).toThrow(/^Cannot format this SQL: /);
  });
});
