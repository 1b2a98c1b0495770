/**
 * Health classes of a jar from its internal-resistance drift against its OWN baseline (not the
 * model's nominal value): drift % = (current daily mean / baseline mean - 1) x 100, where the baseline
 * is the mean of the jar's first `baselineDays` days of telemetry and "current" is its last day.
 * Defaults follow the usual VRLA practice (IEEE 1188: +20 % over baseline calls for action; +50 % = replace).
 * Pure: shared by the core (SQL) and the renderer (legend, badges, settings form).
 */

export const HEALTH_CLASSES = ['healthy', 'watch', 'degraded', 'replace', 'unknown'] as const;
export type HealthClass = (typeof HEALTH_CLASSES)[number];

export interface HealthThresholds {
  /** Drift (%) at or above which a jar is `watch`. */
  watchPct: number;
  /** Drift (%) at or above which a jar is `degraded`. */
  degradedPct: number;
  /** Drift (%) at or above which a jar is `replace`. */
  replacePct: number;
  /** Days at the start of a jar's history whose mean resistance is its baseline. */
  baselineDays: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = { watchPct: 10, degradedPct: 20, replacePct: 50, baselineDays: 7 };

export const HEALTH_LABELS: Readonly<Record<HealthClass, string>> = {
  healthy: 'Healthy',
  watch: 'Watch',
  degraded: 'Degraded',
  replace: 'Replace',
  unknown: 'No baseline',
};

/** Why a set of thresholds cannot be used, or null when it can. */
export function thresholdsProblem(t: HealthThresholds): string | null {
  const nums = [t.watchPct, t.degradedPct, t.replacePct, t.baselineDays];
  if (nums.some((n) => !Number.isFinite(n))) return 'Every threshold must be a number.';
  if (t.watchPct <= 0) return 'The watch threshold must be above 0 %.';
  if (!(t.watchPct < t.degradedPct && t.degradedPct < t.replacePct)) return 'Thresholds must rise: watch < degraded < replace.';
  if (t.replacePct > 1000) return 'The replace threshold must be at most 1000 %.';
  if (!Number.isInteger(t.baselineDays) || t.baselineDays < 1 || t.baselineDays > 365)
    return 'The baseline must be a whole number of days from 1 to 365.';
  return null;
}

export function healthClass(driftPct: number | null, t: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS): HealthClass {
  if (driftPct === null || !Number.isFinite(driftPct)) return 'unknown';
  if (driftPct >= t.replacePct) return 'replace';
  if (driftPct >= t.degradedPct) return 'degraded';
  if (driftPct >= t.watchPct) return 'watch';
  return 'healthy';
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(n);
}

/** The same classification as a SQL CASE over a drift-% expression (thresholds are validated numbers). */
export function healthCaseSql(driftExpr: string, t: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS): string {
  return (
    `CASE WHEN ${driftExpr} IS NULL OR isnan(${driftExpr}) THEN 'unknown' ` +
    `WHEN ${driftExpr} >= ${num(t.replacePct)} THEN 'replace' ` +
    `WHEN ${driftExpr} >= ${num(t.degradedPct)} THEN 'degraded' ` +
    `WHEN ${driftExpr} >= ${num(t.watchPct)} THEN 'watch' ELSE 'healthy' END`
  );
}
