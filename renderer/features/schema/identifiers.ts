import { quoteIdent } from '../../../shared/sql';
import type { CatalogTree } from '../../../shared/api/catalog';

const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'default deferrable desc distinct do else end except false fetch for foreign from grant group having in ' +
    'initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order ' +
    'placing primary references returning select session_user some symmetric table then to trailing true union ' +
    'unique user using variadic when where window with pivot unpivot qualify'
  ).split(' '),
);

/** An identifier as a user would type it: bare when it is a plain lower-case name, else quoted. */
export function displayIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : quoteIdent(name);
}

/** The database a bare table name resolves to: the one holding a `main` schema listed first. */
export function defaultDatabase(tree: CatalogTree | null): string | null {
  if (!tree || tree.schemas.length === 0) return null;
  return (tree.schemas.find((s) => s.name === 'main') ?? tree.schemas[0]).database;
}

/** The shortest name that reaches a table from the default database and schema. */
export function tableReference(database: string, schema: string, table: string, defaultDb: string | null): string {
  if (database === defaultDb && schema === 'main') return displayIdent(table);
  if (database === defaultDb) return `${displayIdent(schema)}.${displayIdent(table)}`;
  return `${displayIdent(database)}.${displayIdent(schema)}.${displayIdent(table)}`;
}
