import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { CompactionReport, SmallFileWarning } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { useSessionState } from '../../lib/state/sessionState';
import { useJob } from '../../lib/jobs/useJob';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { JobOutcome } from '../../lib/ui/JobOutcome';
import { JobProgress } from '../../lib/ui/JobProgress';

const SMALL_FILE_COLUMNS: Column<SmallFileWarning>[] = [
  { header: 'File', className: 'mono clip', cell: (w) => w.path, title: (w) => w.path },
  { header: 'Rows', className: 'num', cell: (w) => formatCount(w.rows) },
  { header: 'Size', className: 'num', cell: (w) => formatBytes(w.bytes) },
  { header: 'Why', className: 'dim', cell: (w) => w.reason },
];

interface Props {
  /** The lake dataset, or null when a path is inspected (compaction is for lake datasets). */
  dataset: string | null;
  warnings: readonly SmallFileWarning[];
  /** Called when a compaction finished, to re-read the dataset. */
  onCompacted: () => void;
}

const SHOWN = 20;

/** Small-file warnings and the one-click compaction (storage.compact, a job with progress and a result). */
export function CompactPanel({ dataset, warnings, onCompacted }: Props) {
  const [tracked, setTracked] = useSessionState<{ dataset: string; jobId: string } | null>('inspect.compactJob', null);
  const jobId = tracked && tracked.dataset === dataset ? tracked.jobId : null;
  const { job, cancel } = useJob<CompactionReport>(jobId);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const running = job?.state === 'running';
  const result = job?.state === 'done' ? job.report : null;

  const doneId = job?.state === 'done' ? job.jobId : null;

  // Re-read the dataset when a compaction finished.
  useEffect(() => {
    if (doneId !== null) onCompacted();
  }, [doneId, onCompacted]);

  if (warnings.length === 0 && !job) return null;

  const start = async () => {
    if (!dataset) return;
    setStartError(null);
    const res = await api.storage.compact({ dataset });
    if (res.ok) setTracked({ dataset, jobId: res.value.jobId });
    else setStartError(res.error);
  };

  return (
    <Card
      tone="warn"
      label="Small files"
      testId="small-files"
      title={warnings.length > 0 ? `${formatCount(warnings.length)} small files` : 'Compaction'}
      sub="many small files slow every scan; compaction rewrites each partition into one file"
      actions={
        <>
          {dataset && warnings.length > 0 && (
            <button type="button" className="btn primary" data-testid="compact-run" disabled={running} onClick={() => void start()}>
              {running ? 'Compacting…' : 'Compact now'}
            </button>
          )}
          {running && (
            <button type="button" className="btn" onClick={() => void cancel()}>
              Cancel
            </button>
          )}
        </>
      }
    >
      {!dataset && warnings.length > 0 && (
        <div className="hint">Compaction works on lake datasets; open this folder as a dataset to compact it.</div>
      )}
      {running && job && (
        <JobProgress fraction={job.fraction} testId="compact-progress">
          {job.message} · {formatCount(job.rows)} rows
        </JobProgress>
      )}
      <JobOutcome job={job} what="Compaction" startError={startError} hasResult={result !== null} />
      {result && (
        <div className="lake-facts ok" data-testid="compact-result">
          <span>
            {formatCount(result.partitions)} partitions compacted: {formatCount(result.filesBefore)} → {formatCount(result.filesAfter)}{' '}
            files
          </span>
          <span>
            {formatBytes(result.bytesBefore)} → {formatBytes(result.bytesAfter)}
          </span>
          <span>{formatCount(result.rows)} rows, all kept</span>
        </div>
      )}
      {warnings.length > 0 && (
        <details className="lake-details">
          <summary>The small files</summary>
          <DataTable columns={SMALL_FILE_COLUMNS} rows={warnings.slice(0, SHOWN)} rowKey={(w) => w.path} />
          {warnings.length > SHOWN && <div className="hint">and {formatCount(warnings.length - SHOWN)} more</div>}
        </details>
      )}
    </Card>
  );
}
