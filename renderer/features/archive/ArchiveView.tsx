import { useCallback, useEffect, useState } from 'react';
import { ARCHIVABLE_DATASETS, type ArchivableDataset, type ArchiveReport } from '../../../shared/api/archive';
import { ERROR_CODES, isApiError, type ApiError } from '../../../shared/api/errors';
import { formatCount, formatUtc } from '../../../shared/format';
import { api } from '../../api/client';
import { useJob, type JobView } from '../../lib/jobs/useJob';
import { ArchiveHistory } from './ArchiveHistory';
import { ArchivePlan } from './ArchivePlan';
import { ArchiveReportBody } from './ArchiveReportBody';
import { cutoffOf, DATASET_LABELS, DEFAULT_DAYS, orderedDatasets, parseDays, planTotals, runOfJob, type PlanTotals } from './archiveModel';
import { ConfirmRunDialog } from './ConfirmRunDialog';
import { useSessionState } from '../../lib/state/sessionState';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobProgress, percentOf } from '../../lib/ui/JobProgress';
import { Field } from '../../lib/ui/Field';

const JOB_KINDS = { dry: 'archive-dry-run', run: 'archive' } as const;

interface Settings {
  days: number;
  datasets: ArchivableDataset[];
}

/** The job this view follows: a dry run or a run, with what it was started for. */
interface CurrentJob {
  jobId: string;
  dryRun: boolean;
  /** The dry run's totals a run was confirmed with. */
  planned: PlanTotals | null;
}

/** An archive error: the detail (a PostgreSQL message) unless it repeats the message, then the code's advice. */
function ArchiveError({ error }: { error: ApiError | { code: string; message: string; detail?: string } }) {
  const advice = isApiError(error) ? ERROR_CODES[error.code] : null;
  return (
    <ErrorBox
      error={error}
      testId="archive-error"
      advice={
        <>
          {error.detail && error.detail !== error.message && <div className="error-advice mono">{error.detail}</div>}
          {advice && !error.message.includes(advice) && <div className="error-advice">{advice}</div>}
        </>
      }
    />
  );
}

