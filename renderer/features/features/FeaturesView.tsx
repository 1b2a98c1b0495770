import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { FeatureDrift, FeatureMaterializeReport, FeatureSetInfo } from '../../../shared/api/features';
import { unmeasuredReason } from '../../../shared/domain/psi';
import { formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { EChart } from '../../lib/echarts/EChart';
import { useJob } from '../../lib/jobs/useJob';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobProgress } from '../../lib/ui/JobProgress';
import { addTab } from '../sql/tabsStore';
import { driftOption } from './driftOption';
import { instantText } from '../../lib/ui/wallClock';

type Version = FeatureSetInfo['versions'][number];

/** "3 h ago" from an ISO time, against now. */
function ago(iso: string | null): string {
  if (iso === null) return 'never';
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  // A day's values are known at its end: today's row is final then.
  if (ms < 0) return `final in ${Math.max(1, Math.round(-ms / 3_600_000))} h`;
  if (ms < 3_600_000) return `${Math.max(1, Math.round(ms / 60_000))} min ago`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

const latestOf = (s: FeatureSetInfo): string | null =>
  s.versions.reduce<string | null>(
    (a, v) => (v.latestEventTime !== null && (a === null || v.latestEventTime > a) ? v.latestEventTime : a),
    null,
  );

const SET_COLUMNS: Column<FeatureSetInfo>[] = [
  { header: 'Feature set', className: 'mono', cell: (s) => s.name },
  { header: 'Per', cell: (s) => s.entity },
  { header: 'Owner', cell: (s) => s.owner },
  { header: 'Versions', className: 'num', cell: (s) => formatCount(s.versions.length) },
  { header: 'Columns', className: 'num', cell: (s) => formatCount(s.columns.length) },
  { header: 'Fresh to', cell: (s) => latestOf(s) ?? 'not materialized' },
];

const VERSION_COLUMNS: Column<Version>[] = [
  { header: 'Version', className: 'mono', cell: (v) => `v${v.version}${v.current ? ' (current)' : ''}` },
  { header: 'Hash', className: 'mono clip', cell: (v) => v.hash.slice(0, 19), title: (v) => v.hash },
  { header: 'Created', cell: (v) => instantText(v.createdAt) },
  { header: 'Days', className: 'num', cell: (v) => formatCount(v.days) },
  { header: 'Rows', className: 'num', cell: (v) => formatCount(v.rows) },
  { header: 'Latest values', cell: (v) => (v.latestEventTime === null ? '—' : `${v.latestEventTime} (${ago(v.latestEventTime)})`) },
  { header: 'View', className: 'mono', cell: (v) => v.view },
];

const FEATURE_COLUMNS: Column<FeatureSetInfo['columns'][number]>[] = [
  { header: 'Column', className: 'mono', cell: (c) => c.name },
  { header: 'Type', className: 'mono', cell: (c) => c.type },
  { header: 'Unit', cell: (c) => c.unit ?? '—' },
  { header: 'Description', className: 'wrap', cell: (c) => c.description },
];

/** The set's definition in a new editor tab (its window parameters are asked for when it runs), and the SQL view in front. */
function openDefinition(s: FeatureSetInfo): void {
  addTab(
    `-- Feature set ${s.name} (owner ${s.owner}): one row per ${s.entity} and UTC day.\n` +
      `-- $window_start and $window_end are whole UTC days (TIMESTAMPTZ); the lake keeps every version's definition.\n${s.sql}\n`,
  );
  window.location.hash = '#/sql';
}

interface DriftProps {
  set: FeatureSetInfo;
}

/** PSI of each numeric column by week against the reference window, with the workspace's alarm line (editable). */
function DriftCard({ set }: DriftProps) {
  const materialized = set.versions.filter((v) => v.rows > 0);
  const [version, setVersion] = useState<number | null>(null);
  const chosen = version ?? (materialized.find((v) => v.current) ?? materialized[materialized.length - 1])?.version ?? null;
  // Each answer is tagged with what it answers (set, version, the n-th threshold save): an older one is not shown.
  const [answer, setAnswer] = useState<{ key: string; drift: FeatureDrift | null; error: ApiError | null } | null>(null);
  const [threshold, setThreshold] = useState('');
  const [saved, setSaved] = useState(0);
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.features.driftThreshold({}).then((r) => {
      if (live && r.ok) setThreshold(String(r.value.threshold));
    });
    return () => {
      live = false;
    };
  }, []);

  const key = `${set.name}/${chosen}/${saved}`;
  useEffect(() => {
    if (chosen === null) return;
    let live = true;
    void api.features.drift({ set: set.name, version: chosen }).then((r) => {
      if (live) setAnswer({ key, drift: r.ok ? r.value : null, error: r.ok ? null : r.error });
    });
    return () => {
      live = false;
    };
  }, [set.name, chosen, key]);
  const drift = answer?.key === key ? answer.drift : null;
  const error = answer?.key === key ? answer.error : null;

  const option = useMemo(() => (drift && drift.columns.length > 0 ? driftOption(drift) : null), [drift]);

  const save = async (value: number | null) => {
    if (value !== null && !(Number.isFinite(value) && value > 0 && value <= 10)) {
      setFormError('The alarm line is a PSI above 0 and at most 10 (0.25 is the usual "significant shift").');
      return;
    }
    setFormError(null);
    const r = await api.features.setDriftThreshold({ threshold: value });
    if (!r.ok) setFormError(r.error.message);
    else {
      setThreshold(String(r.value.threshold));
      setSaved((n) => n + 1);
    }
  };

  if (materialized.length === 0)
    return (
      <Card title="Distribution drift" testId="features-drift">
        <p className="dim">Nothing materialized yet: materialize the set to measure its drift.</p>
      </Card>
    );
  return (
    <Card
      title="Distribution drift"
      sub={drift ? `PSI by week against ${drift.reference.from} to ${drift.reference.to} (${drift.bins} reference bins)` : undefined}
      testId="features-drift"
      actions={
        <form
          className="lake-form row"
          // Checked here, with the reason in words, rather than by the browser's bubble.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save(Number(threshold));
          }}
        >
          <label className="lake-field">
            Version{' '}
            <select value={chosen ?? ''} onChange={(e) => setVersion(Number(e.target.value))} aria-label="Version">
              {materialized.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </label>
          <label className="lake-field">
            Shifted at PSI ≥{' '}
            <input
              type="number"
              step="0.01"
              min="0.01"
              max="10"
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              aria-label="PSI alarm line"
              style={{ width: '5em' }}
            />
          </label>
          <button type="submit" className="btn small">
            Save
          </button>
          <button type="button" className="btn small" onClick={() => void save(null)}>
            Default
          </button>
        </form>
      }
    >
      {formError && <ErrorBox error={formError} variant="inline" />}
      {error && <ErrorBox error={error} />}
      {!drift && !error && <span className="spinner" aria-label="Loading" />}
      {option && <EChart option={option} height={320} testId="chart-drift" ariaLabel={`Weekly PSI of the columns of ${set.name}`} />}
      {drift && (
        <DataTable
          rows={drift.columns}
          rowKey={(c) => c.name}
          testId="features-drift-table"
          columns={[
            { header: 'Column', className: 'mono', cell: (c) => (c.unit ? `${c.name} [${c.unit}]` : c.name) },
            {
              header: 'Largest PSI after the reference',
              className: 'num',
              cell: (c) => (c.maxPsi === null ? `— (${unmeasuredReason(c.weeks, drift.reference.to) ?? 'no PSI'})` : c.maxPsi.toFixed(3)),
            },
            {
              header: 'Shifted weeks',
              className: 'wrap',
              cell: (c) => (c.shiftedWeeks.length === 0 ? 'none' : c.shiftedWeeks.join(', ')),
            },
          ]}
        />
      )}
    </Card>
  );
}

