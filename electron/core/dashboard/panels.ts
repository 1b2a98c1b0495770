import { WorkbenchError } from '../../../shared/api/errors';
import type { PanelId, ScopeKind } from '../../../shared/api/dashboard';
import { batteryZ, fleetAnomalies, stringDischarges, stringEfc, stringEvents, stringSpread } from './analytics-panels';
import { ambientSeries } from './ambient-panels';
import { batteryHealth, batteryRul } from './battery-panels';
import { fleetAlerts, fleetAtRisk, fleetDrift, fleetFreshness, fleetHotspots, fleetSites } from './fleet-panels';
import type { PanelContext, PanelQuery } from './panel-query';
import { scopeAlerts, scopeChildren, scopeEvents } from './scope-panels';
import { batterySoh, fleetWeakest } from './soh-panels';
import { acrossJarsSeries, jarSeries, stringSeries } from './series-sql';

const SCOPES_OF: Record<string, readonly ScopeKind[]> = {
  fleet: ['fleet'],
  scope: ['location', 'system', 'string'],
  battery: ['battery'],
  string: ['string'],
};

/** The SQL of one panel for a validated context. */
export function panelQuery(ctx: PanelContext): PanelQuery {
  const group = ctx.panel.split('.')[0];
  if (!(SCOPES_OF[group] ?? []).includes(ctx.scope.kind)) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `The panel ${ctx.panel} does not apply to a ${ctx.scope.kind}.`,
      `Use it with: ${(SCOPES_OF[group] ?? []).join(', ')}`,
    );
  }
  const builders: Record<PanelId, () => PanelQuery> = {
    'fleet.sites': () => fleetSites(ctx),
    'fleet.alerts': () => fleetAlerts(),
    'fleet.atRisk': () => fleetAtRisk(ctx),
    'fleet.hotspots': () => fleetHotspots(ctx),
    'fleet.drift': () => fleetDrift(ctx),
    'fleet.freshness': () => fleetFreshness(ctx),
    'fleet.weakest': () => fleetWeakest(ctx),
    'scope.stringVoltage': () => stringSeries(ctx, 'voltage'),
    'scope.stringCurrent': () => stringSeries(ctx, 'current'),
    'scope.balance': () => acrossJarsSeries(ctx, 'spread'),
    'scope.temperature': () => acrossJarsSeries(ctx, 'hottest'),
    'scope.ambient': () => ambientSeries(ctx),
    'scope.alerts': () => scopeAlerts(ctx),
    'scope.events': () => scopeEvents(ctx),
    'scope.children': () => scopeChildren(ctx),
    'battery.voltage': () => jarSeries(ctx, 'voltage'),
    'battery.temperature': () => jarSeries(ctx, 'temperature'),
    'battery.resistance': () => jarSeries(ctx, 'resistance'),
    'battery.alerts': () => scopeAlerts(ctx),
    'battery.events': () => scopeEvents(ctx),
    'battery.rul': () => batteryRul(ctx),
    'battery.health': () => batteryHealth(ctx),
    'battery.soh': () => batterySoh(ctx),
    'string.events': () => stringEvents(ctx),
    'string.discharges': () => stringDischarges(ctx),
    'string.efc': () => stringEfc(ctx),
    'string.spread': () => stringSpread(ctx),
    'battery.zscore': () => batteryZ(ctx),
    'fleet.anomalies': () => fleetAnomalies(ctx),
  };
  return builders[ctx.panel]();
}
