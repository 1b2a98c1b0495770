import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogObject, CatalogSchema, CatalogTree } from '../../../shared/api/catalog';
import { qualifiedName } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from './history';
import { RESULTS_DB } from './result-store';

const HIDDEN_DATABASES = [RESULTS_DB, 'system', 'temp'];

function hiddenFilter(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `${p}database_name NOT IN (${HIDDEN_DATABASES.map((_d, i) => `$${i + 1}`).join(', ')}) AND ${p}schema_name <> $${HIDDEN_DATABASES.length + 1}`;
}
const PARAMS = [...HIDDEN_DATABASES, INTERNAL_SCHEMA];

function key(...parts: string[]): string {
  return JSON.stringify(parts);
}

/** Databases, schemas, tables and views with columns, as the catalog panel shows them (workbench internals left out). */
export async function readCatalogTree(connection: DuckDBConnection): Promise<CatalogTree> {
  const schemaRows = (
    await connection.runAndReadAll(
      `SELECT database_name, schema_name FROM duckdb_schemas()
        WHERE (NOT internal OR schema_name = 'main') AND ${hiddenFilter()}
        ORDER BY database_name, schema_name`,
      PARAMS,
    )
  ).getRows();
  const tableRows = (
    await connection.runAndReadAll(
      `SELECT database_name, schema_name, table_name, estimated_size, comment FROM duckdb_tables()
        WHERE NOT internal AND NOT temporary AND ${hiddenFilter()}
        ORDER BY table_name`,
      PARAMS,
    )
  ).getRows();
  const viewRows = (
    await connection.runAndReadAll(
      `SELECT database_name, schema_name, view_name, comment FROM duckdb_views()
        WHERE NOT internal AND NOT temporary AND ${hiddenFilter()}
        ORDER BY view_name`,
      PARAMS,
    )
  ).getRows();
  const columnRows = (
    await connection.runAndReadAll(
      `SELECT database_name, schema_name, table_name, column_name, data_type FROM duckdb_columns()
        WHERE NOT internal AND ${hiddenFilter()}
        ORDER BY database_name, schema_name, table_name, column_index`,
      PARAMS,
    )
  ).getRows();

  const columns = new Map<string, CatalogObject['columns']>();
  for (const [db, schema, table, name, type] of columnRows) {
    const k = key(String(db), String(schema), String(table));
    let list = columns.get(k);
    if (!list) columns.set(k, (list = []));
    list.push({ name: String(name), type: String(type) });
  }

  const schemas = new Map<string, CatalogSchema>();
  for (const [db, schema] of schemaRows) {
    schemas.set(key(String(db), String(schema)), { database: String(db), name: String(schema), objects: [] });
  }
  const schemaFor = (db: string, schema: string): CatalogSchema => {
    const k = key(db, schema);
    let s = schemas.get(k);
    if (!s) schemas.set(k, (s = { database: db, name: schema, objects: [] }));
    return s;
  };
  const exact = await exactCounts(connection, tableRows);
  for (const [db, schema, name, estimated, comment] of tableRows) {
    const k = key(String(db), String(schema), String(name));
    schemaFor(String(db), String(schema)).objects.push({
      name: String(name),
      kind: 'table',
      columns: columns.get(k) ?? [],
      rowCount: exact.get(k) ?? (estimated === null ? null : Number(estimated)),
      sizeBytes: null,
      comment: comment === null ? null : String(comment),
    });
  }
  for (const [db, schema, name, comment] of viewRows) {
    schemaFor(String(db), String(schema)).objects.push({
      name: String(name),
      kind: 'view',
      columns: columns.get(key(String(db), String(schema), String(name))) ?? [],
      rowCount: null,
      sizeBytes: null,
      comment: comment === null ? null : String(comment),
    });
  }
  for (const s of schemas.values()) s.objects.sort((a, b) => a.name.localeCompare(b.name));
  return { schemas: [...schemas.values()] };
}

/** DuckDB's estimate counts deleted rows until a checkpoint; tables up to this size are counted exactly. */
const EXACT_COUNT_LIMIT = 5_000_000;

async function exactCounts(connection: DuckDBConnection, tableRows: unknown[][]): Promise<Map<string, number>> {
  const small = tableRows.filter((r) => r[3] !== null && Number(r[3]) <= EXACT_COUNT_LIMIT);
  const out = new Map<string, number>();
  if (small.length === 0) return out;
  const parts = small.map((r, i) => `SELECT ${i} AS i, count(*) AS n FROM ${qualifiedName(String(r[0]), String(r[1]), String(r[2]))}`);
  try {
    for (const [i, n] of (await connection.runAndReadAll(parts.join(' UNION ALL '))).getRows()) {
      const r = small[Number(i)];
      out.set(key(String(r[0]), String(r[1]), String(r[2])), Number(n));
    }
  } catch {
    // A table dropped meanwhile: keep the estimates.
  }
  return out;
}
