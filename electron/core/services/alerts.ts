import type { AlertsApi } from '../../../shared/api/contract';
import type { AlertService } from '../alerts/alert-service';

/** alerts.*: the alert rules, their dry run, and a run now. */
export function createAlertsService(alerts: AlertService): AlertsApi {
  return {
    rules: async () => ({ rules: await alerts.rules() }),
    setRule: (req) => alerts.setRule(req),
    test: (req) => alerts.test(req.rule, req.from, req.to),
    run: () => alerts.run(),
  };
}
