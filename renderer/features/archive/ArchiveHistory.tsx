import { useState } from 'react';
import type { ArchiveReport } from '../../../shared/api/archive';
import { formatCount, formatUtc } from '../../../shared/format';
import { ArchiveReportBody } from './ArchiveReportBody';
import { batchCounts, batchesPlanned, newestFirst, runOutcome } from './archiveModel';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';

interface Props {
  runs: readonly ArchiveReport[] | null;
  error: string | null;
  onRefresh: () => void;
}

function summaryOf(r: ArchiveReport): string {
  if (r.dryRun) {
    const rows = r.plan.reduce((a, p) => a + p.rows, 0);
    return `${formatCount(rows)} rows before ${r.cutoff.slice(0, 10)} would move`;
  }
  const c = batchCounts(r.batches);
  return `${formatCount(r.rowsArchived)} rows archived before ${r.cutoff.slice(0, 10)} · ${formatCount(c.done)} of ${formatCount(batchesPlanned(r))} batches done`;
}

/** Past runs (archive.history), newest first; each expands to its full report. */
export function ArchiveHistory({ runs, error, onRefresh }: Props) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (runId: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(runId)) next.delete(runId);
      else next.add(runId);
      return next;
    });
  const list = runs ? newestFirst(runs) : null;
  return (
    <Card
      label="Archive history"
      testId="archive-history"
      title="History"
      sub="runs from this app and the CLI, newest first"
      actions={
        <button type="button" className="icon-btn" title="Refresh" aria-label="Refresh the history" onClick={onRefresh}>
          ↻
        </button>
      }
    >
      {error && <ErrorBox variant="inline" error={error} alert={false} />}
      {list === null && !error && <div className="dim">Loading…</div>}
      {list && list.length === 0 && <div className="dim">No archive runs yet.</div>}
      {list && list.length > 0 && (
        <ul className="archive-runs">
          {list.map((r) => {
            const outcome = runOutcome(r);
            const isOpen = open.has(r.runId);
            return (
              <li
                key={r.runId}
                className={isOpen ? 'archive-run open' : 'archive-run'}
                data-testid="archive-history-item"
                data-run-id={r.runId}
              >
                <button type="button" className="archive-run-head" aria-expanded={isOpen} onClick={() => toggle(r.runId)}>
                  <span className="chevron">{isOpen ? '▾' : '▸'}</span>
                  <span className="mono archive-run-time">{formatUtc(r.startedAt)}</span>
                  <span className={`archive-outcome ${outcome.replace(' ', '-')}`}>{outcome}</span>
                  <span className="archive-run-summary">{summaryOf(r)}</span>
                  {r.error && (
                    <span className={outcome === 'cancelled' ? 'clip archive-run-error cancelled' : 'danger clip archive-run-error'}>
                      {r.error}
                    </span>
                  )}
                </button>
                {isOpen && (
                  <div className="archive-run-body">
                    <ArchiveReportBody report={r} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
