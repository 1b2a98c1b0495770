import type { PanelId, Scope } from '../../../shared/api/dashboard';
import type { SohEol } from '../../../shared/api/soh';
import type { AnomalyThresholds, SignSettings } from '../../../shared/domain/analytics';
import type { HealthThresholds } from '../../../shared/domain/health';

/** What a panel's SQL is built from: validated request values only. */
export interface PanelContext {
  panel: PanelId;
  scope: Scope;
  fromMs: number;
  toMs: number;
  width: number;
  thresholds: HealthThresholds;
  /** End-of-life thresholds of the SoH panels (the defaults when left out). */
  soh?: SohEol;
  /** The sign convention of the event panels and the outlier thresholds of the anomaly panels (defaults when left out). */
  sign?: SignSettings;
  anomaly?: AnomalyThresholds;
  /**
   * The tier splits (ms) by dataset, read in the transaction the panel's query runs in, for the panels that read a
   * time series over their range (rangeSourceSql); a dataset without one has no split. Left out: the unified views.
   */
  splits?: ReadonlyMap<string, number>;
}

/** One panel's queries: what it draws (downsampled), what "Export data" writes (full resolution). */
export interface PanelQuery {
  sql: string;
  exportSql: string;
  source: string;
  bucketMs: number;
}
