import type { ColumnInfo } from '../../../shared/api/query';
import { formatCell } from '../../../shared/format';
import { writeClipboard } from '../../lib/clipboard';
import type { DecodedWindow } from './arrowPage';
import type { MenuAction } from './GridContextMenu';
import { selectionRect, type GridSelection } from './selection';
import { toTsv } from './tsv';
import type { WindowCache } from './windowCache';

/** Rows fetched for one copy. */
const COPY_MAX_ROWS = 200_000;

/** A cell's text as copied: the full formatted value (not the display's shortened one), or null for NULL. */
function textOf(row: { page: DecodedWindow; index: number }, col: number, columns: readonly ColumnInfo[]): string | null {
  const value = row.page.value(row.index, col);
  if (value === null) return null;
  return formatCell(value, row.page.types[col] || columns[col].type);
}

/**
 * Copy what a menu action or Ctrl/Cmd+C asks for: the column name, the focused cell, or the selection
 * (fetched from the core in full, up to COPY_MAX_ROWS rows), as plain text or TSV. `notify` gets the
 * status bar's words: "Copying…", then what was copied or why not.
 */
export async function copyFromGrid(
  kind: MenuAction,
  selection: GridSelection | null,
  columns: readonly ColumnInfo[],
  cache: WindowCache<DecodedWindow>,
  notify: (notice: string) => void,
): Promise<void> {
  if (!selection) {
    notify('Select a cell first (click it), then copy.');
    return;
  }
  if (kind === 'copy-column-name') {
    const name = columns[selection.focus.col]?.name ?? '';
    notify((await writeClipboard(name)) ? 'Copied the column name.' : 'The clipboard refused the text.');
    return;
  }
  const rect =
    kind === 'copy-cell'
      ? { r0: selection.focus.row, r1: selection.focus.row, c0: selection.focus.col, c1: selection.focus.col }
      : selectionRect(selection);
  const r1 = Math.min(rect.r1, rect.r0 + COPY_MAX_ROWS - 1);
  notify('Copying…');
  const rows = await cache.rows(rect.r0, r1 + 1);
  if (!rows.ok) {
    notify(`Copy failed: ${rows.error.message}`);
    return;
  }
  const cells = rows.value.map((r) => {
    const line: (string | null)[] = [];
    for (let c = rect.c0; c <= rect.c1; c++) line.push(textOf(r, c, columns));
    return line;
  });
  const header = kind === 'copy-with-header' ? columns.slice(rect.c0, rect.c1 + 1).map((c) => c.name) : undefined;
  // One cell copies as its plain text; a range as TSV (quoted where a cell holds a tab, newline or quote).
  const single = cells.length === 1 && rect.c0 === rect.c1 && !header;
  const text = single ? (cells[0][0] ?? '') : toTsv(cells, header);
  const ok = await writeClipboard(text);
  const n = cells.length * (rect.c1 - rect.c0 + 1);
  const capped = r1 < rect.r1 ? ` (the first ${COPY_MAX_ROWS.toLocaleString('en-US')} rows)` : '';
  notify(ok ? `Copied ${n.toLocaleString('en-US')} cell${n === 1 ? '' : 's'}${capped}.` : 'The clipboard refused the text.');
}
