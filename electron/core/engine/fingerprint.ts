import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../../shared/sql';

/** Bumped whenever what a fingerprint covers changes, so an old and a new fingerprint never compare equal by accident. */
const FINGERPRINT_VERSION = 'bw-fp1';

/** A table-like relation to fingerprint: its reference (already quoted), its columns (plain names) and their type texts. */
export interface FingerprintSource {
  relation: string;
  columns: readonly string[];
  types: readonly string[];
}

/**
 * The SQL of a result fingerprint, computed in DuckDB in one pass over the rows (none travels to JS): a sum of
 * `hash(...)` of every row, with its position (`rowid`) when the result is ordered, then SHA-256 of the column
 * types, the row count and that sum. Ordered: a changed value or two rows swapped change it. Unordered (the query
 * has no ORDER BY, so its row order is not defined): the rows as a multiset, so a parallel plan that returns the
 * same rows in another order gives the same fingerprint.
 */
export function fingerprintQuery(source: FingerprintSource, ordered: boolean): { sql: string; values: [string] } {
  const values: [string] = [`${FINGERPRINT_VERSION}|${ordered ? 'ordered' : 'unordered'}|${source.types.join('\u001f')}`];
  if (source.columns.length === 0) return { sql: `SELECT sha256(concat_ws('|', $1::VARCHAR, 0, 0)) AS fp`, values };
  const args = [...(ordered ? ['rowid'] : []), ...source.columns.map(quoteIdent)].join(', ');
  return {
    sql: `SELECT sha256(concat_ws('|', $1::VARCHAR, count(*), coalesce(sum(hash(${args})), 0))) AS fp FROM ${source.relation}`,
    values,
  };
}

/** The fingerprint of a stored result (hex SHA-256); see fingerprintQuery. */
export async function resultFingerprint(conn: DuckDBConnection, source: FingerprintSource, ordered: boolean): Promise<string> {
  const { sql, values } = fingerprintQuery(source, ordered);
  const reader = await conn.runAndReadAll(sql, values);
  return String(reader.getRows()[0][0]);
}

/** A table a query names: schema '' when it names none. */
export interface TableRef {
  schema: string;
  table: string;
}

/** What the parser says about a query's last statement: whether it orders its rows, and the tables it names. */
export interface QueryShape {
  ordered: boolean;
  tables: TableRef[];
}

interface ParsedNode {
  type?: unknown;
  modifiers?: { type?: unknown }[];
  schema_name?: unknown;
  table_name?: unknown;
}

/**
 * The shape of `sql` from DuckDB's own parser (`json_serialize_sql`). It serializes SELECT statements only: for
 * anything else the result counts as ordered when the text has an ORDER BY (so a fingerprint errs towards
 * "differs", never towards a false "same"), and names no tables.
 */
export async function queryShape(conn: DuckDBConnection, sql: string): Promise<QueryShape> {
  const fallback: QueryShape = { ordered: /\border\s+by\b/i.test(sql), tables: [] };
  let parsed: { error?: boolean; statements?: { node?: ParsedNode }[] };
  try {
    const reader = await conn.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [sql]);
    parsed = JSON.parse(String(reader.getRows()[0][0])) as typeof parsed;
  } catch {
    return fallback;
  }
  const statements = parsed.statements ?? [];
  const last = statements.at(-1)?.node;
  if (parsed.error || !last) return fallback;
  const ordered = (last.modifiers ?? []).some((m) => m.type === 'ORDER_MODIFIER');
  const tables = new Map<string, TableRef>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as ParsedNode;
    if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') {
      const ref = { schema: typeof node.schema_name === 'string' ? node.schema_name : '', table: node.table_name };
      tables.set(`${ref.schema}\u001f${ref.table}`, ref);
    }
    for (const v of Object.values(value)) walk(v);
  };
  walk(statements);
  return { ordered, tables: [...tables.values()] };
}
