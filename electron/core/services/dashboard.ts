import type { DuckDBConnection } from '@duckdb/node-api';
import type { DashboardApi } from '../../../shared/api/contract';
import type { PanelData } from '../../../shared/api/dashboard';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { Engine } from '../engine/engine';
import type { RollupService } from '../rollups/rollup-service';
import { inTransaction } from '../engine/duck-query';
import { getSplitsMs } from '../mirror/meta';
import { readAnomalyThresholds } from '../analytics/anomaly-thresholds-store';
import { readSignSettings } from '../analytics/sign-store';
import { toCell } from '../dashboard/cells';
import { readEntity } from '../dashboard/entity';
import { panelRollupState } from '../dashboard/rollup-state';
import { panelQuery } from '../dashboard/panels';
import type { StartupGate } from '../system/startup-gate';
import { readSohEol, readThresholds, writeThresholds } from '../dashboard/thresholds-store';

/** The panels that run the state-of-health analysis with the workspace's end-of-life thresholds. */
const SOH_PANELS: ReadonlySet<string> = new Set(['battery.soh', 'fleet.weakest']);

/** The panels that read the workspace's sign convention, and those that read its outlier thresholds. */
const SIGN_PANELS: ReadonlySet<string> = new Set(['string.events', 'string.discharges', 'string.efc']);
const ANOMALY_PANELS: ReadonlySet<string> = new Set(['battery.zscore', 'fleet.anomalies']);
/**
 * The panels that read a time series over their range from the hot mirror alone when the range lies in the hot
 * tier (rangeSourceSql): they read the tier splits and run their query in one transaction.
 */
const RANGE_TIER_PANELS: ReadonlySet<string> = new Set(['fleet.atRisk', 'battery.rul']);

/** How long one panel query may run before it is interrupted. */
const PANEL_TIMEOUT_MS = 60_000;

/** The `dashboard` service: panels (one SQL query each, run on its own connection), entities, thresholds, rollups. */
export function createDashboardService(deps: { engine: Engine; rollups: RollupService; gate: StartupGate }): DashboardApi {
  const { engine, rollups, gate } = deps;
  // The rollups catch up once the first panels are answered (see StartupGate), not while they are read.
  const catchUp = (): void => gate.after(() => rollups.catchUp());
  const withConn = <T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> => engine.withConnection(fn);

  return {
    panel: (req) => {
      /** The panel's answer on `conn`; with the tier splits read first when `tiered` (see RANGE_TIER_PANELS). */
      const answer = async (conn: DuckDBConnection, tiered: boolean): Promise<PanelData> => {
        catchUp();
        const thresholds = req.thresholds ?? (await readThresholds(conn)).thresholds;
        const soh = SOH_PANELS.has(req.panel) ? (await readSohEol(conn)).eol : undefined;
        const sign = SIGN_PANELS.has(req.panel) ? (await readSignSettings(conn)).settings : undefined;
        const anomaly = ANOMALY_PANELS.has(req.panel) ? (await readAnomalyThresholds(conn)).thresholds : undefined;
        const splits = tiered ? await getSplitsMs(conn) : undefined;
        const q = panelQuery({
          splits,
          soh,
          sign,
          anomaly,
          panel: req.panel,
          scope: req.scope,
          fromMs: Date.parse(req.from),
          toMs: Date.parse(req.to),
          width: req.width,
          thresholds,
        });
        const started = performance.now();
        const timer = setTimeout(() => conn.interrupt(), PANEL_TIMEOUT_MS);
        try {
          const build = await panelRollupState(conn, rollups, q.source);
          // Rollups that hold nothing yet answer nothing: the panel shows their build state, not "no data".
          const reader = build?.withhold ? null : await conn.runAndReadAll(q.sql);
          return {
            panel: req.panel,
            columns: reader ? reader.columnNames() : [],
            rows: reader ? reader.getRows().map((r) => r.map(toCell)) : [],
            sql: q.sql,
            exportSql: q.exportSql,
            source: q.source,
            bucketMs: q.bucketMs,
            elapsedMs: Math.round((performance.now() - started) * 10) / 10,
            ...(build ? { rollups: build.rollups } : {}),
          };
        } catch (err) {
          const message = errorMessage(err);
          throw new WorkbenchError('SQL_ERROR', `The ${req.panel} panel could not be read: ${message.split('\n')[0]}`, message);
        } finally {
          clearTimeout(timer);
        }
      };
      return gate.track(() =>
        withConn((conn) => (RANGE_TIER_PANELS.has(req.panel) ? inTransaction(conn, () => answer(conn, true)) : answer(conn, false))),
      );
    },
    entity: (req) => {
      catchUp();
      return withConn((conn) => readEntity(conn, req.scope));
    },
    thresholds: () => withConn((conn) => readThresholds(conn)),
    setThresholds: (req) =>
      withConn(async (conn) => {
        await writeThresholds(conn, req.thresholds);
        return readThresholds(conn);
      }),
    rollups: () => rollups.status(),
    refreshRollups: async (req) => {
      const { jobId } = rollups.refreshNow(req.full);
      if (jobId === null) throw new WorkbenchError('CONFLICT', 'A rollup refresh is already running; another one was queued to follow it.');
      return { jobId };
    },
  };
}
