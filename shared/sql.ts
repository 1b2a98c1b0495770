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

/**
 * An identifier for Spark SQL and Athena DDL (Hive rules): wrapped in backticks, an embedded backtick doubled.
 * NUL bytes and line breaks are refused (a Hive metastore cannot hold them).
 */
export function quoteIdentBacktick(name: string): string {
  if (name.includes('\u0000') || /[\r\n]/.test(name)) throw new Error('A Hive identifier cannot contain a NUL character or a line break');
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * A string literal for Spark SQL and Athena DDL (Hive rules), where a backslash escapes: backslashes and single
 * quotes are escaped with one. NUL bytes and line breaks are refused.
 */
export function quoteLiteralBackslash(value: string): string {
  if (value.includes('\u0000') || /[\r\n]/.test(value))
    throw new Error('A Hive string literal cannot contain a NUL character or a line break');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
