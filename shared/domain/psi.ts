/**
 * The population stability index (PSI): how far a distribution has moved from a reference one, over the same bins.
 *
 *   PSI = Σ over bins of (cur% − ref%) · ln(cur% / ref%)
 *
 * Read as: below 0.1 no real shift, 0.1 to 0.25 a moderate one, above 0.25 a significant one. A bin empty on one side
 * would make the sum infinite, so each share is floored at `PSI_FLOOR` first (the usual practice; the floor is stated
 * so that a figure can be reproduced by hand).
 */

/** The share an empty bin is counted as. */
export const PSI_FLOOR = 1e-4;

/** The default alarm line: a significant shift. */
export const PSI_DEFAULT_THRESHOLD = 0.25;

/** Reference deciles: equal-frequency bins over the reference window. */
export const PSI_DEFAULT_BINS = 10;

/**
 * PSI of `current` against `reference`, both row counts per bin (same length, same bin order). Null when either side
 * has no rows (no distribution to compare).
 */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number | null {
  if (reference.length !== current.length) {
    throw new Error(`PSI needs the same bins on both sides (${reference.length} reference, ${current.length} current)`);
  }
  const refTotal = reference.reduce((s, n) => s + n, 0);
  const curTotal = current.reduce((s, n) => s + n, 0);
  if (refTotal <= 0 || curTotal <= 0) return null;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]! / refTotal, PSI_FLOOR);
    const c = Math.max(current[i]! / curTotal, PSI_FLOOR);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** The reading of a PSI figure against a threshold. */
export function psiLevel(psi: number | null, threshold = PSI_DEFAULT_THRESHOLD): 'none' | 'stable' | 'moderate' | 'shifted' {
  if (psi === null) return 'none';
  if (psi >= threshold) return 'shifted';
  return psi >= Math.min(0.1, threshold / 2) ? 'moderate' : 'stable';
}

/**
 * Why a column's drift has no PSI after its reference window, as a reader should be told: no value after the window
 * (the history ends inside it, or the column is empty there), or values after it but none in the window to compare
 * them with. Null when a PSI was measured. `weeks` are the column's ISO weeks (their Monday, YYYY-MM-DD) with its
 * non-null values; `referenceTo` ends the reference window (exclusive).
 */
export function unmeasuredReason(weeks: readonly { week: string; rows: number; psi: number | null }[], referenceTo: string): string | null {
  const after = weeks.filter((w) => w.week >= referenceTo);
  if (after.some((w) => w.psi !== null)) return null;
  return after.some((w) => w.rows > 0) ? 'no values in the reference window to compare with' : 'no values after the reference window';
}
