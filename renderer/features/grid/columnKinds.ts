/** A scalar number type, optionally with precision: `DECIMAL(18,3)` yes, `INTEGER[]` (a list) no. */
const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT[1248]|FLOAT[48])(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i;
const TEMPORAL = /^(DATE|TIME|TIMESTAMP|INTERVAL)/i;

/** Whether a column of this engine type is shown right-aligned. */
export function isNumericType(type: string): boolean {
  return NUMERIC.test(type.trim());
}

/** A starting width (px) for a column, from its type and name. */
export function defaultColumnWidth(name: string, type: string): number {
  const t = type.trim();
  let width = isNumericType(t) ? 110 : /WITH TIME ZONE|TIMESTAMPTZ/i.test(t) ? 250 : TEMPORAL.test(t) ? 200 : /^BOOL/i.test(t) ? 80 : 180;
  width = Math.max(width, Math.min(320, name.length * 8 + 40), Math.min(320, t.length * 7 + 24));
  return width;
}
