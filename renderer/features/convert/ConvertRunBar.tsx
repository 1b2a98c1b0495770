import type { ConvertReport } from '../../../shared/api/convert';
import type { ApiError } from '../../../shared/api/errors';
import { formatBytes, formatCount } from '../../../shared/format';
import type { JobView } from '../../lib/jobs/useJob';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobProgress, percentOf } from '../../lib/ui/JobProgress';

interface Props {
  job: JobView<ConvertReport> | null;
  /** Why the form cannot start (the first is shown once there are inputs). */
  problems: readonly string[];
  hasInputs: boolean;
  starting: boolean;
  startError: ApiError | null;
  /** The size of all inputs, when known: progress says "of N MB". */
  totalBytes: number | null;
  onStart: () => void;
  onCancel: () => void;
}

/** Convert and Cancel, the running job's progress in bytes and rows, and why it could not start. */
export function ConvertRunBar({ job, problems, hasInputs, starting, startError, totalBytes, onStart, onCancel }: Props) {
  const running = job?.state === 'running';
  const pct = job ? percentOf(job.fraction) : null;
  return (
    <>
      <div className="convert-actions">
        <button
          type="button"
          className="btn primary"
          data-testid="convert-run"
          disabled={problems.length > 0 || running || starting}
          onClick={onStart}
        >
          {running ? 'Converting…' : 'Convert'}
        </button>
        {running && (
          <button type="button" className="btn" data-testid="convert-cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
        {running && job && (
          <JobProgress fraction={job.fraction} testId="convert-progress">
            {pct !== null && `${pct}% · `}
            {formatBytes(job.bytes)}
            {totalBytes !== null && ` of ${formatBytes(totalBytes)}`} · {formatCount(job.rows)} rows
            {job.message && <span className="dim"> · {job.message}</span>}
          </JobProgress>
        )}
        {!running && problems.length > 0 && hasInputs && <span className="hint warn">{problems[0]}</span>}
      </div>
      {startError && <ErrorBox error={startError} testId="convert-error" />}
    </>
  );
}
