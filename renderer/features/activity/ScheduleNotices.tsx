import { useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { ScheduleRun } from '../../../shared/api/schedule';
import { transport } from '../../api/client';

/** At most this many notices stay on screen; older ones drop off. */
const MAX_NOTICES = 3;

/**
 * A notice in the corner for each scheduled job that failed (or was found interrupted) while the app is open,
 * from 'schedule.failed'; each stays until dismissed.
 */
export function ScheduleNotices() {
  const [runs, setRuns] = useState<ScheduleRun[]>([]);

  useEffect(
    () =>
      subscribe(transport, 'schedule.failed', ({ run }) => {
        setRuns((prev) => [run, ...prev.filter((r) => r.runId !== run.runId)].slice(0, MAX_NOTICES));
      }),
    [],
  );

  if (runs.length === 0) return null;
  return (
    <div className="schedule-notices" data-testid="schedule-notices">
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
