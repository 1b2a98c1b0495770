import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { LifecyclePolicyInfo, RetentionDay, RetentionPlan, RetentionReport } from '../../../shared/api/lifecycle';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { useJob } from '../../lib/jobs/useJob';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';

const DAY_COLUMNS: Column<RetentionDay>[] = [
  { header: 'Day', className: 'mono', cell: (d) => d.date },
  { header: 'Files', className: 'num', cell: (d) => formatCount(d.files) },
  { header: 'Rows', className: 'num', cell: (d) => formatCount(d.rows) },
  { header: 'Bytes', className: 'num', cell: (d) => formatBytes(d.bytes) },
  { header: 'Rollup rows', className: 'num', cell: (d) => formatCount(d.rollupRows) },
  { header: 'Status', cell: (d) => <span className={`outcome ${d.status === 'retire' ? 'done' : 'skipped'}`}>{d.status}</span> },
];

interface PolicyRowProps {
  policy: LifecyclePolicyInfo;
  onSaved: (policies: LifecyclePolicyInfo[]) => void;
}

/** One dataset's policy: the retention period (empty: for ever) and the legal hold, saved together. */
function PolicyRow({ policy, onSaved }: PolicyRowProps) {
  const [days, setDays] = useState(policy.retainDays === null ? '' : String(policy.retainDays));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (legalHold: boolean) => {
    setSaved(false);
    const text = days.trim();
    if (text !== '' && !/^\d+$/.test(text)) {
      setError({ code: 'BAD_INPUT', message: `The retention period is a whole number of days, not "${text}" (empty: kept for ever).` });
      return;
    }
    const r = await api.lifecycle.setPolicy({
      dataset: policy.dataset,
      legalHold,
      ...(policy.retirable ? { retainDays: text === '' ? null : Number(text) } : {}),
    });
    if (r.ok) {
      setError(null);
      setSaved(true);
      onSaved(r.value.policies);
    } else setError(r.error);
  };

  return (
    <div className="lake-row-block" data-testid={`policy-${policy.dataset}`}>
      <form
        className="lake-form row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(policy.legalHold);
        }}
      >
        <span className="mono" style={{ minWidth: '11em' }}>
          {policy.dataset}
        </span>
        <label className="lake-field">
          Keep raw rows{' '}
          <input
            className="num"
            value={days}
            disabled={!policy.retirable}
            placeholder="for ever"
            onChange={(e) => setDays(e.target.value)}
            aria-label={`${policy.dataset} retention days`}
            style={{ width: '6em' }}
          />{' '}
          days
        </label>
        <label className="lake-field">
          <input
            type="checkbox"
            checked={policy.legalHold}
            onChange={() => void save(!policy.legalHold)}
            aria-label={`${policy.dataset} legal hold`}
          />{' '}
          legal hold
        </label>
        <button type="submit" className="btn small" disabled={!policy.retirable}>
          Save
        </button>
        {saved && <span className="dim">saved</span>}
        {policy.why && (
          <span className="dim" title={policy.why}>
            kept whole: no gold rollup is built from it
          </span>
        )}
      </form>
      {error && <ErrorBox error={error} variant="inline" />}
    </div>
  );
}

interface RetentionCardProps {
  policies: LifecyclePolicyInfo[];
}

