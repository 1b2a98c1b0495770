import { useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { ScheduleInfo, ScheduleRun } from '../../../shared/api/schedule';
import { api, transport } from '../../api/client';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { instantText } from '../../lib/ui/wallClock';

const when = (iso: string | null): string => (iso === null ? '—' : instantText(iso));

function took(r: ScheduleRun): string {
  if (r.endedAt === null) return r.outcome === 'running' ? 'running' : '—';
  const s = (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

const RUN_COLUMNS: Column<ScheduleRun>[] = [
  { header: 'Job', className: 'mono', cell: (r) => r.job },
  { header: 'Slot', cell: (r) => (r.trigger === 'manual' ? 'run now' : when(r.slot)) },
  { header: 'Started', cell: (r) => when(r.startedAt) },
  { header: 'Took', className: 'num', cell: (r) => took(r) },
  { header: 'Outcome', cell: (r) => <span className={`outcome ${r.outcome}`}>{r.outcome}</span> },
  { header: 'Message', className: 'wrap', cell: (r) => r.message },
];

interface JobCardProps {
  schedule: ScheduleInfo;
  onChanged: () => void;
}

/** One job's schedule: cron, zone, options and its switch, saved together (the core checks them); and Run now. */
function JobCard({ schedule, onChanged }: JobCardProps) {
  const [cron, setCron] = useState(schedule.cron);
  const [zone, setZone] = useState(schedule.timeZone);
  const [options, setOptions] = useState(JSON.stringify(schedule.options));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (enabled: boolean) => {
    setSaved(false);
    let parsed: unknown;
    try {
      parsed = JSON.parse(options);
    } catch {
      setError({ code: 'BAD_INPUT', message: `The options are not JSON: write them as an object, e.g. {"olderThanDays": 7}.` });
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setError({ code: 'BAD_INPUT', message: 'The options are a JSON object, e.g. {"olderThanDays": 7}.' });
      return;
    }
    const r = await api.schedule.set({ job: schedule.job, cron, timeZone: zone, enabled, options: parsed as Record<string, unknown> });
    if (r.ok) {
      setError(null);
      setSaved(true);
      onChanged();
    } else setError(r.error);
  };

  const runNow = async () => {
    const r = await api.schedule.runNow({ job: schedule.job });
    if (!r.ok) setError(r.error);
    onChanged();
  };

  return (
    <Card
      title={schedule.job}
      sub={schedule.title}
      testId={`schedule-${schedule.job}`}
      tone={schedule.lastRun?.outcome === 'failed' ? 'failed' : null}
      actions={
        <button type="button" className="btn small" onClick={() => void runNow()}>
          Run now
        </button>
      }
    >
      <form
        className="lake-form row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(schedule.enabled);
        }}
      >
        <label className="lake-field">
          <input
            type="checkbox"
            checked={schedule.enabled}
            onChange={() => void save(!schedule.enabled)}
            aria-label={`${schedule.job} enabled`}
          />{' '}
          enabled
        </label>
        <label className="lake-field">
          Cron{' '}
          <input
            className="mono"
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            aria-label={`${schedule.job} cron`}
            style={{ width: '9em' }}
          />
        </label>
        <label className="lake-field">
          Zone{' '}
          <input
            value={zone}
            onChange={(e) => setZone(e.target.value)}
            aria-label={`${schedule.job} time zone`}
            style={{ width: '10em' }}
          />
        </label>
        <label className="lake-field">
          Options{' '}
          <input
            className="mono"
            value={options}
            onChange={(e) => setOptions(e.target.value)}
            aria-label={`${schedule.job} options`}
            style={{ width: '16em' }}
          />
        </label>
        <button type="submit" className="btn small">
          Save
        </button>
        {saved && <span className="dim">saved</span>}
      </form>
      {error && <ErrorBox error={error} variant="inline" />}
      <div className="lake-facts">
        <span>next slot: {schedule.enabled ? when(schedule.nextSlot) : 'disabled'}</span>
        <span>
          last run: {schedule.lastRun ? `${schedule.lastRun.outcome} (${when(schedule.lastRun.startedAt)})` : 'never'}
          {schedule.lastRun?.message ? ` — ${schedule.lastRun.message}` : ''}
        </span>
      </div>
    </Card>
  );
}

/** #/schedules: every periodic job's schedule (editable, Run now) and the schedule history, kept current by the schedule events. */
export function SchedulesView() {
  const [schedules, setSchedules] = useState<ScheduleInfo[] | null>(null);
  const [runs, setRuns] = useState<ScheduleRun[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    let live = true;
    void Promise.all([api.schedule.list({}), api.schedule.history({ limit: 50 })]).then(([l, h]) => {
      if (!live) return;
      if (l.ok) setSchedules(l.value.schedules);
      if (h.ok) setRuns(h.value.runs);
      setError(!l.ok ? l.error : !h.ok ? h.error : null);
    });
    return () => {
      live = false;
    };
  }, [asked]);

  useEffect(() => {
    const again = () => setAsked((n) => n + 1);
    const offs = [subscribe(transport, 'schedule.started', again), subscribe(transport, 'schedule.ran', again)];
    return () => offs.forEach((off) => off());
  }, []);

  return (
    <div className="lake-page" data-testid="schedules-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Schedules</h1>
      </div>
      <p className="dim">
        The periodic jobs run here while the app is open (a tick at start, then every 30 s; missed slots run once), or on a headless machine
        from cron with <span className="mono">battery-workbench schedule run --once</span>. Cron has 5 fields or a nickname such as @daily,
        read on the zone&apos;s wall clock.
      </p>
      {error && <ErrorBox error={error} />}
      {!schedules && !error && <span className="spinner" aria-label="Loading" />}
      {schedules?.map((s) => (
        <JobCard key={`${s.job}:${s.updatedAt}`} schedule={s} onChanged={() => setAsked((n) => n + 1)} />
      ))}
      <Card title="History" sub="newest first">
        {runs.length === 0 ? (
          <p className="dim">No scheduled run yet.</p>
        ) : (
          <DataTable rows={runs} rowKey={(r) => r.runId} testId="schedule-history" columns={RUN_COLUMNS} />
        )}
      </Card>
    </div>
  );
}
