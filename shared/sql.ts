/**
 * The one SQL identifier quoting helper. Works for DuckDB and PostgreSQL alike:
 * wrap in double quotes, double any embedded quote. NUL bytes are refused.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('An SQL identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` (or `catalog.schema.table`) with every part quoted. */
export function qualifiedName(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** A string literal for the rare places a value cannot be a parameter (e.g. COPY ... TO 'path'). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('An SQL string literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
