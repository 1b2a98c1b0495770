import type { ReactNode } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { QueryRunResult } from '../../../shared/api/query';
import { formatCount, formatDuration } from '../../../shared/format';
import type { CellRect } from './selection';

interface Props {
  result: QueryRunResult;
  loading: boolean;
  windowError: ApiError | null;
  selection: CellRect | null;
  sortLabel: string;
  notice: string | null;
  onCopyCell: () => void;
  /** Extra buttons before "Copy cell" (e.g. Export…). */
  actions?: ReactNode;
  /** What the result may lack, after the figures (e.g. the cold tier's cached days). */
  caveat?: ReactNode;
}

/** Row count, elapsed time, statements run; selection, sort and copy feedback. */
export function GridStatusBar({ result, loading, windowError, selection, sortLabel, notice, onCopyCell, actions, caveat }: Props) {
  const selRows = selection ? selection.r1 - selection.r0 + 1 : 0;
  const selCols = selection ? selection.c1 - selection.c0 + 1 : 0;
  return (
    <div className="status-bar" data-testid="status-bar" role="status">
      <span data-testid="status-rows">
        {formatCount(result.rowCount)} row{result.rowCount === 1 ? '' : 's'}
      </span>
      <span className="sep">·</span>
      <span>
        {result.columns.length} column{result.columns.length === 1 ? '' : 's'}
      </span>
      <span className="sep">·</span>
      <span title="Time the core spent running the SQL">{formatDuration(result.elapsedMs)}</span>
      <span className="sep">·</span>
      <span>
        {result.statements} statement{result.statements === 1 ? '' : 's'}
      </span>
      {sortLabel && (
        <>
          <span className="sep">·</span>
          <span>sorted by {sortLabel}</span>
        </>
      )}
      {caveat}
      {loading && <span className="dim">loading rows…</span>}
      {windowError && (
        <span className="status-error" title={windowError.detail ?? ''}>
          {windowError.code}: {windowError.message}
        </span>
      )}
      <span className="spacer" />
      {notice && <span className="dim">{notice}</span>}
      {selection && (
        <span className="dim">
          {selRows === 1 && selCols === 1
            ? `row ${formatCount(selection.r0 + 1)}, column ${selection.c0 + 1}`
            : `${formatCount(selRows)} × ${selCols} selected`}
        </span>
      )}
      {actions}
      <button type="button" className="btn small" onClick={onCopyCell} disabled={!selection} data-testid="copy-cell">
        Copy cell
      </button>
    </div>
  );
}
