import { DEFAULT_PG_EXPANSION, projectCost, type CostProjection } from '../../../shared/cost';
import type { StorageOverview } from '../../../shared/api/storage';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../../../shared/domain/datasets';

export interface CostSettings {
  hotPerGbMonth: number;
  coldPerGbMonth: number;
  /** Days of time-series rows PostgreSQL holds now. */
  hotWindowDays: number;
  /** Days it would hold after archiving more (≤ hotWindowDays). */
  keepHotDays: number;
  /** Per table, the hot window its lifecycle policy sets (over `keepHotDays`). */
  keepHotDaysOf?: Record<string, number>;
}

export interface CostModel extends CostProjection {
  hotBytes: number;
  coldBytes: number;
  /** Hot bytes of time-series tables (the part the hot window decides). */
  timeseriesHotBytes: number;
  /** PostgreSQL bytes the shorter window would move to the lake. */
  archivableHotBytes: number;
  /** PostgreSQL bytes per Parquet byte for the same rows: measured where a dataset is in both, else the default. */
  pgExpansion: number;
  expansionMeasured: boolean;
}

const isTimeseries = (name: string): boolean =>
  (DATASET_NAMES as readonly string[]).includes(name) && DATASETS[name as DatasetName].kind === 'timeseries';

/**
 * How many PostgreSQL bytes one Parquet byte of the same rows takes, from datasets that are
 * both hot and cold: (PG bytes per row) / (Parquet bytes per row), weighted by hot rows.
 */
export function measuredExpansion(overview: StorageOverview): number | null {
  if (!overview.hot) return null;
  let pgBytes = 0;
  let parquetEquivalent = 0;
  for (const t of overview.hot.tables) {
    const cold = overview.datasets.find((d) => d.dataset === t.table);
    if (!cold || cold.rows <= 0 || t.rows <= 0 || t.bytes <= 0 || cold.parquetBytes <= 0) continue;
    pgBytes += t.bytes;
    parquetEquivalent += (cold.parquetBytes / cold.rows) * t.rows;
  }
  return parquetEquivalent > 0 ? pgBytes / parquetEquivalent : null;
}

/** The cost projection of the Compression view, from the storage overview and the user's prices and window. */
export function costModel(overview: StorageOverview, settings: CostSettings): CostModel {
  const hotBytes = overview.hot?.bytes ?? 0;
  const coldBytes = overview.cold.bytes;
  const timeseries = (overview.hot?.tables ?? []).filter((t) => isTimeseries(t.table));
  const timeseriesHotBytes = timeseries.reduce((a, t) => a + t.bytes, 0);
  const window = Math.max(0, settings.hotWindowDays);
  // Each table's share of its window that a shorter one (its policy's, else the one typed) would move out.
  const archivableHotBytes =
    window > 0
      ? timeseries.reduce((a, t) => {
          const keep = Math.min(window, Math.max(0, settings.keepHotDaysOf?.[t.table] ?? settings.keepHotDays));
          return a + (t.bytes * (window - keep)) / window;
        }, 0)
      : 0;
  const measured = measuredExpansion(overview);
  const pgExpansion = measured ?? DEFAULT_PG_EXPANSION;
  const projection = projectCost(
    {
      hotBytes,
      coldBytes,
      hotPerGbMonth: settings.hotPerGbMonth,
      coldPerGbMonth: settings.coldPerGbMonth,
      archivableHotBytes,
      archivableParquetBytes: archivableHotBytes / pgExpansion,
    },
    pgExpansion,
  );
  return { ...projection, hotBytes, coldBytes, timeseriesHotBytes, archivableHotBytes, pgExpansion, expansionMeasured: measured !== null };
}

/** A price typed by the user: a finite, non-negative number, else null. */
export function parsePrice(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d*\.?\d+$|^\d+\.$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) && v >= 0 ? v : null;
}
