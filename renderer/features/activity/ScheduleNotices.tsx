import { useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { FiredAlert } from '../../../shared/api/alerts';
import type { ScheduleRun } from '../../../shared/api/schedule';
import { transport } from '../../api/client';

/** At most this many notices stay on screen; older ones drop off. */
const MAX_NOTICES = 3;

/** One batch of alerts the rules raised, as a notice. */
interface RaisedNotice {
  id: string;
  alerts: FiredAlert[];
}

/**
 * A notice in the corner for each scheduled job that failed (or was found interrupted) while the app is open,
 * from 'schedule.failed', and for each batch of alerts the rules raised ('alerts.raised'); each stays until dismissed.
 */
export function ScheduleNotices() {
  const [runs, setRuns] = useState<ScheduleRun[]>([]);
  const [raised, setRaised] = useState<RaisedNotice[]>([]);

  useEffect(
    () =>
      subscribe(transport, 'schedule.failed', ({ run }) => {
        setRuns((prev) => [run, ...prev.filter((r) => r.runId !== run.runId)].slice(0, MAX_NOTICES));
      }),
    [],
  );
  useEffect(
    () =>
      subscribe(transport, 'alerts.raised', ({ alerts }) => {
        const id = alerts.map((a) => a.alertId).join(',');
        setRaised((prev) => [{ id, alerts }, ...prev.filter((n) => n.id !== id)].slice(0, MAX_NOTICES));
      }),
    [],
  );

  if (runs.length === 0 && raised.length === 0) return null;
  return (
    <div className="schedule-notices" data-testid="schedule-notices">
      {raised.map((n) => (
        <div key={n.id} className="schedule-notice" role="alert" data-testid="alerts-raised-notice">
          <div className="schedule-notice-title">
            {n.alerts.length === 1 ? 'An alert rule fired' : `${n.alerts.length} alerts raised by the rules`}
          </div>
          {n.alerts.slice(0, 3).map((a) => (
            <div key={a.alertId} className="schedule-notice-detail">
              <a href={`#/battery/${a.battery_id}`}>jar {a.battery_id}</a>: {a.message}
            </div>
          ))}
          {n.alerts.length > 3 && <div className="schedule-notice-detail">and {n.alerts.length - 3} more</div>}
          <button type="button" className="link-btn" onClick={() => setRaised((prev) => prev.filter((x) => x.id !== n.id))}>
            Dismiss
          </button>
        </div>
      ))}
      {runs.map((r) => (
        <div key={r.runId} className="schedule-notice" role="alert">
          <div className="schedule-notice-title">Scheduled {r.job} job failed</div>
          <div className="schedule-notice-detail">
            {r.trigger === 'manual' ? 'Run now' : `Slot ${r.slot}`}: {r.message}
          </div>
          <button type="button" className="link-btn" onClick={() => setRuns((prev) => prev.filter((x) => x.runId !== r.runId))}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
