import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SOH_EOL, SohEolSchema, type SohEol } from '../../../shared/api/soh';
import { DEFAULT_HEALTH_THRESHOLDS, thresholdsProblem, type HealthThresholds } from '../../../shared/domain/health';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

const TABLE_NAME = 'dashboard_settings';
const TABLE = qualifiedName(INTERNAL_SCHEMA, TABLE_NAME);
const KEY = 'health_thresholds';
const SOH_EOL_KEY = 'soh_end_of_life';

/**
 * The workspace's health thresholds: stored ones when valid, else the defaults. A read never creates the table:
 * every panel reads them on its own connection at the same time, and concurrent creates conflict in DuckDB.
 */
export async function readThresholds(conn: DuckDBConnection): Promise<{ thresholds: HealthThresholds; isDefault: boolean }> {
  const stored = await readValue(conn, KEY);
  if (stored === null) return { thresholds: { ...DEFAULT_HEALTH_THRESHOLDS }, isDefault: true };
  try {
    const v = JSON.parse(stored) as Record<string, unknown>;
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
  await writeValue(
    conn,
    KEY,
    t === null
      ? null
      : JSON.stringify({ watchPct: t.watchPct, degradedPct: t.degradedPct, replacePct: t.replacePct, baselineDays: t.baselineDays }),
  );
}

/** The workspace's end-of-life thresholds for SoH and RUL: stored ones when valid, else the defaults. Never creates the table. */
export async function readSohEol(conn: DuckDBConnection): Promise<{ eol: SohEol; isDefault: boolean }> {
  const stored = await readValue(conn, SOH_EOL_KEY);
  if (stored !== null) {
    try {
      const parsed = SohEolSchema.safeParse(JSON.parse(stored));
      if (parsed.success) return { eol: parsed.data, isDefault: false };
    } catch {
      // Unreadable: the defaults apply.
    }
  }
  return { eol: { ...DEFAULT_SOH_EOL }, isDefault: true };
}

/** Store end-of-life thresholds (validated by the caller), or null to go back to the defaults. */
export async function writeSohEol(conn: DuckDBConnection, eol: SohEol | null): Promise<void> {
  await writeValue(conn, SOH_EOL_KEY, eol === null ? null : JSON.stringify({ eolSohPct: eol.eolSohPct, eolDriftPct: eol.eolDriftPct }));
}

/** The stored value of a key, or null when the table or the key is absent (a read never creates the table). */
async function readValue(conn: DuckDBConnection, key: string): Promise<string | null> {
  const present = await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
    INTERNAL_SCHEMA,
    TABLE_NAME,
  ]);
  const rows = present.length === 0 ? [] : await queryRows(conn, `SELECT value FROM ${TABLE} WHERE key = $1`, [key]);
  return rows.length === 0 ? null : String(rows[0].value);
}

/** Store a key's value, or delete it (null). */
async function writeValue(conn: DuckDBConnection, key: string, value: string | null): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  if (value === null) await conn.run(`DELETE FROM ${TABLE} WHERE key = $1`, [key]);
  else await conn.run(`INSERT OR REPLACE INTO ${TABLE} VALUES ($1, $2)`, [key, value]);
}
