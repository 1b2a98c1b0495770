import { useEffect, useRef } from 'react';
import type { ArchivableDataset } from '../../../shared/api/archive';
import { formatBytes, formatCount } from '../../../shared/format';
import { DATASET_LABELS, type PlanTotals } from './archiveModel';

interface Props {
  days: number;
  /** Start (UTC) of the cut-off day, ISO. */
  cutoff: string;
  datasets: readonly ArchivableDataset[];
  /** The dry run's totals when it was made for these same settings. */
  planned: PlanTotals | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a run: it deletes rows from PostgreSQL (after verifying them in the lake). */
export function ConfirmRunDialog({ days, cutoff, datasets, planned, onConfirm, onCancel }: Props) {
  const cancelRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);

  return (
    <div
      className="picker-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onCancel();
      }}
    >
      <div
        className="archive-confirm"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="archive-confirm-title"
        aria-describedby="archive-confirm-text"
        data-testid="archive-confirm"
      >
        <div className="picker-title" id="archive-confirm-title">
          Archive and delete from PostgreSQL?
        </div>
        <div id="archive-confirm-text" className="archive-confirm-text">
          <p>
            Every row older than {formatCount(days)} day{days === 1 ? '' : 's'} (before{' '}
            <b className="mono">{cutoff.slice(0, 10)} 00:00 UTC</b>) of {datasets.map((d) => DATASET_LABELS[d]).join(', ')} moves to the
            Parquet lake.
            {planned && (
              <>
                {' '}
                The dry run found <b>{formatCount(planned.rows)} rows</b> in {formatCount(planned.batches)} batch
                {planned.batches === 1 ? '' : 'es'}, about {formatBytes(planned.postgresBytes)} of PostgreSQL.
              </>
            )}
          </p>
          <p className="dim">
            Each day is exported, verified against PostgreSQL (row count, time range, checksum) and published before its rows are deleted
            from PostgreSQL. The data stays queryable in the same views (tier = cold). You can cancel: finished batches stay complete.
          </p>
        </div>
        <div className="archive-confirm-actions">
          <button type="button" className="btn" ref={cancelRef} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="btn primary danger-btn" data-testid="archive-confirm-run" onClick={onConfirm}>
            Archive and delete
          </button>
        </div>
      </div>
    </div>
  );
}
