import { z } from 'zod';
import { ChartSettings } from './chart';
import { method } from './define';
import { ParamDecls, type ParamDecl } from './params';
import { QueryTarget } from './query';

/** The longest saved-query name, folders included. */
export const MAX_SAVED_NAME = 200;

/**
 * A saved query's name: folders and the query's own name joined by `/` (`fleet/daily voltage`). Each part is trimmed;
 * no part may be empty, and no character may be a control character. Returns why the name cannot be used, or null.
 */
export function savedNameProblem(name: string): string | null {
  const normalized = normalizeSavedName(name);
  if (normalized.length === 0) return 'is empty: give the query a name';
  if (normalized.length > MAX_SAVED_NAME) return `is ${normalized.length} characters long; at most ${MAX_SAVED_NAME} are allowed`;
  if (normalized.split('/').some((part) => part.length === 0)) return 'has an empty folder part: write folders as "folder/name"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(normalized)) return 'contains a control character (tab, newline, ...)';
  return null;
}

/** The name as stored: each `/`-separated part trimmed. */
export function normalizeSavedName(name: string): string {
  return name
    .split('/')
    .map((part) => part.trim())
    .join('/');
}

/** The folder of a saved name (`fleet/daily voltage` → `fleet`), '' at the top level. */
export function savedFolder(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/** The query's own name, without its folders. */
export function savedLeaf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export const SavedName = z
  .string()
  .max(MAX_SAVED_NAME * 4)
  .transform((name, ctx) => {
    const problem = savedNameProblem(name);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return normalizeSavedName(name);
  });

export interface SavedQuery {
  /** Folders and name joined by `/`, unique in the workspace. */
  name: string;
  /** The folders part of the name ('' at the top level). */
  folder: string;
  sql: string;
  target: QueryTarget;
  params: ParamDecl[];
  chart: ChartSettings | null;
  createdAt: string;
  updatedAt: string;
}

export const savedQueriesApi = {
  /** Every saved query, by folder then name. */
  list: method<{ queries: SavedQuery[] }>()(z.object({})),
  get: method<SavedQuery>()(z.object({ name: SavedName })),
  /** Saves a new query; a name in use is refused with CONFLICT unless `overwrite` (Save over the query the tab opened). */
  save: method<SavedQuery>()(
    z.object({
      name: SavedName,
      sql: z.string().min(1, 'is empty: type a query first').max(1_000_000),
      target: QueryTarget.default('workspace'),
      params: ParamDecls.default([]),
      /** Left out: a query saved over keeps its chart settings (a new one has none). */
      chart: ChartSettings.nullable().optional(),
      overwrite: z.boolean().default(false),
    }),
  ),
  rename: method<SavedQuery>()(z.object({ from: SavedName, to: SavedName })),
  delete: method<{ deleted: boolean }>()(z.object({ name: SavedName })),
  /** The values of a choice list: the first column of `sql`, run in the workspace (at most 1,000, as text). */
  choices: method<{ values: string[]; truncated: boolean }>()(z.object({ sql: z.string().min(1).max(100_000) })),
};
