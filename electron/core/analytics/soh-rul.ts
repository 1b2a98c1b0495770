import { RUL_MAX_EXTRAPOLATION, RUL_SE_FACTOR, SOH_PER_DRIFT_PCT, type ComputedRul, type SohSettings } from '../../../shared/api/soh';

/** The line RUL is read from: drift (%) = intercept + slope x day, fitted over `points` days. */
export interface SegmentFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope; null when fewer than 3 points. */
  slopeSe: number | null;
  points: number;
  /** Day (x) of the last point, and the observed history's span in days. */
  lastX: number;
  historyDays: number;
}

/** The end-of-life threshold as resistance drift: the lower of the two settings (SoH converted to drift). */
export function eolThreshold(settings: Pick<SohSettings, 'eolSohPct' | 'eolDriftPct'>): {
  driftPct: number;
  threshold: 'soh' | 'resistance';
} {
  const fromSoh = (100 - settings.eolSohPct) / SOH_PER_DRIFT_PCT;
  return fromSoh < settings.eolDriftPct
    ? { driftPct: fromSoh, threshold: 'soh' }
    : { driftPct: settings.eolDriftPct, threshold: 'resistance' };
}

/** Days ahead of `lastX` at which a line through `yNow` with `slope` reaches `threshold`; null when it never does. */
function crossing(threshold: number, yNow: number, slope: number): number | null {
  return slope > 0 ? (threshold - yNow) / slope : null;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * RUL from a fit: the days until the fitted line crosses the end-of-life drift, with the earliest and latest
 * crossing at slope +/- 2 standard errors. Never beyond twice the observed history: `not_enough_history` instead.
 */
export function computeRul(fit: SegmentFit | null, settings: SohSettings): ComputedRul {
  const eol = eolThreshold(settings);
  const horizonDays = fit ? round1(RUL_MAX_EXTRAPOLATION * fit.historyDays) : 0;
  const base = { source: 'computed' as const, threshold: eol.threshold, thresholdDriftPct: round1(eol.driftPct), horizonDays };
  const none = { days: null, lowDays: null, highDays: null };
  if (!fit) return { ...base, status: 'no_data', ...none };
  if (fit.points < 3 || fit.slopeSe === null || fit.historyDays < settings.baselineDays) {
    return { ...base, status: 'not_enough_history', ...none };
  }
  const yNow = fit.intercept + fit.slope * fit.lastX;
  if (yNow >= eol.driftPct) return { ...base, status: 'reached', days: 0, lowDays: 0, highDays: 0 };
  const days = crossing(eol.driftPct, yNow, fit.slope);
  if (days === null || days > horizonDays) return { ...base, status: 'not_enough_history', ...none };
  const low = crossing(eol.driftPct, yNow, fit.slope + RUL_SE_FACTOR * fit.slopeSe) ?? days;
  const high = crossing(eol.driftPct, yNow, fit.slope - RUL_SE_FACTOR * fit.slopeSe);
  return {
    ...base,
    status: 'ok',
    days: round1(days),
    lowDays: round1(low),
    highDays: high === null || high > horizonDays ? null : round1(high),
  };
}
