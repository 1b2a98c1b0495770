import type { SavedQueriesApi } from '../../../shared/api/contract';
import type { Engine } from '../engine/engine';
import { choiceValues } from '../engine/query-params';
import { sqlError } from '../engine/result-store';

/** savedQueries.*: the workspace's saved queries, and the values of a parameter's choice list. */
export function createSavedQueriesService(engine: Engine): SavedQueriesApi {
  const store = engine.savedQueries;
  return {
    list: async () => ({ queries: await store.list() }),
    get: (req) => store.get(req.name),
    save: (req) => store.save(req),
    rename: (req) => store.rename(req.from, req.to),
    delete: async (req) => ({ deleted: await store.delete(req.name) }),
    choices: (req) => engine.withConnection((conn) => choiceValues(conn, req.sql)).catch((err: unknown) => Promise.reject(sqlError(err))),
  };
}
