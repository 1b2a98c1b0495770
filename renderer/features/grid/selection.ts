export interface CellRef {
  row: number;
  col: number;
}

/** A rectangular selection: where it started (anchor) and where it ends (focus, the active cell). */
export interface GridSelection {
  anchor: CellRef;
  focus: CellRef;
}

export interface CellRect {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function selectionRect(s: GridSelection): CellRect {
  return {
    r0: Math.min(s.anchor.row, s.focus.row),
    r1: Math.max(s.anchor.row, s.focus.row),
    c0: Math.min(s.anchor.col, s.focus.col),
    c1: Math.max(s.anchor.col, s.focus.col),
  };
}

export function inRect(r: CellRect, row: number, col: number): boolean {
  return row >= r.r0 && row <= r.r1 && col >= r.c0 && col <= r.c1;
}

/** Click selects one cell; shift+click extends from the anchor. */
export function clickCell(prev: GridSelection | null, cell: CellRef, extend: boolean): GridSelection {
  return extend && prev ? { anchor: prev.anchor, focus: cell } : { anchor: cell, focus: cell };
}

/**
 * Keyboard movement of the active cell. `page` is rows per page. Returns null for keys
 * that are not movement keys. Shift extends the selection.
 */
export function moveSelection(
  prev: GridSelection | null,
  key: string,
  opts: { shift: boolean; mod: boolean; rows: number; cols: number; page: number },
): GridSelection | null {
  if (opts.rows <= 0 || opts.cols <= 0) return null;
  const f = prev?.focus ?? { row: 0, col: 0 };
  let { row, col } = f;
  switch (key) {
    case 'ArrowUp':
      row = opts.mod ? 0 : row - 1;
      break;
    case 'ArrowDown':
      row = opts.mod ? opts.rows - 1 : row + 1;
      break;
    case 'ArrowLeft':
      col = opts.mod ? 0 : col - 1;
      break;
    case 'ArrowRight':
      col = opts.mod ? opts.cols - 1 : col + 1;
      break;
    case 'PageUp':
      row -= opts.page;
      break;
    case 'PageDown':
      row += opts.page;
      break;
    case 'Home':
      if (opts.mod) row = 0;
      col = 0;
      break;
    case 'End':
      if (opts.mod) row = opts.rows - 1;
      col = opts.cols - 1;
      break;
    default:
      return null;
  }
  const focus = { row: Math.max(0, Math.min(opts.rows - 1, row)), col: Math.max(0, Math.min(opts.cols - 1, col)) };
  return opts.shift && prev ? { anchor: prev.anchor, focus } : { anchor: focus, focus };
}
