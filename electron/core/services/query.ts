import type { QueryApi } from '../../../shared/api/contract';
import { chartData } from '../chart/chart-data';
import type { Engine } from '../engine/engine';

/** query.* over the engine. Requests arrive validated by the dispatcher. */
export function createQueryService(engine: Engine): QueryApi {
  return {
    run: (req) => engine.run(req),
    window: (req) => engine.window(req),
    chart: (req) => chartData(engine, req),
    cancel: async (req) => ({ cancelled: await engine.cancel(req.runId) }),
    close: async (req) => ({ closed: await engine.closeResult(req.resultId) }),
    closeSession: async (req) => ({ closed: engine.closeSession(req.sessionId) }),
    history: async (req) => ({ entries: await engine.historyEntries(req.search, req.limit) }),
  };
}
