import { describe, expect, it } from 'vitest';
import { geometry, isScaled, maxScrollTop, rowTop, toScrollTop, toVirtual, visibleRows } from './scaledScroll';

const ROW = 24;

describe('scaled scrolling', () => {
  it('is the identity for results that fit under the cap', () => {
    const g = geometry(10_000, ROW, 600);
    expect(isScaled(g)).toBe(false);
    expect(g.spacerHeight).toBe(240_000);
    expect(toVirtual(g, 12_345)).toBe(12_345);
    expect(toScrollTop(g, 12_345)).toBe(12_345);
    expect(rowTop(500, ROW, 12_000, 12_000)).toBe(500 * ROW);
  });

  it('caps the spacer for 5,000,000 rows and still reaches the last row', () => {
    const rows = 5_000_000;
    const g = geometry(rows, ROW, 600);
    expect(isScaled(g)).toBe(true);
    expect(g.spacerHeight).toBe(8_000_000);
    const bottom = maxScrollTop(g);
    const v = toVirtual(g, bottom);
    expect(v).toBe(rows * ROW - 600);
    const range = visibleRows(g, v, ROW, rows);
    expect(range.end).toBe(rows);
    expect(range.start).toBe(rows - 25);
    // The last row's bottom edge lands exactly on the viewport's bottom edge.
    expect(rowTop(rows - 1, ROW, bottom, v) + ROW).toBe(bottom + 600);
  });

  it('maps the top to row 0 and round-trips in between', () => {
    const g = geometry(5_000_000, ROW, 600);
    expect(toVirtual(g, 0)).toBe(0);
    expect(visibleRows(g, 0, ROW, 5_000_000, 5)).toEqual({ start: 0, end: 30 });
    for (const s of [1, 1000, 3_999_999, 7_000_000]) {
      expect(toScrollTop(g, toVirtual(g, s))).toBeCloseTo(s, 6);
    }
    // Halfway down the scrollbar is halfway through the rows.
    const mid = visibleRows(g, toVirtual(g, maxScrollTop(g) / 2), ROW, 5_000_000);
    expect(Math.abs(mid.start - 2_499_987)).toBeLessThan(2);
  });

  it('clamps out-of-range positions and handles empty results', () => {
    const g = geometry(5_000_000, ROW, 600);
    expect(toVirtual(g, -50)).toBe(0);
    expect(toVirtual(g, 99_000_000)).toBe(5_000_000 * ROW - 600);
    expect(visibleRows(geometry(0, ROW, 600), 0, ROW, 0)).toEqual({ start: 0, end: 0 });
    const tiny = geometry(3, ROW, 600);
    expect(visibleRows(tiny, 0, ROW, 3, 10)).toEqual({ start: 0, end: 3 });
  });
});
