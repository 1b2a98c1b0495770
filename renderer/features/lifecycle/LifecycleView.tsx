import { useEffect, useState, type ReactNode } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type {
  LifecyclePolicies,
  LifecyclePolicyInfo,
  RetentionDay,
  RetentionPlan,
  RetentionReport,
  TierBytes,
  TierMoveReport,
  TierPlan,
  TierStep,
} from '../../../shared/api/lifecycle';
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
  /** The lake's colder tiers (none: a local lake without an archive folder). */
  colder: string[];
  /** The scheduled archive job's own "older than" days: the hot window of a dataset without one (null: not known). */
  jobHotDays: number | null;
  onSaved: (policies: LifecyclePolicies) => void;
}

/** A days field's value: null when empty, a BAD_INPUT when not a whole number. */
function daysOf(what: string, text: string, empty: string): number | null | ApiError {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t) || Number(t) < 1)
    return { code: 'BAD_INPUT', message: `${what} is a whole number of days, 1 or more, not "${t}" (empty: ${empty}).` };
  return Number(t);
}

function isError(v: number | null | ApiError): v is ApiError {
  return v !== null && typeof v === 'object';
}

/** One dataset's policy: the hot window, the days after which it goes to each colder tier, the retention period and the legal hold. */
function PolicyRow({ policy, colder, jobHotDays, onSaved }: PolicyRowProps) {
  const [days, setDays] = useState(policy.retainDays === null ? '' : String(policy.retainDays));
  const [hot, setHot] = useState(policy.hotDays === null ? '' : String(policy.hotDays));
  const [after, setAfter] = useState<Record<string, string>>(
    Object.fromEntries(colder.map((t) => [t, String(policy.tiers.find((s) => s.tier === t)?.afterDays ?? '')])),
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (legalHold: boolean) => {
    setSaved(false);
    const retain = daysOf('The retention period', days, 'kept for ever');
    const hotDays = daysOf('The hot window', hot, "the archive job's own");
    const steps: TierStep[] = [];
    for (const tier of colder) {
      const n = daysOf(`The days before ${tier}`, after[tier] ?? '', 'never');
      if (isError(n)) return setError(n);
      if (n !== null) steps.push({ tier, afterDays: n });
    }
    for (const v of [retain, hotDays]) if (isError(v)) return setError(v);
    const r = await api.lifecycle.setPolicy({
      dataset: policy.dataset,
      legalHold,
      ...(policy.retirable ? { retainDays: retain as number | null } : {}),
      ...(policy.archivable ? { hotDays: hotDays as number | null } : {}),
      ...(colder.length > 0 ? { tiers: steps } : {}),
    });
    if (r.ok) {
      setError(null);
      setSaved(true);
      onSaved(r.value);
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
        <span className="mono" style={{ minWidth: '14em' }}>
          {policy.dataset}
        </span>
        <label
          className="lake-field"
          title={`Days of rows PostgreSQL keeps; the scheduled archive job moves older ones to the lake. Empty: the job's own "older than"${jobHotDays === null ? '' : ` (${jobHotDays} days)`}`}
        >
          Hot{' '}
          <input
            className="num"
            value={hot}
            disabled={!policy.archivable}
            placeholder={!policy.archivable ? '–' : jobHotDays === null ? 'job' : String(jobHotDays)}
            onChange={(e) => setHot(e.target.value)}
            aria-label={`${policy.dataset} hot days`}
            style={{ width: '4em' }}
          />{' '}
          days
        </label>
        {colder.map((tier) => (
          <label key={tier} className="lake-field" title={`Files of days older than this go to ${tier} (still read by the views)`}>
            {tier} after{' '}
            <input
              className="num"
              value={after[tier] ?? ''}
              placeholder="never"
              onChange={(e) => setAfter({ ...after, [tier]: e.target.value })}
              aria-label={`${policy.dataset} ${tier} after days`}
              style={{ width: '4em' }}
            />{' '}
            days
          </label>
        ))}
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
        <button type="submit" className="btn small">
          Save
        </button>
        {saved && <span className="dim">saved</span>}
      </form>
      {policy.why && (
        <div className="hint settings-hint" title={policy.why} style={{ marginLeft: '14em' }}>
          kept whole: no gold rollup is built from it
        </div>
      )}
      {error && <ErrorBox error={error} variant="inline" />}
    </div>
  );
}

interface DryRunFormProps {
  /** The dataset select's accessible name. */
  label: string;
  datasets: LifecyclePolicyInfo[];
  dataset: string;
  onDataset: (dataset: string) => void;
  busy: boolean;
  onDryRun: () => void;
  /** More buttons after Dry run. */
  children?: ReactNode;
}

/** A card's dataset select and its Dry run button. */
function DryRunForm({ label, datasets, dataset, onDataset, busy, onDryRun, children }: DryRunFormProps) {
  return (
    <form
      className="lake-form row"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onDryRun();
      }}
    >
      <label className="lake-field">
        Dataset{' '}
        <select value={dataset} onChange={(e) => onDataset(e.target.value)} aria-label={label}>
          {datasets.map((p) => (
            <option key={p.dataset} value={p.dataset}>
              {p.dataset}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn small" disabled={dataset === '' || busy}>
        Dry run
      </button>
      {children}
    </form>
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
      <DryRunForm
        label="retention dataset"
        datasets={retirable}
        dataset={dataset}
        onDataset={setDataset}
        busy={running}
        onDryRun={() => void dryRun()}
      />
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

const TIER_COLUMNS = (applied: TierBytes[]): Column<TierBytes>[] => [
  { header: 'Tier', className: 'mono', cell: (t) => t.tier },
  { header: 'Files today', className: 'num', cell: (t) => formatCount(t.files) },
  { header: 'Bytes today', className: 'num', cell: (t) => formatBytes(t.bytes) },
  { header: 'Files, applied', className: 'num', cell: (t) => formatCount(applied.find((a) => a.tier === t.tier)?.files ?? 0) },
  { header: 'Bytes, applied', className: 'num', cell: (t) => formatBytes(applied.find((a) => a.tier === t.tier)?.bytes ?? 0) },
];

/** The tier dry run of one dataset, and the move (every dataset with a tier policy) as a job. */
function TiersCard({ lake, policies }: { lake: LifecyclePolicies['lake']; policies: LifecyclePolicyInfo[] }) {
  const [dataset, setDataset] = useState((policies.find((p) => p.tiers.length > 0) ?? policies[0])?.dataset ?? '');
  const [plan, setPlan] = useState<TierPlan | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { job } = useJob<TierMoveReport>(jobId);
  const running = job !== null && job.state === 'running';

  const dryRun = async () => {
    const r = await api.lifecycle.tierPlan({ dataset });
    if (r.ok) {
      setPlan(r.value);
      setError(null);
    } else setError(r.error);
  };
  // A finished move: the dry run again, so the card shows where the files are now.
  useEffect(() => {
    if (job?.state === 'done') void api.lifecycle.tierPlan({ dataset }).then((r) => r.ok && setPlan(r.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job?.state]);

  const move = async () => {
    const r = await api.lifecycle.applyTiers({});
    if (r.ok) setJobId(r.value.jobId);
    else setError(r.error);
  };

  const report = job?.state === 'done' ? job.report : null;
  return (
    <Card title="Tiers" sub={`${lake.kind === 's3' ? 'storage classes' : 'folders'}: ${lake.tiers.join(' → ')}`} testId="tiers-card">
      {lake.tiers.length < 2 ? (
        <p className="dim" data-testid="tiers-none">
          This lake has one tier. Set an archive folder (another disk or a NAS) for it in Settings: files past their policy&apos;s days move
          there, and the views still read them.
        </p>
      ) : (
        <DryRunForm
          label="tier dataset"
          datasets={policies}
          dataset={dataset}
          onDataset={setDataset}
          busy={running}
          onDryRun={() => void dryRun()}
        >
          <button type="button" className="btn small" disabled={running} onClick={() => void move()}>
            Move now
          </button>
        </DryRunForm>
      )}
      {error && <ErrorBox error={error} variant="inline" />}
      {plan && (
        <>
          <p data-testid="tiers-summary">{plan.summary}</p>
          <DataTable rows={plan.today} rowKey={(t) => t.tier} testId="tiers-table" columns={TIER_COLUMNS(plan.applied)} />
        </>
      )}
      {running && <p className="dim">{job.message || 'Moving…'}</p>}
      {job?.state === 'failed' && job.error && <ErrorBox error={job.error} variant="inline" />}
      {report && (
        <p data-testid="tiers-report">
          Moved {formatCount(report.files)} file(s), {formatBytes(report.bytes)}, in {report.ms} ms
          {report.datasets
            .filter((d) => d.moves.length > 0)
            .map((d) => ` · ${d.dataset}: ${d.moves.map((m) => `${m.files} → ${m.tier}`).join(', ')}`)
            .join('')}
          .
        </p>
      )}
    </Card>
  );
}

/** #/lifecycle: each lake dataset's policy (retention period, legal hold) and retention, a dry run before anything is deleted. */
export function LifecycleView() {
  const [all, setAll] = useState<LifecyclePolicies | null>(null);
  const [jobHotDays, setJobHotDays] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const policies = all?.policies ?? null;

  useEffect(() => {
    let live = true;
    void api.lifecycle.policies({}).then((r) => {
      if (!live) return;
      if (r.ok) setAll(r.value);
      else setError(r.error);
    });
    // The hot window of a dataset without its own: the archive job's option, shown as the field's placeholder.
    void api.schedule.list({}).then((r) => {
      const days = r.ok ? r.value.schedules.find((s) => s.job === 'archive')?.options.olderThanDays : undefined;
      if (live && typeof days === 'number') setJobHotDays(days);
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
        Policies live in the workspace&apos;s settings.json. The hot window is how many days of rows PostgreSQL keeps (the scheduled archive
        job moves older ones to the lake). Tier steps move files of older days to a colder tier the views still read: a local lake&apos;s
        archive folder, or an S3 lake&apos;s storage classes (only those readable at once are offered). Raw rows of a dataset the gold
        rollups are built from may be deleted once they are older than its period, only for days the rollups cover (checked by count) and
        never under a legal hold. The same from the command line:{' '}
        <span className="mono">battery-workbench lifecycle retention --dataset telemetry [--apply]</span>.
      </p>
      {error && <ErrorBox error={error} />}
      {!policies && !error && <span className="spinner" aria-label="Loading" />}
      {all && policies && (
        <>
          <Card title="Policies" sub={`per lake dataset · lake: ${all.lake.location}`}>
            {[...policies.filter((p) => p.retirable), ...policies.filter((p) => !p.retirable)].map((p) => (
              <PolicyRow key={JSON.stringify(p)} policy={p} colder={all.lake.tiers.slice(1)} jobHotDays={jobHotDays} onSaved={setAll} />
            ))}
          </Card>
          <TiersCard lake={all.lake} policies={policies} />
          <RetentionCard policies={policies} />
        </>
      )}
    </div>
  );
}
