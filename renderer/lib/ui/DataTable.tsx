import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<T> {
  header: ReactNode;
  /** Classes of the column's cells: `num` right-aligns (the header too), `mono`, `dim`, `clip`. */
  className?: string;
  cell: (row: T, index: number) => ReactNode;
  /** The cell's tooltip (e.g. the whole of a clipped path). */
  title?: (row: T) => string | undefined;
  /** A test id on each of the column's cells. */
  cellTestId?: string;
}

interface Props<T> {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  testId?: string;
  /** The table's class; default `lake-table`. */
  className?: string;
  /** Attributes of a body row: a class, a click handler, a test id (`data-testid`), data attributes. */
  rowProps?: (row: T, index: number) => RowProps;
  /** The scrolling wrapper's class (`lake-table-wrap`, `lake-table-wrap tall`), or null for none. */
  wrap?: string | null;
}

type RowProps = HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string | undefined };

function isNum(className: string | undefined): boolean {
  return className !== undefined && className.split(' ').includes('num');
}

/** A table of rows by column definitions: every cell is text or React nodes, never HTML. */
export function DataTable<T>({ columns, rows, rowKey, testId, className = 'lake-table', rowProps, wrap = 'lake-table-wrap' }: Props<T>) {
  const table = (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} className={isNum(c.className) ? 'num' : undefined}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={rowKey(row, r)} {...rowProps?.(row, r)}>
            {columns.map((c, i) => (
              <td key={i} className={c.className} title={c.title?.(row)} data-testid={c.cellTestId}>
                {c.cell(row, r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return wrap === null ? table : <div className={wrap}>{table}</div>;
}
