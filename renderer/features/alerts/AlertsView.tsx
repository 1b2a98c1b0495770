import { useEffect, useState } from 'react';
import type { AlertEpisode, AlertRule, AlertRunReport, AlertTestReport } from '../../../shared/api/alerts';
import type { ApiError } from '../../../shared/api/errors';
import { formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { WallClockInput } from '../../lib/ui/WallClockInput';
import { instantOfWallClock, instantText, wallClockOf } from '../../lib/ui/wallClock';
import { addTab } from '../sql/tabsStore';

const DAY_MS = 86_400_000;

const when = (iso: string | null): string => (iso === null ? 'still holds' : instantText(iso));

const RULE_COLUMNS = (toggle: (r: AlertRule) => void): Column<AlertRule>[] => [
  {
    header: 'On',
    cell: (r) => (
      <input
        type="checkbox"
        checked={r.enabled}
        aria-label={`Rule ${r.id} enabled`}
        onClick={(e) => e.stopPropagation()}
        onChange={() => toggle(r)}
      />
    ),
  },
  { header: 'Rule', className: 'mono', cell: (r) => r.id },
  { header: 'Per', cell: (r) => (r.key === 'battery' ? 'jar' : 'string') },
  { header: 'Condition', className: 'mono', cell: (r) => `${r.op} ${r.threshold}` },
  { header: 'For', className: 'num', cell: (r) => `${formatCount(r.forMinutes)} min` },
  { header: 'Severity', cell: (r) => r.severity },
  { header: 'Title', className: 'wrap', cell: (r) => r.title },
];

const EPISODE_COLUMNS: Column<AlertEpisode>[] = [
  { header: 'Jar', className: 'num', cell: (e) => <a href={`#/battery/${e.battery_id}`}>{e.battery_id}</a> },
  { header: 'String', className: 'num', cell: (e) => <a href={`#/string/${e.string_id}`}>{e.string_id}</a> },
  { header: 'From', cell: (e) => when(e.start) },
  { header: 'Would fire', cell: (e) => when(e.firedAt) },
  { header: 'Until', cell: (e) => when(e.end) },
  { header: 'Peak', className: 'num', cell: (e) => e.peak.toFixed(3) },
  { header: 'Readings', className: 'num', cell: (e) => formatCount(e.readings) },
];

interface RuleCardProps {
  rule: AlertRule;
}

/** One rule: its SQL (opens in the editor) and a dry run over a chosen past range. */
function RuleCard({ rule }: RuleCardProps) {
  const [from, setFrom] = useState(() => wallClockOf(Date.now() - 7 * DAY_MS));
  const [to, setTo] = useState(() => wallClockOf(Date.now()));
  const [test, setTest] = useState<AlertTestReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    const f = instantOfWallClock(from);
    const t = instantOfWallClock(to);
    if (f === null || t === null) {
      setError({ code: 'BAD_INPUT', message: 'Give both ends of the range as a date and time (UTC).' });
      return;
    }
    setBusy(true);
    setError(null);
    const r = await api.alerts.test({ rule: rule.id, from: f, to: t });
    setBusy(false);
    if (r.ok) setTest(r.value);
    else {
      setTest(null);
      setError(r.error);
    }
  };

  return (
    <Card
      title={rule.title}
      sub={`${rule.id}${rule.builtIn ? ' (ships with the workbench)' : ''}`}
      testId="alert-rule"
      actions={
        <button
          type="button"
          className="btn small"
          onClick={() => {
            addTab(`-- Alert rule ${rule.id}: ${rule.op} ${rule.threshold} for ${rule.forMinutes} min, per ${rule.key}.\n${rule.sql}\n`);
            window.location.hash = '#/sql';
          }}
        >
          Open SQL in editor
        </button>
      }
    >
      <pre className="mono wrap" data-testid="alert-rule-sql">
        {rule.sql}
      </pre>
      <form
        className="lake-form row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label className="lake-field">
          From (UTC) <WallClockInput value={from} onChange={setFrom} ariaLabel="Test from" />
        </label>
        <label className="lake-field">
          To (UTC) <WallClockInput value={to} onChange={setTo} ariaLabel="Test to" />
        </label>
        <button type="submit" className="btn primary small" disabled={busy} data-testid="alert-test">
          Test rule
        </button>
        {busy && <span className="spinner" aria-label="Testing" />}
      </form>
      {error && <ErrorBox error={error} variant="inline" />}
      {test && (
        <>
          <p className="dim" data-testid="alert-test-summary">
            {test.episodes.length === 0
              ? `Nothing would have fired from ${when(test.from)} to ${when(test.to)}.`
              : `${formatCount(test.episodes.length)} alert(s) would have fired from ${when(test.from)} to ${when(test.to)} (${Math.round(test.ms)} ms). A dry run: nothing was written.`}
          </p>
          {test.episodes.length > 0 && (
            <DataTable
              rows={test.episodes}
              rowKey={(e, i) => `${e.battery_id}-${e.start}-${i}`}
              testId="alert-test-episodes"
              columns={EPISODE_COLUMNS}
            />
          )}
        </>
      )}
    </Card>
  );
}

