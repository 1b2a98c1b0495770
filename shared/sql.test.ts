import { describe, expect, it } from 'vitest';
import { qualifiedName, quoteIdent, quoteIdentBacktick, quoteLiteral, quoteLiteralBackslash } from './sql';

describe('quoteIdent', () => {
  it('wraps in double quotes and doubles embedded quotes', () => {
    expect(quoteIdent('telemetry')).toBe('"telemetry"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(qualifiedName('hot', 'my table')).toBe('"hot"."my table"');
  });
  it('refuses NUL', () => {
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
  });
  it('quotes literals', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

describe('Hive quoting (Spark, Athena)', () => {
  it('backticks identifiers, doubling embedded backticks; escapes literals with a backslash', () => {
    expect(quoteIdentBacktick('date')).toBe('`date`');
    expect(quoteIdentBacktick('a`b')).toBe('`a``b`');
    expect(quoteLiteralBackslash("it's a\\b")).toBe("'it\\'s a\\\\b'");
  });
  it('refuses NUL and line breaks', () => {
    expect(() => quoteIdentBacktick('a\nb')).toThrow(/line break/);
    expect(() => quoteLiteralBackslash('a\u0000b')).toThrow(/NUL/);
  });
});
