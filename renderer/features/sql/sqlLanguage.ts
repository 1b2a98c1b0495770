import type { Completion } from '@codemirror/autocomplete';
import { PostgreSQL, SQLDialect, type SQLNamespace } from '@codemirror/lang-sql';
import type { CatalogTree } from '../../../shared/api/catalog';

/** PostgreSQL's grammar plus DuckDB's own words. */
export const DuckDBDialect = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords:
    `${PostgreSQL.spec.keywords ?? ''} pivot unpivot pivot_wider pivot_longer qualify describe summarize install ` +
    'pragma macro struct map list union_by_name asof positional semi anti sample using_sample exclude columns ' +
    'read_parquet read_csv read_csv_auto read_json read_json_auto parquet_scan glob unnest range generate_series',
  types:
    `${PostgreSQL.spec.types ?? ''} hugeint uhugeint utinyint usmallint uinteger ubigint tinyint blob varchar ` +
    'timestamp_s timestamp_ms timestamp_ns interval uuid json struct map list enum union bitstring double float',
});

/**
 * Completion namespace for lang-sql: `db.schema.table.column` everywhere, and for the
 * default database also `schema.table` (with `main` tables reachable bare via defaultSchema).
 */
export function completionNamespace(tree: CatalogTree | null, defaultDb: string | null): SQLNamespace {
  const byDb: Record<string, Record<string, SQLNamespace>> = {};
  const top: Record<string, SQLNamespace> = {};
  for (const s of tree?.schemas ?? []) {
    const tables: Record<string, SQLNamespace> = {};
    for (const o of s.objects) {
      const columns: Completion[] = o.columns.map((c) => ({ label: c.name, type: 'property', detail: c.type }));
      tables[o.name] = { self: { label: o.name, type: o.kind === 'view' ? 'variable' : 'type', detail: o.kind }, children: columns };
    }
    (byDb[s.database] ??= {})[s.name] = { self: { label: s.name, type: 'namespace', detail: 'schema' }, children: tables };
    if (s.database === defaultDb) top[s.name] = { self: { label: s.name, type: 'namespace', detail: 'schema' }, children: tables };
  }
  for (const [db, schemas] of Object.entries(byDb)) {
    if (!(db in top)) top[db] = { self: { label: db, type: 'namespace', detail: 'database' }, children: schemas };
  }
  return top;
}

const TABLE_REF = /\b(?:from|join|update|into)\s+((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)){0,2})/gi;

function unquote(part: string): string {
  const p = part.trim();
  return p.startsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.toLowerCase();
}

/** Tables and views named after FROM/JOIN/UPDATE/INTO in a statement, resolved against the catalog. */
export function tablesInStatement(
  statement: string,
  tree: CatalogTree | null,
  defaultDb: string | null,
): { name: string; columns: { name: string; type: string }[] }[] {
  const out: { name: string; columns: { name: string; type: string }[] }[] = [];
  if (!tree) return out;
  for (const m of statement.matchAll(TABLE_REF)) {
    const parts = m[1].split(/\s*\.\s*(?=(?:[^"]*"[^"]*")*[^"]*$)/).map(unquote);
    const table = parts[parts.length - 1];
    const schema = parts.length >= 2 ? parts[parts.length - 2] : null;
    const db = parts.length === 3 ? parts[0] : null;
    const candidates = tree.schemas.filter(
      (s) =>
        (db === null ? true : s.database.toLowerCase() === db.toLowerCase()) &&
        (schema === null ? s.name === 'main' : s.name.toLowerCase() === schema.toLowerCase()),
    );
    candidates.sort((a, b) => Number(b.database === defaultDb) - Number(a.database === defaultDb));
    for (const s of candidates) {
      const o = s.objects.find((x) => x.name === table) ?? s.objects.find((x) => x.name.toLowerCase() === table.toLowerCase());
      if (o) {
        out.push({ name: o.name, columns: o.columns });
        break;
      }
    }
  }
  return out;
}
