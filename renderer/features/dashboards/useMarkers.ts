import { useMemo } from 'react';
import type { PanelId, Scope } from '../../../shared/api/dashboard';
import { records, text } from './panelData';
import type { Marker } from './seriesOption';
import { usePanel } from './usePanel';

/** Alerts, maintenance and capacity tests of a scope in the range, as chart markers. */
export function useMarkers(scope: Scope | null, fromMs: number, toMs: number, panels: { alerts: PanelId; events: PanelId }): Marker[] {
  const alerts = usePanel(panels.alerts, scope, fromMs, toMs, 1000);
  const events = usePanel(panels.events, scope, fromMs, toMs, 1000);
  return useMemo(() => {
    const out: Marker[] = [];
    if (alerts.data) {
      for (const r of records(alerts.data)) {
        if (typeof r.raised_at !== 'number' || r.raised_at < fromMs) continue;
        out.push({
          kind: 'alert',
          atMs: r.raised_at,
          label: `${text(r.severity)} ${text(r.alert_type)}: ${text(r.message)}`,
          severity: text(r.severity),
        });
      }
    }
    if (events.data) {
      for (const r of records(events.data)) {
        if (typeof r.started_at !== 'number') continue;
        out.push({
          kind: r.kind === 'capacity_test' ? 'capacity_test' : 'maintenance',
          atMs: r.started_at,
          toMs: typeof r.ended_at === 'number' ? r.ended_at : null,
          label: `${text(r.type)}: ${text(r.text)}`,
        });
      }
    }
    return out;
  }, [alerts.data, events.data, fromMs]);
}
