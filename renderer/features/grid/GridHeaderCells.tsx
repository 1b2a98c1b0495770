import type { Header, SortingState } from '@tanstack/react-table';
import type { VirtualItem } from '@tanstack/react-virtual';
import type { ColumnInfo } from '../../../shared/api/query';
import { isNumericType } from './columnKinds';

interface Props {
  headers: readonly Header<unknown, unknown>[];
  columns: readonly ColumnInfo[];
  sorting: SortingState;
  /** The columns in view (the grid virtualizes columns too). */
  virtualCols: readonly VirtualItem[];
  height: number;
}

/** The grid's column headers in view: name, type, sort direction and order, and a resize handle. */
export function GridHeaderCells({ headers, columns, sorting, virtualCols, height }: Props) {
  return (
    <>
      {virtualCols.map((vc) => {
        const h = headers[vc.index];
        if (!h) return null;
        const col = columns[vc.index];
        const dir = h.column.getIsSorted();
        const sortIndex = sorting.length > 1 ? h.column.getSortIndex() + 1 : 0;
        return (
          <div
            key={vc.index}
            className={`grid-hcell${isNumericType(col.type) ? ' num' : ''}${h.column.getCanSort() ? ' sortable' : ''}`}
            role="columnheader"
            aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
            data-col={vc.index}
            style={{ left: vc.start, width: vc.size, height }}
            onClick={h.column.getToggleSortingHandler()}
            title={`${col.name} (${col.type})${h.column.getCanSort() ? ': click to sort, shift+click to add a sort column' : ''}`}
          >
            <span className="hname">
              {col.name}
              {dir && (
                <span className="sort-ind">
                  {dir === 'asc' ? ' ▲' : ' ▼'}
                  {sortIndex > 0 ? sortIndex : ''}
                </span>
              )}
            </span>
            <span className="htype">{col.type}</span>
            <span
              className={`resizer${h.column.getIsResizing() ? ' resizing' : ''}`}
              onMouseDown={h.getResizeHandler()}
              onTouchStart={h.getResizeHandler()}
              onClick={(e) => e.stopPropagation()}
              onDoubleClick={() => h.column.resetSize()}
              role="separator"
              aria-label={`Resize ${col.name}`}
            />
          </div>
        );
      })}
    </>
  );
}
