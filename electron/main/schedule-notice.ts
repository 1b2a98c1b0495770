import { Notification } from 'electron';
import type { FiredAlert } from '../../shared/api/alerts';
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

/** A desktop notification for alerts the rules raised: how many, and the first ones' messages. */
export function notifyAlertsRaised(alerts: readonly FiredAlert[]): void {
  if (!Notification.isSupported() || alerts.length === 0) return;
  new Notification({
    title: alerts.length === 1 ? `Alert: ${alerts[0].rule}` : `${alerts.length} alerts raised`,
    body: alerts
      .slice(0, 3)
      .map((a) => a.message)
      .join('\n')
      .slice(0, 300),
  }).show();
}