/** The retention dry run of one dataset, then (confirmed) the job that deletes the days it lists as `retire`. */
function RetentionCard({ policies }: RetentionCardProps) {
  const retirable = policies.filter((p) => p.retirable);
  // The first dataset with a retention period, else the first that can take one.
  const [dataset, setDataset] = useState((retirable.find((p) => p.retainDays !== null) ?? retirable[0])?.dataset ?? '');
  const [plan, setPlan] = useState<RetentionPlan | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { job } = useJob<RetentionReport>(jobId);
  const running = job !== null && job.state === 'running';

  const dryRun = async () => {
    setConfirming(false);
    const r = await api.lifecycle.retention({ dataset });
    if (r.ok) {
      setPlan(r.value);
      setError(null);
    } else setError(r.error);
  };

  // A finished job: the dry run again, so the page shows what is left.
  useEffect(() => {
    if (job?.state === 'done')
      void api.lifecycle.retention({ dataset: job.report?.dataset ?? dataset }).then((r) => r.ok && setPlan(r.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job?.state]);

  const apply = async () => {
    if (!plan) return;
    setConfirming(false);
    const days = plan.days.filter((d) => d.status === 'retire').map((d) => d.date);
    const r = await api.lifecycle.applyRetention({ dataset: plan.dataset, days });
    if (r.ok) setJobId(r.value.jobId);
    else setError(r.error);
  };

  const report = job?.state === 'done' ? job.report : null;
  return (
    <Card title="Retention" sub="a dry run first; deleting needs your confirmation" testId="retention-card">
      <form
        className="lake-form row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void dryRun();
        }}
      >
        <label className="lake-field">
          Dataset{' '}
          <select value={dataset} onChange={(e) => setDataset(e.target.value)} aria-label="retention dataset">
            {retirable.map((p) => (
              <option key={p.dataset} value={p.dataset}>
                {p.dataset}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn small" disabled={dataset === '' || running}>
          Dry run
        </button>
      </form>
      {error && <ErrorBox error={error} variant="inline" />}
      {plan && (
        <>
          <p data-testid="retention-summary">{plan.summary}</p>
          {plan.retired.days > 0 && (
            <p className="dim">
              Retired earlier: {plan.retired.days} day(s), {plan.retired.first} to {plan.retired.last} (their rollups stay).
            </p>
          )}
          {plan.days.length > 0 && <DataTable rows={plan.days} rowKey={(d) => d.date} testId="retention-days" columns={DAY_COLUMNS} />}
          {plan.retire.days > 0 && !confirming && (
            <button type="button" className="btn" disabled={running} onClick={() => setConfirming(true)}>
              Delete {plan.retire.days} day(s)…
            </button>
          )}
          {confirming && (
            <div className="retention-confirm" role="alertdialog" aria-label="confirm retention">
              <p>
                Delete the raw rows of {plan.retire.days} day(s) of {plan.dataset}: {formatCount(plan.retire.rows)} rows in{' '}
                {formatCount(plan.retire.files)} file(s), {formatBytes(plan.retire.bytes)}? Their gold rollups stay; the raw rows cannot be
                brought back.
              </p>
              <div className="archive-confirm-actions">
                <button type="button" className="btn" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
                <button type="button" className="btn primary danger-btn" onClick={() => void apply()}>
                  Yes, delete them
                </button>
              </div>
            </div>
          )}
        </>
      )}
      {running && <p className="dim">{job.message || 'Deleting…'}</p>}
      {job?.state === 'failed' && job.error && <ErrorBox error={job.error} variant="inline" />}
      {report && (
        <p data-testid="retention-report">
          Deleted the raw rows of {report.days.length} day(s): {formatCount(report.rows)} rows, {formatCount(report.files)} file(s),{' '}
          {formatBytes(report.bytes)}.{report.kept.length > 0 ? ` Kept: ${report.kept.map((k) => `${k.date} (${k.why})`).join('; ')}.` : ''}
        </p>
      )}
    </Card>
  );
}

/** #/lifecycle: each lake dataset's policy (retention period, legal hold) and retention, a dry run before anything is deleted. */
export function LifecycleView() {
  const [policies, setPolicies] = useState<LifecyclePolicyInfo[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    void api.lifecycle.policies({}).then((r) => {
      if (!live) return;
      if (r.ok) setPolicies(r.value.policies);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="lake-page" data-testid="lifecycle-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Lifecycle</h1>
      </div>
      <p className="dim">
        Policies live in the workspace&apos;s settings.json. Raw rows of a dataset the gold rollups are built from may be deleted once they
        are older than its period, only for days the rollups cover (checked by count) and never under a legal hold. The same from the
        command line: <span className="mono">battery-workbench lifecycle retention --dataset telemetry [--apply]</span>.
      </p>
      {error && <ErrorBox error={error} />}
      {!policies && !error && <span className="spinner" aria-label="Loading" />}
      {policies && (
        <>
          <Card title="Policies" sub="per lake dataset">
            {[...policies.filter((p) => p.retirable), ...policies.filter((p) => !p.retirable)].map((p) => (
              <PolicyRow key={`${p.dataset}:${p.retainDays}:${p.legalHold}`} policy={p} onSaved={setPolicies} />
            ))}
          </Card>
          <RetentionCard policies={policies} />
        </>
      )}
    </div>
  );
}
