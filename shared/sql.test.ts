import { describe, expect, it } from 'vitest';
import { qualifiedName, quoteIdent, quoteLiteral } from './sql';

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
