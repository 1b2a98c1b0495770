import type { DuckDBConnection } from '@duckdb/node-api';
import { AnomalyThresholdsSchema } from '../../../shared/api/analytics';
import { DEFAULT_ANOMALY_THRESHOLDS, type AnomalyThresholds } from '../../../shared/domain/analytics';
import { readAnalyticsSetting, writeAnalyticsSetting } from './settings-table';

const KEY = 'anomaly_thresholds';

/** The workspace's outlier and hotspot thresholds: the stored ones when valid, else the defaults (|z| >= 3 for 6 h, 5 °C). */
export async function readAnomalyThresholds(conn: DuckDBConnection): Promise<{ thresholds: AnomalyThresholds; isDefault: boolean }> {
  const stored = await readAnalyticsSetting(conn, KEY);
  const parsed = AnomalyThresholdsSchema.safeParse(stored);
  if (stored === undefined || !parsed.success) {
    return { thresholds: { ...DEFAULT_ANOMALY_THRESHOLDS }, isDefault: true };
  }
  return { thresholds: parsed.data, isDefault: false };
}

/** Store the thresholds (validated by the caller), or null to go back to the defaults. */
export async function writeAnomalyThresholds(conn: DuckDBConnection, thresholds: AnomalyThresholds | null): Promise<void> {
  await writeAnalyticsSetting(conn, KEY, thresholds);
}
