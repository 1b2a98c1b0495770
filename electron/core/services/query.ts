import type { QueryApi } from '../../../shared/api/contract';
import { chartData } from '../chart/chart-data';
import type { Engine } from '../engine/engine';
import { tableScans } from '../engine/explain';
import type { Lake } from '../lake/lake';
import { parquetScans } from '../mirror/explain-tiers';
import { HOT_MIRROR_SCHEMA } from '../mirror/meta';

/** query.* over the engine. Requests arrive validated by the dispatcher. */
export function createQueryService(engine: Engine, lake: Lake): QueryApi {
  return {
    run: (req) => engine.run(req),
    window: (req) => engine.window(req),
    chart: (req) => chartData(engine, req),
    cancel: async (req) => ({ cancelled: await engine.cancel(req.runId) }),
    close: async (req) => ({ closed: await engine.closeResult(req.resultId) }),
    closeSession: async (req) => ({ closed: engine.closeSession(req.sessionId) }),
    pivot: (req) => engine.pivot(req),
    explain: async (req) => {
      const plan = await engine.explain(req);
      const tiers = await engine.withConnection(async (conn) => ({
        tables: await tableScans(conn, plan.scans, HOT_MIRROR_SCHEMA),
        parquet: await parquetScans(conn, lake, plan.scans),
      }));
      return { analyzed: req.analyze, totalMs: plan.totalMs, root: plan.root, ...tiers };
    },
    history: async (req) => ({ entries: await engine.historyEntries(req.search, req.limit) }),
  };
}
