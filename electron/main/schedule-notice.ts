import { Notification } from 'electron';
import type { ScheduleRun } from '../../shared/api/schedule';

/** A desktop notification for a scheduled job that failed (or was found interrupted): the job, its slot and why. */
export function notifyScheduleFailure(run: ScheduleRun): void {
  if (!Notification.isSupported()) return;
  const when = run.trigger === 'manual' ? 'run now' : `slot ${run.slot}`;
  new Notification({
    title: `Scheduled ${run.job} job failed`,
    body: `${when}: ${run.message}`.slice(0, 300),
  }).show();
}