/** #/alerts: the alert rules, on or off, each with its SQL and a dry run; and a run now that raises and clears alerts. */
export function AlertsView() {
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const [ran, setRan] = useState<AlertRunReport | null>(null);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    let live = true;
    void api.alerts.rules({}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRules(r.value.rules);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [asked]);

  // Shown at once; the stored state is asked again after (a refusal puts the box back).
  const toggle = async (rule: AlertRule) => {
    setRules((rs) => rs?.map((r) => (r.id === rule.id ? { ...r, enabled: !rule.enabled } : r)) ?? rs);
    const r = await api.alerts.setRule({ id: rule.id, enabled: !rule.enabled });
    if (!r.ok) setError(r.error);
    setAsked((n) => n + 1);
  };

  const runNow = async () => {
    setRunning(true);
    setError(null);
    const r = await api.alerts.run({});
    setRunning(false);
    if (r.ok) setRan(r.value);
    else setError(r.error);
  };

  const rule = rules?.find((r) => r.id === (selected ?? rules[0]?.id)) ?? null;
  return (
    <div className="lake-page" data-testid="alerts-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Alert rules</h1>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => void runNow()} disabled={running} data-testid="alerts-run">
          Run enabled rules now
        </button>
      </div>
      <p className="dim">
        SQL over the workspace, evaluated by this app (or <span className="mono">battery-workbench schedule run</span> from cron, job{' '}
        <span className="mono">alerts</span>): fired alerts go to the hot store&apos;s alert table, once per rule and key while open, and
        clear when the condition ends.
      </p>
      {error && <ErrorBox error={error} />}
      {ran && (
        <p data-testid="alerts-run-summary">
          {`${ran.rules.length} rule(s): ${ran.raised.length} raised, ${ran.cleared.length} cleared, ${ran.open} open.`}
          {ran.hook && ran.hook.failed.length > 0 && ` The command hook failed: ${ran.hook.failed[0]}`}
        </p>
      )}
      {!rules && !error && <span className="spinner" aria-label="Loading" />}
      {rules && (
        <Card title="Rules" sub="click a rule for its SQL and a dry run">
          <DataTable
            rows={rules}
            rowKey={(r) => r.id}
            testId="alert-rules"
            className="lake-table clickable"
            columns={RULE_COLUMNS((r) => void toggle(r))}
            rowProps={(r) => ({
              onClick: () => setSelected(r.id),
              className: r.id === rule?.id ? 'selected' : undefined,
              'data-rule': r.id,
            })}
          />
        </Card>
      )}
      {rule && <RuleCard key={rule.id} rule={rule} />}
    </div>
  );
}
