import { z } from 'zod';
import { errorMessage } from '../../../shared/api/errors';
import type { AlertRunReport } from '../../../shared/api/alerts';
import type { JobOutcome, ScheduledJobRegistry } from '../schedule/job-registry';
import type { AlertService } from './alert-service';

/** The run's line for the schedule history (and the app's notice when it failed). */
export function describeAlertRun(r: AlertRunReport): string {
  const list = (xs: AlertRunReport['raised']): string =>
    xs
      .slice(0, 5)
      .map((a) => `${a.rule} on jar ${a.battery_id}`)
      .join(', ') + (xs.length > 5 ? `, and ${xs.length - 5} more` : '');
  const parts = [`${r.rules.length} rule(s): ${r.raised.length} raised${r.raised.length > 0 ? ` (${list(r.raised)})` : ''}`];
  parts.push(`${r.cleared.length} cleared`, `${r.open} open`);
  if (r.hook && r.hook.failed.length > 0) parts.push(`the command hook failed ${r.hook.failed.length} time(s): ${r.hook.failed[0]}`);
  return `${parts.join(', ')}.`;
}

/** The outcome of a run: a failing hook makes it `failed` (so the app tells of it), though the alerts were written. */
export function alertRunOutcome(r: AlertRunReport): JobOutcome {
  return { outcome: r.hook && r.hook.failed.length > 0 ? 'failed' : 'done', message: describeAlertRun(r) };
}

/** The `alerts` job: evaluates the enabled rules every 5 minutes (shipped disabled, like every job). */
export function registerAlertsJob(registry: ScheduledJobRegistry, alerts: AlertService): void {
  registry.register({
    id: 'alerts',
    title: 'Evaluate the alert rules: raise, de-duplicate and clear alerts in the hot store',
    defaults: { cron: '*/5 * * * *', timeZone: 'UTC', enabled: false },
    options: z.object({}).strict(),
    run: async () => {
      try {
        return alertRunOutcome(await alerts.run());
      } catch (err) {
        return { outcome: 'failed', message: `The alert rules did not run: ${errorMessage(err)}` };
      }
    },
  });
}
