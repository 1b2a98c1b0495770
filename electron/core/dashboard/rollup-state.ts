import type { DuckDBConnection } from '@duckdb/node-api';
import type { PanelRollups } from '../../../shared/api/dashboard';
import { qualifiedName } from '../../../shared/sql';
import { queryNumber } from '../engine/duck-query';
import { GOLD_TABLES } from '../rollups/gold-schema';
import type { RollupService } from '../rollups/rollup-service';

/** Every gold table with the unified view it is built from. */
const GOLD_SOURCES = GOLD_TABLES.map((t) => ({
  name: t.name,
  sql: t.table,
  from: qualifiedName('main', t.family.name === 'string' ? 'string_telemetry' : 'telemetry'),
}));

async function hasRows(conn: DuckDBConnection, table: string): Promise<boolean> {
  return (await queryNumber(conn, `SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT 1)`)) > 0;
}

export interface PanelRollupState {
  rollups: PanelRollups;
  /** The panel's rollups hold nothing yet: its rows would say "no data" where the data is only not built. */
  withhold: boolean;
}

/**
 * Whether a panel that reads `source` (e.g. `gold.jar_daily, alert`) may show its rows as facts: null when it
 * reads no rollup or its rollups are current; else the build state to show, and whether to leave its rows out
 * (its rollups are empty: first build, a full rebuild, or never built while their source view holds data).
 */
export async function panelRollupState(conn: DuckDBConnection, rollups: RollupService, source: string): Promise<PanelRollupState | null> {
  const tables = GOLD_SOURCES.filter((t) => new RegExp(`\\b${t.name.replace('.', '\\.')}\\b`).test(source));
  if (tables.length === 0) return null;
  const progress = rollups.progress();
  const empty: typeof tables = [];
  for (const t of tables) if (!(await hasRows(conn, t.sql))) empty.push(t);
  if (progress) {
    return {
      rollups: { building: true, fraction: progress.fraction, message: progress.message },
      withhold: empty.length > 0,
    };
  }
  for (const t of empty) {
    if (await hasRows(conn, t.from)) {
      const why = rollups.error ? `the last refresh failed: ${rollups.error}` : 'no refresh has run yet';
      return {
        rollups: {
          building: false,
          fraction: null,
          message: `The rollups are not built (${why}). The next sync with new data, or reopening the workspace, builds them.`,
        },
        withhold: true,
      };
    }
  }
  return null;
}
