import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SIGN_SETTINGS, SIGN_CONVENTIONS, type SignConvention, type SignSettings } from '../../../shared/domain/analytics';
import { readAnalyticsSetting, writeAnalyticsSetting } from './settings-table';

const KEY = 'sign_convention';

function isConvention(v: unknown): v is SignConvention {
  return typeof v === 'string' && (SIGN_CONVENTIONS as readonly string[]).includes(v);
}

/** The workspace's current sign convention: the stored one when valid, else "positive = charge" everywhere. */
export async function readSignSettings(conn: DuckDBConnection): Promise<{ settings: SignSettings; isDefault: boolean }> {
  const v = (await readAnalyticsSetting(conn, KEY)) as { default?: unknown; sites?: unknown } | null | undefined;
  const fallback = { settings: { default: DEFAULT_SIGN_SETTINGS.default, sites: {} }, isDefault: true };
  if (typeof v !== 'object' || v === null) return fallback;
  if (!isConvention(v.default) || typeof v.sites !== 'object' || v.sites === null) return fallback;
  const sites: Record<string, SignConvention> = {};
  for (const [k, c] of Object.entries(v.sites)) if (/^\d{1,10}$/.test(k) && isConvention(c)) sites[k] = c;
  return { settings: { default: v.default, sites }, isDefault: false };
}

/** Store the sign convention (validated by the caller), or null to go back to the default. */
export async function writeSignSettings(conn: DuckDBConnection, settings: SignSettings | null): Promise<void> {
  await writeAnalyticsSetting(conn, KEY, settings === null ? null : { default: settings.default, sites: settings.sites });
}
