/**
 * Scaled scrolling: browsers cap how tall an element may be (~16-33M px), so a
 * 5,000,000-row result cannot have a spacer of its real height. Past MAX_SPACER_PX the
 * spacer is capped and the scroll position maps linearly onto the real ("virtual")
 * offset, so the top of the scrollbar is row 1 and the bottom is the last row.
 */
export const MAX_SPACER_PX = 8_000_000;

export interface ScrollGeometry {
  /** Height of the real content: rows x row height. */
  realHeight: number;
  /** Height of the spacer element actually laid out (<= MAX_SPACER_PX). */
  spacerHeight: number;
  /** Visible height for rows (scroller height minus the sticky header). */
  viewportHeight: number;
}

export function geometry(rowCount: number, rowHeight: number, viewportHeight: number, cap = MAX_SPACER_PX): ScrollGeometry {
  const realHeight = Math.max(0, rowCount) * rowHeight;
  return { realHeight, spacerHeight: Math.min(realHeight, cap), viewportHeight: Math.max(0, viewportHeight) };
}

export function isScaled(g: ScrollGeometry): boolean {
  return g.spacerHeight < g.realHeight;
}

/** Largest scrollTop the element can take. */
export function maxScrollTop(g: ScrollGeometry): number {
  return Math.max(0, g.spacerHeight - g.viewportHeight);
}

/** Largest virtual offset (top of the viewport in real content coordinates). */
export function maxVirtualOffset(g: ScrollGeometry): number {
  return Math.max(0, g.realHeight - g.viewportHeight);
}

/** Element scrollTop → real offset of the viewport's top edge. */
export function toVirtual(g: ScrollGeometry, scrollTop: number): number {
  const maxScroll = maxScrollTop(g);
  const top = clamp(scrollTop, 0, maxScroll);
  if (!isScaled(g)) return top;
  if (maxScroll === 0) return 0;
  return (top / maxScroll) * maxVirtualOffset(g);
}

/** Real offset → element scrollTop (the inverse of toVirtual). */
export function toScrollTop(g: ScrollGeometry, virtualOffset: number): number {
  const maxVirtual = maxVirtualOffset(g);
  const v = clamp(virtualOffset, 0, maxVirtual);
  if (!isScaled(g)) return v;
  if (maxVirtual === 0) return 0;
  return (v / maxVirtual) * maxScrollTop(g);
}

export interface RowRange {
  /** First row index to render (inclusive). */
  start: number;
  /** Last row index to render (exclusive). */
  end: number;
}

/** Rows that intersect the viewport at a virtual offset, widened by `overscan` rows each side. */
export function visibleRows(g: ScrollGeometry, virtualOffset: number, rowHeight: number, rowCount: number, overscan = 0): RowRange {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(virtualOffset / rowHeight);
  const last = Math.ceil((virtualOffset + g.viewportHeight) / rowHeight);
  return { start: clamp(first - overscan, 0, rowCount), end: clamp(last + overscan, 0, rowCount) };
}

/**
 * Where row `index` sits inside the spacer (px from the spacer's top) for the current
 * scroll: rows are placed relative to the viewport, so this works at any scale.
 */
export function rowTop(index: number, rowHeight: number, scrollTop: number, virtualOffset: number): number {
  return scrollTop + index * rowHeight - virtualOffset;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
