import { z } from 'zod';
import { method } from './define';
import type { ColumnInfo } from './query';

export interface CatalogObject {
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  /** Known row count (estimated for views: null). */
  rowCount: number | null;
  /** Bytes on disk where the engine knows them, else null. */
  sizeBytes: number | null;
  comment: string | null;
}

export interface CatalogSchema {
  /** Database (catalog) name in DuckDB, e.g. `workspace`. */
  database: string;
  name: string;
  objects: CatalogObject[];
}

export interface CatalogTree {
  schemas: CatalogSchema[];
}

export const catalogApi = {
  tree: method<CatalogTree>()(z.object({}).default({})),
};
