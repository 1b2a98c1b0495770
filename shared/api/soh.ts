import { z } from 'zod';
import { method } from './define';

/**
 * State of health, knee point and remaining useful life per jar (issue 18, analysis 2).
 *
 * - SoH from resistance: the jar's internal-resistance drift over its OWN baseline (the mean of its first
 *   `baselineDays` days, as the dashboards' health figures) mapped linearly to capacity: SoH = 100 - 0.4 x drift %,
 *   the usual VRLA correspondence of +50 % resistance with 80 % capacity (IEEE 1188 practice).
 * - SoH from capacity tests: `capacity_test` is per string, so a jar's share of the string's measured figure is
 *   scaled by how far its voltage fell during the test against the median of its siblings (from the hourly jar
 *   rollup: the hour before the test against the lowest reading during it): a jar that fell twice as far as the
 *   median is given half the string's figure.
 * - Knee: a two-segment (piecewise linear) least-squares fit of the daily drift series, the breakpoint that minimises
 *   the total squared error (the BEEP approach). See SOH_KNEE for when a knee is reported.
 * - RUL: days until the last segment's line crosses the end-of-life threshold, with a range from its slope's
 *   standard error; never further ahead than twice the observed history ("not enough history" instead).
 */

/** Resistance-derived SoH falls this many points per percent of resistance drift (+50 % = 80 %). */
export const SOH_PER_DRIFT_PCT = 0.4;

/** How the knee is chosen and when it counts. */
export const SOH_KNEE = {
  /** Each segment spans at least this many daily points (the breakpoint day belongs to both). */
  minSegmentPoints: 4,
  /** A knee only when the two segments leave at most this share of the single line's squared error. */
  maxErrorRatio: 0.25,
} as const;

/** The RUL range is the crossing at slope +/- this many standard errors (about 95 %). */
export const RUL_SE_FACTOR = 2;
/** RUL is never extrapolated further ahead than this many times the observed history. */
export const RUL_MAX_EXTRAPOLATION = 2;

export const SohSettingsSchema = z.object({
  /** End of life by state of health (%). */
  eolSohPct: z.number().gt(0).lt(100).default(80),
  /** End of life by resistance drift over the jar's baseline (%). */
  eolDriftPct: z.number().gt(0).max(1000).default(50),
  /** Days at the start of a jar's history whose mean resistance is its baseline. */
  baselineDays: z.number().int().min(1).max(365).default(7),
  /** A knee must add at least this much drift (percentage points) by the last day over the pre-knee line. */
  minKneeRisePct: z.number().min(0).max(1000).default(5),
});
export type SohSettings = z.output<typeof SohSettingsSchema>;

export const DEFAULT_SOH_SETTINGS: Readonly<SohSettings> = SohSettingsSchema.parse({});

/** The end-of-life thresholds a workspace stores (edited beside the health classes; the baseline is theirs). */
export const SohEolSchema = z.object({ eolSohPct: SohSettingsSchema.shape.eolSohPct, eolDriftPct: SohSettingsSchema.shape.eolDriftPct });
export type SohEol = z.output<typeof SohEolSchema>;
export const DEFAULT_SOH_EOL: Readonly<SohEol> = SohEolSchema.parse({});

/** Why a pair of end-of-life thresholds cannot be used, or null when it can (the form's check, as the schema's). */
export function sohEolProblem(eol: SohEol): string | null {
  if (!Number.isFinite(eol.eolSohPct) || !Number.isFinite(eol.eolDriftPct)) return 'Both end-of-life thresholds must be numbers.';
  if (eol.eolSohPct <= 0 || eol.eolSohPct >= 100) return 'The end-of-life state of health must be above 0 % and below 100 %.';
  if (eol.eolDriftPct <= 0 || eol.eolDriftPct > 1000) return 'The end-of-life resistance rise must be above 0 % and at most 1000 %.';
  return null;
}

export type SohSource = 'capacity_test' | 'resistance';

/**
 * - ok: `days` (and `lowDays`; `highDays` unless the latest crossing lies beyond the horizon) from the fit;
 * - reached: the fitted line is at or past the threshold on the last day;
 * - not_enough_history: the crossing lies more than twice the observed history ahead, the line does not rise,
 *   or the history is too short to fit (shorter than the baseline, fewer than 3 days);
 * - no_data: no daily rollup rows for the jar in the range.
 */
export type RulStatus = 'ok' | 'reached' | 'not_enough_history' | 'no_data';

export interface ComputedRul {
  source: 'computed';
  status: RulStatus;
  days: number | null;
  /** Earliest crossing (slope + 2 SE). */
  lowDays: number | null;
  /** Latest crossing (slope - 2 SE); null when beyond the horizon or never. */
  highDays: number | null;
  /** Which end-of-life threshold the crossing is of. */
  threshold: 'soh' | 'resistance';
  /** The threshold as resistance drift (%): the lower of eolDriftPct and the drift at eolSohPct. */
  thresholdDriftPct: number;
  /** The furthest ahead a crossing may be reported (days): twice the observed history. */
  horizonDays: number;
}

export interface TableRul {
  /** The table's model_version: its source. */
  source: string;
  days: number | null;
  predictedAt: string;
  confidence: number | null;
}

export interface SohJarRow {
  battery_id: number;
  /** The lower of the capacity-test and resistance figures (the conservative one), and which it is. */
  soh_pct: number | null;
  soh_source: SohSource | null;
  soh_capacity_pct: number | null;
  capacity_tested_at: string | null;
  soh_resistance_pct: number | null;
  baseline_mohm: number | null;
  current_mohm: number | null;
  drift_pct: number | null;
  /** First and last day of the fitted daily series (ISO-8601 UTC midnight), and its span in days. */
  first_day: string | null;
  last_day: string | null;
  history_days: number;
  points: number;
  knee_date: string | null;
  /** Slope (drift points per day) of the fit RUL uses: the segment after the knee, or the whole series. */
  slope_pct_per_day: number | null;
  slope_se: number | null;
  rul: ComputedRul;
  /** The latest row of the rul_prediction table, shown beside the computed figure. */
  rul_table: TableRul | null;
}

export interface SohResult {
  rows: SohJarRow[];
  settings: SohSettings;
  /** The analysis SQL (readable; can be opened in the editor). */
  sql: string;
  /** What it read. */
  source: string;
  elapsedMs: number;
}

const Id = z.number().int().min(1).max(2_147_483_647);
const Iso = z.iso.datetime({ offset: true });

export const sohApi = {
  /** SoH, knee and RUL of every jar (or one), over the daily jar rollup in [from, to) (the whole history by default). */
  jars: method<SohResult>()(
    z
      .object({
        batteryId: Id.optional(),
        from: Iso.optional(),
        to: Iso.optional(),
        /** The workspace's end-of-life thresholds and health baseline (dashboard.thresholds) when left out. */
        settings: SohSettingsSchema.optional(),
      })
      .refine((r) => r.from === undefined || r.to === undefined || Date.parse(r.from) < Date.parse(r.to), {
        message: 'from must be before to',
        path: ['to'],
      }),
  ),
  /** The workspace's end-of-life thresholds (defaults until changed). */
  eol: method<{ eol: SohEol; isDefault: boolean }>()(z.object({}).default({})),
  /** Store end-of-life thresholds, or null to go back to the defaults. */
  setEol: method<{ eol: SohEol; isDefault: boolean }>()(z.object({ eol: SohEolSchema.nullable() })),
};
