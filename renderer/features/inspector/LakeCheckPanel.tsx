import { useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import { formatBytes, formatCount, formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { useJob } from '../../lib/jobs/useJob';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { JobOutcome } from '../../lib/ui/JobOutcome';
import { JobProgress } from '../../lib/ui/JobProgress';
import { useSessionState } from '../../lib/state/sessionState';
import type { LakeCheckReport } from '../../../shared/api/storage';

const PROBLEM_COLUMNS: Column<LakeCheckReport['problems'][number]>[] = [
  { header: 'Kind', className: 'mono', cell: (p) => p.kind },
  { header: 'Dataset', cell: (p) => p.dataset },
  { header: 'Path', className: 'mono clip', cell: (p) => p.path, title: (p) => p.path },
  { header: 'Detail', className: 'dim', cell: (p) => p.detail },
];

interface Props {
  /** Check one dataset, or the whole lake when null. */
  dataset: string | null;
}

/**
 * "Check lake": the same check as `battery-workbench lake check` (storage.checkLake, a job), its report,
 * and "Repair" (what loses nothing) when it found problems. Paths and details are shown as text.
 */
export function LakeCheckPanel({ dataset }: Props) {
  const scope = dataset ?? '';
  const [tracked, setTracked] = useSessionState<{ scope: string; jobId: string } | null>('inspect.lakeCheckJob', null);
  const { job, cancel } = useJob<LakeCheckReport>(tracked && tracked.scope === scope ? tracked.jobId : null);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const running = job?.state === 'running';
  const report = job?.state === 'done' ? job.report : null;

  const start = async (repair: boolean) => {
    setStartError(null);
    const res = await api.storage.checkLake({ ...(dataset ? { dataset } : {}), repair });
    if (res.ok) setTracked({ scope, jobId: res.value.jobId });
    else setStartError(res.error);
  };

  return (
    <Card
      tone={report && !report.ok ? 'warn' : null}
      label="Lake check"
      testId="lake-check"
      title="Lake check"
      sub={<>every manifest and file{dataset ? ` of ${dataset}` : ''}: present, checksums, unknown files, rows visible twice, leftovers</>}
      actions={
        <>
          <button type="button" className="btn" data-testid="lake-check-run" disabled={running} onClick={() => void start(false)}>
            {running ? 'Checking…' : 'Check lake'}
          </button>
          {report && !report.ok && (
            <button
              type="button"
              className="btn primary"
              data-testid="lake-check-repair"
              disabled={running}
              onClick={() => void start(true)}
              title="Finishes half-done jobs and removes leftovers whose rows are proven present elsewhere; never anything else"
            >
              Repair
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
      {running && job && <JobProgress fraction={job.fraction}>{job.message}</JobProgress>}
      <JobOutcome job={job} what="Lake check" startError={startError} hasResult={report !== null} />
      {report && (
        <div className={`lake-facts${report.ok ? ' ok' : ''}`} data-testid="lake-check-result">
          <span>{report.ok ? 'Healthy' : `${formatCount(report.problems.length)} problem${report.problems.length === 1 ? '' : 's'}`}</span>
          <span>
            {formatCount(report.files)} files, {formatCount(report.rows)} rows, {formatBytes(report.bytes)}
          </span>
          <span className="dim">checked in {formatDuration(report.elapsedMs)}</span>
        </div>
      )}
      {report && report.repaired.length > 0 && (
        <ul className="lake-repaired" data-testid="lake-check-repaired">
          {report.repaired.map((line) => (
            <li key={line}>Repaired: {line}</li>
          ))}
        </ul>
      )}
      {report && report.problems.length > 0 && (
        <DataTable
          columns={PROBLEM_COLUMNS}
          rows={report.problems}
          rowKey={(p, i) => `${p.kind}:${p.path}:${i}`}
          testId="lake-check-problems"
        />
      )}
    </Card>
  );
}