/** #/features: the feature sets, their versions, columns, owner, freshness, SQL and lineage, and their drift. */
export function FeaturesView() {
  const [sets, setSets] = useState<FeatureSetInfo[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const [jobId, setJobId] = useState<string | null>(null);
  const [jobError, setJobError] = useState<ApiError | null>(null);
  const { job } = useJob<FeatureMaterializeReport>(jobId);
  const running = job !== null && job.state === 'running';

  // A finished materialization shows in the lists: its end asks again.
  const endedJob = job !== null && job.state !== 'running' ? jobId : null;
  useEffect(() => {
    let live = true;
    void api.features.list({}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setSets(r.value.sets);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [asked, endedJob]);

  const materialize = async () => {
    setJobError(null);
    const r = await api.features.materialize({ full: false });
    if (r.ok) setJobId(r.value.jobId);
    else setJobError(r.error);
  };

  const set = sets?.find((s) => s.name === selected) ?? sets?.[0] ?? null;
  return (
    <div className="lake-page" data-testid="features-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Feature sets</h1>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setAsked((n) => n + 1)}>
          Refresh
        </button>
        <button type="button" className="btn primary" onClick={() => void materialize()} disabled={running}>
          Materialize all
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {jobError && <ErrorBox error={jobError} />}
      {job && running && (
        <JobProgress fraction={job.fraction} label="Materialize progress" testId="features-progress">
          {job.message}
        </JobProgress>
      )}
      {job?.error && <ErrorBox error={job.error} warning={job.state === 'cancelled'} />}
      {sets && sets.length === 0 && <p className="dim">No feature set is defined.</p>}
      {sets && sets.length > 0 && (
        <Card title="Sets" sub="named, versioned SQL over the unified views, materialized per UTC day into the lake">
          <DataTable
            rows={sets}
            rowKey={(s) => s.name}
            testId="features-sets"
            className="lake-table clickable"
            rowProps={(s) => ({
              className: s.name === set?.name ? 'selected' : undefined,
              onClick: () => setSelected(s.name),
              'data-testid': `features-set-${s.name}`,
            })}
            columns={SET_COLUMNS}
          />
        </Card>
      )}
      {set && (
        <Card
          title={set.name}
          sub={set.description}
          testId="features-detail"
          actions={
            <button type="button" className="btn small" onClick={() => openDefinition(set)} data-testid="features-open-sql">
              Open SQL in editor
            </button>
          }
        >
          <div className="lake-facts">
            <span>
              per <b>{set.entity}</b> (<span className="mono">{set.key}</span>)
            </span>
            <span>
              owner <b>{set.owner}</b>
            </span>
            <span>
              usable <b>{set.lagMinutes} min</b> after its event time
            </span>
            <span data-testid="features-lineage">
              reads <b>{set.lineage.join(', ')}</b>
            </span>
            {!set.defined && <span className="dim">no longer defined: its stored versions stay readable</span>}
          </div>
          <h3 className="lake-section-title">Versions</h3>
          {set.versions.length === 0 ? (
            <p className="dim">Not materialized yet.</p>
          ) : (
            <DataTable rows={set.versions} rowKey={(v) => String(v.version)} testId="features-versions" columns={VERSION_COLUMNS} />
          )}
          <h3 className="lake-section-title">Columns</h3>
          <DataTable rows={set.columns} rowKey={(c) => c.name} testId="features-columns" columns={FEATURE_COLUMNS} />
        </Card>
      )}
      {set && <DriftCard key={set.name} set={set} />}
    </div>
  );
}
