import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import type { FeatureDrift } from '../../../shared/api/features';
import { FEATURE_DAY_COLUMN, featureViewName, type FeatureSetDefinition } from '../../../shared/domain/features';
import { PSI_DEFAULT_BINS, PSI_DEFAULT_THRESHOLD } from '../../../shared/domain/psi';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { readAnalyticsSetting, writeAnalyticsSetting } from '../analytics/settings-table';
import { FEATURES_DATASET } from './feature-views';
import { weeklyPsi } from './psi-drift';

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Days the default reference window spans, from a version's first materialized day. */
export const DEFAULT_REFERENCE_DAYS = 28;

/**
 * The default reference's length: 28 days; a history shorter than 8 weeks is cut in half instead (at least 7 days),
 * so there are weeks after the reference to compare.
 */
export function defaultReferenceDays(historyDays: number): number {
  return Math.min(DEFAULT_REFERENCE_DAYS, Math.max(7, Math.floor(historyDays / 2)));
}

/**
 * The default reference window of a version whose rows run `historyDays` days from `firstDay`: it starts after the
 * set's lookback days when two weeks of history are left after them (a reference week, and a week to compare). A
 * column over a window of days (a rolling mean, a slope) may have only part of its window on the history's first
 * days, so those values are not the distribution the set keeps: as a reference they flag every later week
 * (`jar_daily_stats` leaves its 7-day slope NULL on such days; a user's set may not).
 */
export function defaultReference(firstDay: string, historyDays: number, lookbackDays: number): { from: string; to: string } {
  const skip = historyDays - lookbackDays >= 14 ? lookbackDays : 0;
  const from = addDays(firstDay, skip);
  return { from, to: addDays(from, defaultReferenceDays(historyDays - skip)) };
}

const THRESHOLD_KEY = 'feature_drift_threshold';
const NUMERIC = /^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)\b/i;

/** The workspace's PSI alarm line: the stored one when valid, else 0.25. */
export async function readDriftThreshold(conn: DuckDBConnection): Promise<{ threshold: number; isDefault: boolean }> {
  const stored = await readAnalyticsSetting(conn, THRESHOLD_KEY);
  if (typeof stored === 'number' && Number.isFinite(stored) && stored > 0 && stored <= 10) return { threshold: stored, isDefault: false };
  return { threshold: PSI_DEFAULT_THRESHOLD, isDefault: true };
}

/** Store the PSI alarm line (validated by the caller), or null to go back to the default. */
export async function writeDriftThreshold(conn: DuckDBConnection, threshold: number | null): Promise<void> {
  await writeAnalyticsSetting(conn, THRESHOLD_KEY, threshold);
}

/**
 * Distribution drift of one materialized version: for each numeric column, the population stability index of each
 * ISO week (by the rows' UTC day) against the reference window, cut into equal-frequency bins of the reference.
 */
export async function featureDrift(
  conn: DuckDBConnection,
  def: FeatureSetDefinition,
  version: number,
  options: { reference?: { from: string; to: string }; bins?: number; threshold: number },
): Promise<FeatureDrift> {
  const view = qualifiedName(FEATURES_DATASET, featureViewName(def.name, version));
  const present = await queryRows(conn, `SELECT 1 FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2`, [
    FEATURES_DATASET,
    featureViewName(def.name, version),
  ]);
  if (present.length === 0)
    throw new WorkbenchError(
      'NOT_FOUND',
      `Version ${version} of ${def.name} has no materialized rows to measure drift on.`,
      `Run \`features materialize --set ${def.name}\`.`,
    );
  let reference = options.reference;
  if (reference === undefined) {
    const span = await queryRows(
      conn,
      `SELECT strftime(min(${FEATURE_DAY_COLUMN}), '%Y-%m-%d') AS d, max(${FEATURE_DAY_COLUMN}) - min(${FEATURE_DAY_COLUMN}) + 1 AS n FROM ${view}`,
    );
    const day = span[0]?.d;
    if (day === null || day === undefined)
      throw new WorkbenchError(
        'NOT_FOUND',
        `Version ${version} of ${def.name} holds no rows yet.`,
        `Run \`features materialize --set ${def.name}\`.`,
      );
    reference = defaultReference(String(day), Number(span[0]?.n), def.lookbackDays);
  }
  if (reference.from >= reference.to)
    throw new WorkbenchError('INVALID_REQUEST', `The reference window must end after it starts (${reference.from} to ${reference.to}).`);
  const bins = options.bins ?? PSI_DEFAULT_BINS;
  const columns = def.columns.filter((c) => NUMERIC.test(c.type));
  const drift = await weeklyPsi(conn, {
    relation: view,
    timeColumn: FEATURE_DAY_COLUMN,
    timeType: 'date',
    columns: columns.map((c) => c.name),
    reference,
    bins,
  });
  const ref = reference;
  return {
    set: def.name,
    version,
    reference: ref,
    threshold: options.threshold,
    bins,
    columns: columns.map((c) => {
      const weeks = drift.get(c.name) ?? [];
      // Weeks that start on or after the reference window's end are compared; the reference's own weeks are context.
      const after = weeks.filter((w) => w.week >= ref.to && w.psi !== null);
      const maxPsi = after.length === 0 ? null : Math.max(...after.map((w) => w.psi as number));
      return {
        name: c.name,
        unit: c.unit,
        weeks,
        maxPsi,
        shiftedWeeks: after.filter((w) => (w.psi as number) >= options.threshold).map((w) => w.week),
      };
    }),
  };
}
