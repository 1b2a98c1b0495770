import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SIGN_SETTINGS, SIGN_CONVENTIONS, type SignConvention, type SignSettings } from '../../../shared/domain/analytics';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';

const TABLE_NAME = 'analytics_settings';
const TABLE = qualifiedName(INTERNAL_SCHEMA, TABLE_NAME);
const KEY = 'sign_convention';

function isConvention(v: unknown): v is SignConvention {
  return typeof v === 'string' && (SIGN_CONVENTIONS as readonly string[]).includes(v);
}

/**
 * The workspace's current sign convention: the stored one when valid, else "positive = charge" everywhere.
 * A read never creates the table (analyses run on several connections at once; concurrent creates conflict).
 */
export async function readSignSettings(conn: DuckDBConnection): Promise<{ settings: SignSettings; isDefault: boolean }> {
  const present = await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
    INTERNAL_SCHEMA,
    TABLE_NAME,
  ]);
  const rows = present.length === 0 ? [] : await queryRows(conn, `SELECT value FROM ${TABLE} WHERE key = $1`, [KEY]);
  const fallback = { settings: { default: DEFAULT_SIGN_SETTINGS.default, sites: {} }, isDefault: true };
  if (rows.length === 0) return fallback;
  try {
    const v = JSON.parse(String(rows[0].value)) as { default?: unknown; sites?: unknown };
    if (!isConvention(v.default) || typeof v.sites !== 'object' || v.sites === null) return fallback;
    const sites: Record<string, SignConvention> = {};
    for (const [k, c] of Object.entries(v.sites)) if (/^\d{1,10}$/.test(k) && isConvention(c)) sites[k] = c;
    return { settings: { default: v.default, sites }, isDefault: false };
  } catch {
    return fallback;
  }
}

/** Store the sign convention (validated by the caller), or null to go back to the default. */
export async function writeSignSettings(conn: DuckDBConnection, settings: SignSettings | null): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  if (settings === null) {
    await conn.run(`DELETE FROM ${TABLE} WHERE key = $1`, [KEY]);
    return;
  }
  await conn.run(`INSERT OR REPLACE INTO ${TABLE} VALUES ($1, $2)`, [
    KEY,
    JSON.stringify({ default: settings.default, sites: settings.sites }),
  ]);
}
