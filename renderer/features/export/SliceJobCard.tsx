import type { SliceReport } from '../../../shared/api/slice';
import { formatCount } from '../../../shared/format';
import type { JobView } from '../../lib/jobs/useJob';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobProgress } from '../../lib/ui/JobProgress';
import { SliceSummary } from './SliceSummary';

interface Props {
  job: JobView<SliceReport>;
  onCancel: () => void;
  onCopySpec: () => void;
}

const TITLES = { running: 'Exporting…', done: 'Exported', cancelled: 'Cancelled', failed: 'Failed' } as const;

/** The export job: progress and Cancel while it runs, then the manifest summary (or why it stopped). */
export function SliceJobCard({ job, onCancel, onCopySpec }: Props) {
  const report = job.state === 'done' ? job.report : null;
  return (
    <div className="export-card" data-testid="slice-job">
      <div className="card-title">{TITLES[job.state]}</div>
      {job.state === 'running' && (
        <div className="export-row">
          <JobProgress fraction={job.fraction} label="Export progress">
            {job.phase} · {formatCount(job.rows)} rows {job.message ? `· ${job.message}` : ''}
          </JobProgress>
          <span className="spacer" />
          <button type="button" className="btn" data-testid="slice-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
      {job.state === 'cancelled' && <div className="hint">Nothing was left behind.</div>}
      {job.state === 'failed' && job.error && <ErrorBox variant="inline" error={job.error} />}
      {report && <SliceSummary report={report} onCopySpec={onCopySpec} />}
    </div>
  );
}