function Progress({
  job,
  current,
  cancelling,
  onCancel,
}: {
  job: JobView | null;
  current: CurrentJob;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const fraction = job?.fraction ?? null;
  const pct = percentOf(fraction);
  const finishing = !current.dryRun && fraction !== null && fraction >= 1;
  const label = current.dryRun
    ? 'Planning: counting rows and days in PostgreSQL…'
    : cancelling
      ? 'Cancelling: the batch in flight finishes first, then the run stops.'
      : finishing
        ? 'Finishing: VACUUM in PostgreSQL and a master data snapshot…'
        : job?.message || 'Starting…';
  return (
    <div className="archive-progress" data-testid="archive-progress" aria-live="polite">
      <div className="archive-progress-line">
        <span className="spinner" aria-hidden="true" />
        <span className="archive-progress-label">{label}</span>
        <span className="spacer" />
        {!current.dryRun && (
          <button type="button" className="btn" data-testid="archive-cancel" disabled={cancelling} onClick={onCancel}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      {!current.dryRun && (
        <div className="archive-progress-line">
          <JobProgress fraction={fraction}>
            {pct !== null && `${pct}% of batches · `}
            {formatCount(job?.rows ?? 0)} rows archived
            {current.planned && ` of ~${formatCount(current.planned.rows)}`}
            {job && job.phase && <span className="dim"> · step: {job.phase}</span>}
          </JobProgress>
        </div>
      )}
    </div>
  );
}

/**
 * #/archive: move PostgreSQL rows older than N days to the Parquet lake (issue 5). Dry run first,
 * then a confirmed run with live per-batch progress and Cancel, its report, and the history of runs.
 */
export function ArchiveView() {
  const [datasets, setDatasets] = useSessionState<ArchivableDataset[]>('archive.datasets', [...ARCHIVABLE_DATASETS]);
  const [daysText, setDaysText] = useSessionState('archive.days', String(DEFAULT_DAYS));
  const [current, setCurrent] = useSessionState<CurrentJob | null>('archive.current', null);
  const [cancelledJob, setCancelledJob] = useSessionState<string | null>('archive.cancelling', null);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [runs, setRuns] = useState<ArchiveReport[] | null>(null);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [historyAsked, setHistoryAsked] = useState(0);

  const { job, missing, cancel } = useJob<ArchiveReport>(current?.jobId ?? null);
  const jobState = job?.state;
  /** The followed job is running (or its first answer is still on the way). */
  const following = current !== null && !missing && (job === null || job.state === 'running');
  const busy = starting || following;

  // A run already going (started before this page was loaded, or the followed job is unknown to the
  // core any more) is picked up again.
  useEffect(() => {
    if (current !== null && !missing) return;
    let live = true;
    void api.jobs.list({}).then((res) => {
      if (!live || !res.ok) return;
      const running = res.value.jobs.find((j) => j.state === 'running' && (j.kind === JOB_KINDS.run || j.kind === JOB_KINDS.dry));
      if (running) setCurrent({ jobId: running.jobId, dryRun: running.kind === JOB_KINDS.dry, planned: null });
      else if (missing) setCurrent(null);
    });
    return () => {
      live = false;
    };
  }, [current, missing, setCurrent]);

  // The history: on mount, on Refresh, and whenever the followed job starts or ends.
  const currentJobId = current?.jobId ?? null;
  useEffect(() => {
    let live = true;
    void api.archive.history({ limit: 50 }).then((res) => {
      if (!live) return;
      if (res.ok) {
        setRuns(res.value.runs);
        setHistoryError(null);
      } else setHistoryError(res.error.message);
    });
    return () => {
      live = false;
    };
  }, [historyAsked, jobState, currentJobId]);

  const parsed = parseDays(daysText);
  const chosen = orderedDatasets(datasets);
  const settings: Settings | null = parsed.days !== null && chosen.length > 0 ? { days: parsed.days, datasets: chosen } : null;
  const problem = parsed.problem ?? (chosen.length === 0 ? 'Choose at least one dataset.' : null);
  const cutoff = parsed.days !== null ? cutoffOf(new Date(), parsed.days) : null;

  const report = job?.state === 'done' ? job.report : null;
  const jobError =
    job && job.state === 'failed' ? (job.error ?? { code: 'INTERNAL', message: job.message || 'The archive job failed.' }) : null;
  const shownError = startError ?? jobError;
  const plan = current?.dryRun && report ? report : null;
  // A plan answers for its cut-off and datasets; other settings (or a new UTC day) need a new dry run.
  const planStale = plan !== null && (plan.cutoff !== cutoff || plan.plan.map((p) => p.dataset).join() !== chosen.join());
  const partial =
    current && !current.dryRun && job && (job.state === 'failed' || job.state === 'cancelled') && runs
      ? runOfJob(runs, { startedAt: job.startedAt, dryRun: false })
      : null;
  const runReport = current && !current.dryRun ? (report ?? partial) : null;

  const start = async (dryRun: boolean, planned: PlanTotals | null) => {
    if (!settings || busy) return;
    setStarting(true);
    setStartError(null);
    const res = await api.archive.start({ olderThanDays: settings.days, datasets: settings.datasets, dryRun });
    setStarting(false);
    if (!res.ok) {
      setStartError(res.error);
      return;
    }
    setCancelledJob(null);
    setCurrent({ jobId: res.value.jobId, dryRun, planned });
  };

  const plannedForRun = plan && !planStale ? planTotals(plan.plan) : null;
  const closeConfirm = useCallback(() => setConfirming(false), []);

  const toggleDataset = (d: ArchivableDataset, on: boolean) =>
    setDatasets((prev) => (on ? orderedDatasets([...prev, d]) : prev.filter((x) => x !== d)));

  return (
    <div className="convert-view archive-view">
      <div className="lake-page">
        <div className="lake-title-row">
          <h1 className="lake-h1">Archive old data</h1>
          <span className="dim">PostgreSQL rows older than the hot window move to the Parquet lake, verified, one UTC day per batch</span>
        </div>

        <Card label="What to archive">
          <div className="lake-form">
            <Field label="Datasets" role="group" ariaLabel="Datasets" testId="archive-datasets">
              {ARCHIVABLE_DATASETS.map((d) => (
                <label
                  key={d}
                  className="radio archive-dataset"
                  title={d === 'alert' ? 'Only cleared alerts are archived; active ones stay in PostgreSQL.' : undefined}
                >
                  <input
                    type="checkbox"
                    value={d}
                    checked={datasets.includes(d)}
                    disabled={busy}
                    onChange={(e) => toggleDataset(d, e.target.checked)}
                  />
                  {DATASET_LABELS[d]}
                  <span className="mono dim">{d}</span>
                </label>
              ))}
            </Field>
            <Field label="Older than" htmlFor="archive-days">
              <input
                id="archive-days"
                className={parsed.problem ? 'lake-input num invalid' : 'lake-input num'}
                data-testid="archive-days"
                type="number"
                min={1}
                max={36500}
                step={1}
                value={daysText}
                disabled={busy}
                onChange={(e) => setDaysText(e.target.value)}
              />
              <span>days</span>
              {cutoff && (
                <span className="hint">
                  every row before <span className="mono">{formatUtc(cutoff)}</span> (start of that UTC day)
                </span>
              )}
            </Field>
          </div>
          <div className="convert-actions">
            <button
              type="button"
              className="btn"
              data-testid="archive-dry-run"
              disabled={!settings || busy}
              onClick={() => void start(true, null)}
            >
              Dry run
            </button>
            <button
              type="button"
              className="btn primary"
              data-testid="archive-run"
              disabled={!settings || busy}
              onClick={() => setConfirming(true)}
            >
              Run…
            </button>
            {problem ? (
              <span className="hint warn">{problem}</span>
            ) : (
              <span className="hint">Dry run only counts; Run deletes the rows from PostgreSQL after verifying them in the lake.</span>
            )}
          </div>
          {current && following && (
            <Progress
              job={job}
              current={current}
              cancelling={cancelledJob === current.jobId}
              onCancel={() => {
                setCancelledJob(current.jobId);
                void cancel().then((err) => {
                  if (err) setStartError(err);
                });
              }}
            />
          )}
          {shownError && <ArchiveError error={shownError} />}
          {job?.state === 'cancelled' && (
            <div className="lake-warning" data-testid="archive-cancelled">
              Cancelled. Every finished batch is complete; run again to go on.
            </div>
          )}
        </Card>

        {plan && (
          <Card
            tone={planStale ? 'stale' : null}
            label="Dry run"
            testId="archive-plan"
            title="Dry run"
            sub={
              <>
                rows before <span className="mono">{formatUtc(plan.cutoff)}</span> that a run would move
              </>
            }
            actions={
              planStale ? (
                <span className="hint warn">Made for other settings (or an earlier UTC day): run the dry run again.</span>
              ) : undefined
            }
          >
            <ArchivePlan plan={plan.plan} />
          </Card>
        )}

        {runReport && (
          <Card
            tone={job?.state === 'cancelled' ? 'warn' : runReport.error || job?.state !== 'done' ? 'failed' : null}
            label="Archive report"
            testId="archive-report"
            title={job?.state === 'done' ? 'Archive report' : 'What the run did before it stopped'}
          >
            <ArchiveReportBody report={runReport} />
          </Card>
        )}

        <ArchiveHistory runs={runs} error={historyError} onRefresh={() => setHistoryAsked((n) => n + 1)} />
      </div>
      {confirming && settings && cutoff && (
        <ConfirmRunDialog
          days={settings.days}
          cutoff={cutoff}
          datasets={settings.datasets}
          planned={plannedForRun}
          onCancel={closeConfirm}
          onConfirm={() => {
            setConfirming(false);
            void start(false, plannedForRun);
          }}
        />
      )}
    </div>
  );
}
