import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_HEALTH_THRESHOLDS, thresholdsProblem, type HealthThresholds } from '../../../shared/domain/health';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

const TABLE_NAME = 'dashboard_settings';
const TABLE = qualifiedName(INTERNAL_SCHEMA, TABLE_NAME);
const KEY = 'health_thresholds';

/**
 * The workspace's health thresholds: stored ones when valid, else the defaults. A read never creates the table:
 * every panel reads them on its own connection at the same time, and concurrent creates conflict in DuckDB.
 */
export async function readThresholds(conn: DuckDBConnection): Promise<{ thresholds: HealthThresholds; isDefault: boolean }> {
  const present = await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
    INTERNAL_SCHEMA,
    TABLE_NAME,
  ]);
  const rows = present.length === 0 ? [] : await queryRows(conn, `SELECT value FROM ${TABLE} WHERE key = $1`, [KEY]);
  if (rows.length === 0) return { thresholds: { ...DEFAULT_HEALTH_THRESHOLDS }, isDefault: true };
  try {
    const v = JSON.parse(String(rows[0].value)) as Record<string, unknown>;
    const t: HealthThresholds = {
      watchPct: Number(v.watchPct),
      degradedPct: Number(v.degradedPct),
      replacePct: Number(v.replacePct),
      baselineDays: Number(v.baselineDays),
    };
    if (thresholdsProblem(t) === null) return { thresholds: t, isDefault: false };
  } catch {
    // Unreadable: the defaults apply.
  }
  return { thresholds: { ...DEFAULT_HEALTH_THRESHOLDS }, isDefault: true };
}

/** Store thresholds (validated by the caller), or null to go back to the defaults. */
export async function writeThresholds(conn: DuckDBConnection, t: HealthThresholds | null): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  if (t === null) {
    await conn.run(`DELETE FROM ${TABLE} WHERE key = $1`, [KEY]);
    return;
  }
  const value = JSON.stringify({
    watchPct: t.watchPct,
    degradedPct: t.degradedPct,
    replacePct: t.replacePct,
    baselineDays: t.baselineDays,
  });
  await conn.run(`INSERT OR REPLACE INTO ${TABLE} VALUES ($1, $2)`, [KEY, value]);
}
