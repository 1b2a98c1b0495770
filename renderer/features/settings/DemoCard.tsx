import { useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import { formatBytes, formatCount } from '../../../shared/format';
import { DEMO_SCALES, fleetSize, type DemoScaleName } from '../../../shared/domain/demo-scale';
import { api } from '../../api/client';
import { useJob } from '../../lib/jobs/useJob';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobProgress, percentOf } from '../../lib/ui/JobProgress';

type Scale = DemoScaleName;

const SMALL = fleetSize(DEMO_SCALES.small);
const FULL = fleetSize(DEMO_SCALES.full);

/** The job id outlives the view, so leaving and coming back still shows a running demo. */
let lastJobId: string | null = null;

/** "Generate demo (small/full)": data.demo as a job, with progress, cancel and the outcome. */
export function DemoCard() {
  const [jobId, setJobIdState] = useState<string | null>(lastJobId);
  const [confirm, setConfirm] = useState<Scale | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const { job, cancel } = useJob(jobId);
  const running = job?.state === 'running';

  const setJobId = (id: string | null): void => {
    lastJobId = id;
    setJobIdState(id);
  };

  const start = async (scale: Scale): Promise<void> => {
    setConfirm(null);
    setError(null);
    const res = await api.data.demo({ scale });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };

  const pct = job ? percentOf(job.fraction) : null;
  return (
    <Card
      label="Demo data"
      testId="settings-demo"
      title="Demo fleet"
      sub="a seeded battery fleet: recent days in PostgreSQL, older history in the lake"
    >
      <div className="lake-field">
        <button type="button" className="btn" disabled={running} data-testid="demo-small" onClick={() => setConfirm('small')}>
          Generate demo (small)
        </button>
        <button type="button" className="btn" disabled={running} data-testid="demo-full" onClick={() => setConfirm('full')}>
          Generate demo (full)
        </button>
        <button type="button" className="btn" disabled={running} data-testid="demo-year" onClick={() => setConfirm('year')}>
          Generate demo (year)
        </button>
        <span className="hint">
          small: {SMALL.sites} sites, {formatCount(SMALL.jars)} jars, seconds · full: {FULL.sites} sites, {formatCount(FULL.jars)} jars,{' '}
          {DEMO_SCALES.full.defaultDaysHot + DEMO_SCALES.full.defaultDaysCold} days, minutes · year: the same fleet,{' '}
          {DEMO_SCALES.year.defaultDaysHot + DEMO_SCALES.year.defaultDaysCold} days, several minutes
        </span>
      </div>
      {confirm && (
        <div className="lake-warning settings-confirm" role="alertdialog" aria-label="Replace the demo data?">
          <span>
            This replaces the workbench&apos;s tables in the hot store and the demo datasets in the lake with a new {confirm} fleet.
          </span>
          <span className="spacer" />
          <button type="button" className="btn primary" data-testid="demo-confirm" onClick={() => void start(confirm)}>
            Generate
          </button>
          <button type="button" className="btn" onClick={() => setConfirm(null)}>
            Keep my data
          </button>
        </div>
      )}
      {error && <ErrorBox variant="inline" showCode error={error} />}
      {job && (
        <div className="settings-job" data-testid="demo-progress" aria-live="polite">
          {running ? (
            <>
              <span className="spinner" aria-hidden="true" />
              <JobProgress fraction={job.fraction}>
                <span>{pct !== null ? `${pct}%` : ''}</span>
                <span className="dim">
                  {job.phase}
                  {job.rows > 0 ? ` · ${formatCount(job.rows)} rows` : ''}
                  {job.bytes > 0 ? ` · ${formatBytes(job.bytes)}` : ''}
                  {job.message ? ` · ${job.message}` : ''}
                </span>
              </JobProgress>
              <span className="spacer" />
              <button type="button" className="btn" onClick={() => void cancel()}>
                Cancel
              </button>
            </>
          ) : job.state === 'done' ? (
            <span className="settings-ok" data-testid="demo-done">
              Demo ready: {formatCount(job.rows)} rows.
            </span>
          ) : job.state === 'cancelled' ? (
            <span>Cancelled. Generate the demo again for a complete fleet.</span>
          ) : (
            <span className="bad-text">The demo failed: {job.error?.message ?? 'unknown error'}</span>
          )}
        </div>
      )}
    </Card>
  );
}
