import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { CompactionReport, SmallFileWarning } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { useSessionState } from '../../lib/state/sessionState';
import { useJob } from '../../lib/jobs/useJob';
import { JobProgress } from '../../lib/ui/JobProgress';

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
    <section className="lake-card warn" aria-label="Small files" data-testid="small-files">
      <div className="lake-card-head">
        <span className="lake-card-title">{warnings.length > 0 ? `${formatCount(warnings.length)} small files` : 'Compaction'}</span>
        <span className="dim">many small files slow every scan; compaction rewrites each partition into one file</span>
        <span className="spacer" />
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
      </div>
      {!dataset && warnings.length > 0 && (
        <div className="hint">Compaction works on lake datasets; open this folder as a dataset to compact it.</div>
      )}
      {running && job && (
        <JobProgress fraction={job.fraction} testId="compact-progress">
          {job.message} · {formatCount(job.rows)} rows
        </JobProgress>
      )}
      {startError && <div className="inline-error">{startError.message}</div>}
      {job && job.state !== 'running' && !result && (
        <div className="inline-error" role="alert">
          Compaction {job.state}: {job.error?.message ?? job.message}
        </div>
      )}
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
          <div className="lake-table-wrap">
            <table className="lake-table">
              <thead>
                <tr>
                  <th>File</th>
                  <th className="num">Rows</th>
                  <th className="num">Size</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {warnings.slice(0, SHOWN).map((w) => (
                  <tr key={w.path}>
                    <td className="mono clip" title={w.path}>
                      {w.path}
                    </td>
                    <td className="num">{formatCount(w.rows)}</td>
                    <td className="num">{formatBytes(w.bytes)}</td>
                    <td className="dim">{w.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {warnings.length > SHOWN && <div className="hint">and {formatCount(warnings.length - SHOWN)} more</div>}
        </details>
      )}
    </section>
  );
}
