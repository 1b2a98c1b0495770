import { describe, expect, it } from 'vitest';
import { PSI_FLOOR, psiFromCounts, psiLevel, unmeasuredReason } from './psi';

describe('population stability index', () => {
  it('is 0 for the same distribution, whatever the row counts', () => {
    expect(psiFromCounts([10, 20, 30, 40], [1, 2, 3, 4])).toBeCloseTo(0, 12);
  });

  it('matches figures worked by hand', () => {
    // 50/50 → 25/75: (0.25−0.5)·ln(0.5) + (0.75−0.5)·ln(1.5)
    expect(psiFromCounts([50, 50], [25, 75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 12);
    expect(psiFromCounts([50, 50], [25, 75])).toBeCloseTo(0.274653, 6);
    // deciles, all of the current rows in the top two bins
    const ref = Array.from({ length: 10 }, () => 100);
    const cur = [0, 0, 0, 0, 0, 0, 0, 0, 50, 50];
    const empty = 8 * (PSI_FLOOR - 0.1) * Math.log(PSI_FLOOR / 0.1);
    const full = 2 * (0.5 - 0.1) * Math.log(0.5 / 0.1);
    expect(psiFromCounts(ref, cur)).toBeCloseTo(empty + full, 12);
    expect(psiFromCounts(ref, cur)).toBeGreaterThan(5);
  });

  it('is symmetric in its two sides', () => {
    expect(psiFromCounts([30, 70], [60, 40])).toBeCloseTo(psiFromCounts([60, 40], [30, 70])!, 12);
  });

  it('has no figure for an empty side, and refuses bins that do not line up', () => {
    expect(psiFromCounts([0, 0], [1, 2])).toBeNull();
    expect(psiFromCounts([1, 2], [0, 0])).toBeNull();
    expect(() => psiFromCounts([1, 2, 3], [1, 2])).toThrow(/same bins/);
  });

  it('reads a figure against the threshold', () => {
    expect(psiLevel(null)).toBe('none');
    expect(psiLevel(0.02)).toBe('stable');
    expect(psiLevel(0.15)).toBe('moderate');
    expect(psiLevel(0.3)).toBe('shifted');
    expect(psiLevel(0.3, 0.5)).toBe('moderate');
    expect(psiLevel(0.05, 0.04)).toBe('shifted');
  });
});

describe('a column without a PSI after its reference', () => {
  const to = '2026-01-12';
  it('says the history ends inside the reference when no week after it has values', () => {
    expect(unmeasuredReason([{ week: '2026-01-05', rows: 40, psi: null }], to)).toBe('no values after the reference window');
    expect(unmeasuredReason([], to)).toBe('no values after the reference window');
  });
  it('says the reference is empty when later weeks have values but no PSI', () => {
    expect(unmeasuredReason([{ week: '2026-01-12', rows: 40, psi: null }], to)).toBe('no values in the reference window to compare with');
  });
  it('is null when a week after the reference has a PSI', () => {
    expect(
      unmeasuredReason(
        [
          { week: '2026-01-05', rows: 40, psi: null },
          { week: '2026-01-12', rows: 40, psi: 0.02 },
        ],
        to,
      ),
    ).toBeNull();
  });
});
