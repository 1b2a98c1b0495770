import type { AnalyticsApi } from '../../../shared/api/contract';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { runAnomalies, runEvents, runJarZ } from '../analytics/analytics';
import { readAnomalyThresholds, writeAnomalyThresholds } from '../analytics/anomaly-thresholds-store';
import { readSignSettings, writeSignSettings } from '../analytics/sign-store';
import type { Engine } from '../engine/engine';

/** How long one analysis may run before it is interrupted. */
const ANALYSIS_TIMEOUT_MS = 120_000;

/** The `analytics` service: discharge events and cycles, sibling anomalies, and the sign convention setting. */
export function createAnalyticsService(deps: { engine: Engine }): AnalyticsApi {
  const { engine } = deps;
  const analysis = <T>(name: string, fn: (conn: Parameters<Parameters<Engine['withConnection']>[0]>[0]) => Promise<T>): Promise<T> =>
    engine.withConnection(async (conn) => {
      const timer = setTimeout(() => conn.interrupt(), ANALYSIS_TIMEOUT_MS);
      try {
        return await fn(conn);
      } catch (err) {
        if (err instanceof WorkbenchError) throw err;
        const message = errorMessage(err);
        throw new WorkbenchError('SQL_ERROR', `The ${name} analysis could not be run: ${message.split('\n')[0]}`, message);
      } finally {
        clearTimeout(timer);
      }
    });
  return {
    events: (req) =>
      analysis('events', async (conn) =>
        runEvents(conn, {
          fromMs: Date.parse(req.from),
          toMs: Date.parse(req.to),
          stringId: req.stringId,
          kinds: req.kinds,
          thresholds: req.thresholds,
          sign: (await readSignSettings(conn)).settings,
        }),
      ),
    anomalies: (req) =>
      analysis('anomalies', async (conn) =>
        runAnomalies(conn, {
          fromMs: Date.parse(req.from),
          toMs: Date.parse(req.to),
          stringId: req.stringId,
          thresholds: req.thresholds ?? (await readAnomalyThresholds(conn)).thresholds,
          resolution: req.resolution,
        }),
      ),
    jarZ: (req) =>
      analysis('z-score', (conn) =>
        runJarZ(conn, { fromMs: Date.parse(req.from), toMs: Date.parse(req.to), batteryId: req.batteryId, resolution: req.resolution }),
      ),
    signConvention: () => engine.withConnection((conn) => readSignSettings(conn)),
    setSignConvention: (req) =>
      engine.withConnection(async (conn) => {
        await writeSignSettings(conn, req.settings);
        return readSignSettings(conn);
      }),
    anomalyThresholds: () => engine.withConnection((conn) => readAnomalyThresholds(conn)),
    setAnomalyThresholds: (req) =>
      engine.withConnection(async (conn) => {
        await writeAnomalyThresholds(conn, req.thresholds);
        return readAnomalyThresholds(conn);
      }),
  };
}
