import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SOH_EOL, SohSettingsSchema, type SohEol, type SohSettings } from '../../../shared/api/soh';
import type { HealthThresholds } from '../../../shared/domain/health';
import type { PanelContext } from './panel-query';
import { readSohEol, readThresholds } from './thresholds-store';

/** The analysis settings from the workspace's end-of-life thresholds and its health baseline (one baseline per workspace). */
export function sohSettingsFrom(eol: SohEol, thresholds: Pick<HealthThresholds, 'baselineDays'>): SohSettings {
  return SohSettingsSchema.parse({ eolSohPct: eol.eolSohPct, eolDriftPct: eol.eolDriftPct, baselineDays: thresholds.baselineDays });
}

/** The settings a panel's SoH analysis runs with. */
export function sohSettingsOf(ctx: PanelContext): SohSettings {
  return sohSettingsFrom(ctx.soh ?? DEFAULT_SOH_EOL, ctx.thresholds);
}

/** The workspace's SoH settings, read without creating anything. */
export async function readSohSettings(conn: DuckDBConnection): Promise<SohSettings> {
  const [{ eol }, { thresholds }] = [await readSohEol(conn), await readThresholds(conn)];
  return sohSettingsFrom(eol, thresholds);
}
