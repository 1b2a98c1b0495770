import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type MouseEvent as ReactMouseEvent,
  type ReactNode,
} from 'react';
import { flushSync } from 'react-dom';
import { getCoreRowModel, useReactTable, type ColumnDef, type ColumnSizingState, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { QueryRunResult, SortKey } from '../../../shared/api/query';
import type { DecodedWindow } from './arrowPage';
import { formatCell } from '../../../shared/format';
import { defaultColumnWidth, isNumericType } from './columnKinds';
import { fetchWindow } from './fetchWindow';
import { GridContextMenu, type MenuAction } from './GridContextMenu';
import { copyFromGrid } from './gridCopy';
import { GridHeaderCells } from './GridHeaderCells';
import { geometry, isScaled, maxVirtualOffset, rowTop, toScrollTop, toVirtual, visibleRows } from './scaledScroll';
import { clickCell, inRect, moveSelection, selectionRect, type GridSelection } from './selection';
import { GridStatusBar } from './GridStatusBar';
import { ExportResultButton } from '../export/ExportResultButton';
import { WindowCache } from './windowCache';

interface Props {
  result: QueryRunResult;
  /** Shown in the status bar after the figures: what the result may lack. */
  caveat?: ReactNode;
}

const ROW_H = 24;
const HEADER_H = 40;
const PAGE_SIZE = 500;
/** Longest text put into a cell's DOM; copy still takes the full value. */
const DISPLAY_CHARS = 400;
const NO_DATA: unknown[] = [];
/** Width of one character of the grid's 12px monospace font. */
const CHAR_W = 7.3;

/** Display text of a cell: one line, bounded length. */
function displayText(text: string): string {
  const short = text.length > DISPLAY_CHARS ? `${text.slice(0, DISPLAY_CHARS)}…` : text;
  return short.replace(/\r\n|\r|\n/g, '↵').replace(/\t/g, ' ');
}

/**
 * The results grid: headless TanStack Table for columns (sort, resize), TanStack Virtual for
 * columns, and scaled row windowing so any row count scrolls to its end. Rows are fetched
 * lazily in pages from the core; sort re-queries in the core.
 */
export function ResultsGrid({ result, caveat }: Props) {
  const { columns, rowCount } = result;
  const [sorting, setSorting] = useState<SortingState>([]);
  const [columnSizing, setColumnSizing] = useState<ColumnSizingState>({});
  const [selection, setSelection] = useState<GridSelection | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [viewport, setViewport] = useState({ height: 0, width: 0 });
  const [scroll, setScroll] = useState({ top: 0, virtual: 0 });
  const scrollerRef = useRef<HTMLDivElement>(null);
  /** The precise virtual offset when we set scrollTop ourselves (wheel/keys), and the scrollTop we set. */
  const virtualRef = useRef(0);
  const expectedTopRef = useRef<number | null>(null);

  const sortKeys = useMemo<SortKey[]>(
    () => sorting.map((s) => ({ column: columns[Number(s.id)]?.name ?? '', direction: s.desc ? 'desc' : 'asc' })),
    [sorting, columns],
  );
  const cache = useMemo(
    () =>
      new WindowCache<DecodedWindow>((offset, limit) => fetchWindow(result.resultId, offset, limit, sortKeys), rowCount, {
        pageSize: PAGE_SIZE,
      }),
    [result.resultId, rowCount, sortKeys],
  );
  useSyncExternalStore(cache.subscribe, cache.getVersion);

  // Once per result: size columns to the first rows' text (monospace), unless the user resized.
  const autosized = useRef(false);
  useEffect(
    () =>
      cache.subscribe(() => {
        if (autosized.current) return;
        const first = cache.locate(0);
        if (!first) return;
        autosized.current = true;
        const sizes: ColumnSizingState = {};
        const sampleRows = Math.min(first.page.rows, 200);
        columns.forEach((c, col) => {
          let chars = 0;
          for (let r = 0; r < sampleRows; r++) {
            const v = first.page.value(r, col);
            chars = Math.max(chars, v === null ? 4 : Math.min(60, formatCell(v, c.type).length));
          }
          // Widen past the type's default for long values; never narrower (later rows may be longer than the first).
          sizes[String(col)] = Math.round(Math.min(480, Math.max(defaultColumnWidth(c.name, c.type), chars * CHAR_W + 18)));
        });
        setColumnSizing((prev) => ({ ...sizes, ...prev }));
      }),
    [cache, columns],
  );

  const columnDefs = useMemo<ColumnDef<unknown>[]>(
    () =>
      columns.map((c, i) => ({
        id: String(i),
        header: c.name,
        // Rows are not held by the table (they are paged from the core); an accessor makes the column sortable.
        accessorFn: () => null,
        size: defaultColumnWidth(c.name, c.type),
        minSize: 40,
        maxSize: 4000,
        enableSorting: result.sortable,
        sortDescFirst: false,
        enableResizing: true,
      })),
    [columns, result.sortable],
  );

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Table keeps a mutable instance; this component re-renders from its own state.
  const table = useReactTable({
    data: NO_DATA,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableMultiSort: true,
    maxMultiSortColCount: 8,
    enableSortingRemoval: true,
    isMultiSortEvent: (e) => e instanceof MouseEvent && e.shiftKey,
    columnResizeMode: 'onChange',
    state: { sorting, columnSizing },
    onSortingChange: setSorting,
    onColumnSizingChange: setColumnSizing,
  });
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const widths = headers.map((h) => h.getSize());
  const widthsKey = widths.join(',');
  const gutterW = Math.max(48, String(rowCount).length * 8 + 20);
  const contentW = gutterW + widths.reduce((a, b) => a + b, 0);

  const colVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: (i) => widths[i] ?? 120,
    paddingStart: gutterW,
    overscan: 3,
  });
  useEffect(() => {
    colVirtualizer.measure();
  }, [widthsKey, gutterW, colVirtualizer]);

  const g = useMemo(() => geometry(rowCount, ROW_H, viewport.height - HEADER_H), [rowCount, viewport.height]);
  const range = visibleRows(g, scroll.virtual, ROW_H, rowCount, 6);
  useEffect(() => {
    cache.want(range.start, range.end);
  }, [cache, range.start, range.end]);

  // Track the scroller's size.
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport({ height: el.clientHeight, width: el.clientWidth }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = scrollerRef.current;
    if (!el) return;
    const top = el.scrollTop;
    let v: number;
    if (expectedTopRef.current !== null && Math.abs(top - expectedTopRef.current) <= 1) v = virtualRef.current;
    else v = toVirtual(g, top);
    expectedTopRef.current = null;
    virtualRef.current = v;
    setScroll((s) => (s.top === top && s.virtual === v ? s : { top, virtual: v }));
  };

  /** Move the viewport to a virtual offset precisely (the scrollbar only has spacer resolution). */
  const scrollToVirtual = useCallback(
    (virtual: number) => {
      const el = scrollerRef.current;
      if (!el) return;
      const v = Math.max(0, Math.min(maxVirtualOffset(g), virtual));
      virtualRef.current = v;
      const wanted = toScrollTop(g, v);
      expectedTopRef.current = wanted;
      el.scrollTop = wanted;
      const top = el.scrollTop;
      expectedTopRef.current = top;
      flushSync(() => setScroll({ top, virtual: v }));
    },
    [g],
  );

  // When scaled, one wheel notch must move rows, not 1/scale of the scrollbar: take the wheel over.
  const scaled = isScaled(g);
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el || !scaled) return;
    const onWheel = (e: WheelEvent) => {
      if (e.ctrlKey) return;
      const unit = e.deltaMode === 1 ? ROW_H : e.deltaMode === 2 ? el.clientHeight - HEADER_H : 1;
      if (Math.abs(e.deltaY) < Math.abs(e.deltaX)) return;
      e.preventDefault();
      scrollToVirtual(virtualRef.current + e.deltaY * unit);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [scaled, scrollToVirtual]);

  const scrollRowIntoView = (row: number) => {
    const vh = g.viewportHeight;
    const top = row * ROW_H;
    const v = virtualRef.current;
    if (top < v) scrollToVirtual(top);
    else if (top + ROW_H > v + vh) scrollToVirtual(top + ROW_H - vh);
  };

  /** Horizontal: keep the column clear of the sticky row-number gutter on the left. */
  const scrollColumnIntoView = (col: number) => {
    const el = scrollerRef.current;
    if (!el) return;
    let start = gutterW;
    for (let c = 0; c < col; c++) start += widths[c] ?? 0;
    const end = start + (widths[col] ?? 0);
    if (start - gutterW < el.scrollLeft) el.scrollLeft = start - gutterW;
    else if (end > el.scrollLeft + el.clientWidth) el.scrollLeft = Math.min(start - gutterW, end - el.clientWidth);
  };

  const copy = async (kind: MenuAction) => {
    setMenu(null);
    await copyFromGrid(kind, selection, columns, cache, setNotice);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === 'c' || e.key === 'C')) {
      e.preventDefault();
      void copy(e.shiftKey ? 'copy-with-header' : 'copy-selection');
      return;
    }
    if (e.key === 'Escape' && menu) {
      setMenu(null);
      return;
    }
    const page = Math.max(1, Math.floor(g.viewportHeight / ROW_H) - 1);
    const next = moveSelection(selection, e.key, { shift: e.shiftKey, mod, rows: rowCount, cols: columns.length, page });
    if (!next) return;
    e.preventDefault();
    setSelection(next);
    scrollRowIntoView(next.focus.row);
    scrollColumnIntoView(next.focus.col);
  };

  const onCellMouseDown = (e: ReactMouseEvent, row: number, col: number) => {
    if (e.button === 2) {
      // Right-click keeps a selection that already holds the cell.
      if (selection && inRect(selectionRect(selection), row, col)) return;
      setSelection(clickCell(selection, { row, col }, false));
      return;
    }
    if (e.button !== 0) return;
    if (e.shiftKey) {
      e.preventDefault(); // no text selection on shift+click; keep keyboard focus in the grid
      scrollerRef.current?.focus({ preventScroll: true });
    }
    setSelection(clickCell(selection, { row, col }, e.shiftKey));
    setMenu(null);
  };

  const rect = selection ? selectionRect(selection) : null;
  const virtualCols = colVirtualizer.getVirtualItems();
  const rowsOut = [];
  let missing = false;
  for (let i = range.start; i < range.end; i++) {
    const loc = cache.locate(i);
    if (!loc) missing = true;
    const top = HEADER_H + rowTop(i, ROW_H, scroll.top, scroll.virtual);
    rowsOut.push(
      <div key={i} className={i % 2 ? 'grid-row odd' : 'grid-row'} role="row" aria-rowindex={i + 2} style={{ top, width: contentW }}>
        <div className="grid-gutter" role="rowheader" style={{ width: gutterW }}>
          {i + 1}
        </div>
        {virtualCols.map((vc) => {
          const c = vc.index;
          const value = loc ? loc.page.value(loc.index, c) : undefined;
          const type = columns[c].type;
          const selected = rect !== null && inRect(rect, i, c);
          const active = selection !== null && selection.focus.row === i && selection.focus.col === c;
          let cls = 'grid-cell';
          if (isNumericType(type)) cls += ' num';
          if (selected) cls += ' selected';
          if (active) cls += ' active';
          if (value === undefined) cls += ' loading';
          return (
            <div
              key={c}
              className={cls}
              role="gridcell"
              data-row={i}
              data-col={c}
              aria-selected={selected}
              style={{ left: vc.start, width: vc.size }}
              onMouseDown={(e) => onCellMouseDown(e, i, c)}
              onContextMenu={(e) => {
                e.preventDefault();
                setMenu({ x: e.clientX, y: e.clientY });
              }}
            >
              {value === undefined ? '' : value === null ? <span className="null">NULL</span> : displayText(formatCell(value, type))}
            </div>
          );
        })}
      </div>,
    );
  }

  const sortLabel = sorting.map((s) => `${columns[Number(s.id)]?.name ?? '?'} ${s.desc ? '↓' : '↑'}`).join(', ');

  return (
    <div
      className="results-grid"
      data-testid="results-grid"
      onKeyDown={onKeyDown}
      tabIndex={-1}
      role="grid"
      aria-rowcount={rowCount + 1}
      aria-colcount={columns.length}
    >
      <div className="grid-scroller" data-testid="grid-scroller" ref={scrollerRef} onScroll={onScroll} tabIndex={0}>
        <div className="grid-canvas" style={{ height: HEADER_H + g.spacerHeight, width: contentW }}>
          <div className="grid-header" role="row" style={{ height: HEADER_H, width: contentW }}>
            <div className="grid-corner" style={{ width: gutterW }} title={`${rowCount.toLocaleString('en-US')} rows`}>
              #
            </div>
            <GridHeaderCells headers={headers} columns={columns} sorting={sorting} virtualCols={virtualCols} height={HEADER_H} />
          </div>
          {rowsOut}
        </div>
        {rowCount === 0 && <div className="grid-empty">{columns.length === 0 ? 'The statement returned no columns.' : 'No rows.'}</div>}
      </div>
      {menu && <GridContextMenu x={menu.x} y={menu.y} onAction={(a) => void copy(a)} onClose={() => setMenu(null)} />}
      <GridStatusBar
        result={result}
        loading={missing}
        windowError={cache.error}
        selection={rect}
        sortLabel={sortLabel}
        notice={notice}
        onCopyCell={() => void copy('copy-cell')}
        actions={<ExportResultButton result={result} sort={sortKeys} />}
        caveat={caveat}
      />
    </div>
  );
}
