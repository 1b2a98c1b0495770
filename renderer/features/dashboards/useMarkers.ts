import { useMemo } from 'react';
import type { PanelId, Scope } from '../../../shared/api/dashboard';
import { markersOf } from './markers';
import type { Marker } from './seriesOption';
import { usePanel } from './usePanel';

/** Alerts, maintenance and capacity tests of a scope in the range, as chart markers. */
export function useMarkers(scope: Scope | null, fromMs: number, toMs: number, panels: { alerts: PanelId; events: PanelId }): Marker[] {
  const alerts = usePanel(panels.alerts, scope, fromMs, toMs, 1000);
  const events = usePanel(panels.events, scope, fromMs, toMs, 1000);
  return useMemo(() => markersOf(alerts.data, events.data, fromMs), [alerts.data, events.data, fromMs]);
}
