import { describe, expect, it } from 'vitest';
import { clickCell, inRect, moveSelection, selectionRect } from './selection';

describe('grid selection', () => {
  it('click selects, shift+click makes a range in any direction', () => {
    const a = clickCell(null, { row: 10, col: 3 }, false);
    const r = selectionRect(clickCell(a, { row: 2, col: 1 }, true));
    expect(r).toEqual({ r0: 2, r1: 10, c0: 1, c1: 3 });
    expect(inRect(r, 5, 2)).toBe(true);
    expect(inRect(r, 11, 2)).toBe(false);
  });

  it('moves with keys, clamps to the result and extends with shift', () => {
    const opts = { shift: false, mod: false, rows: 5_000_000, cols: 4, page: 20 };
    let s = moveSelection(null, 'ArrowDown', opts);
    expect(s?.focus).toEqual({ row: 1, col: 0 });
    s = moveSelection(s, 'End', { ...opts, mod: true });
    expect(s?.focus).toEqual({ row: 4_999_999, col: 3 });
    s = moveSelection(s, 'PageDown', opts);
    expect(s?.focus.row).toBe(4_999_999);
    const ext = moveSelection(s, 'PageUp', { ...opts, shift: true });
    expect(ext && selectionRect(ext)).toEqual({ r0: 4_999_979, r1: 4_999_999, c0: 3, c1: 3 });
    expect(moveSelection(s, 'a', opts)).toBeNull();
  });
});
