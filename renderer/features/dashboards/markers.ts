import type { PanelData } from '../../../shared/api/dashboard';
import { records, text } from './panelData';
import type { Marker } from './seriesOption';

/**
 * The chart markers of an alerts panel's and an events panel's rows: alerts raised in the range, maintenance, and
 * capacity tests (whose text already says their result: the label is the text alone, not "pass: ... (pass)").
 */
export function markersOf(alerts: PanelData | null | undefined, events: PanelData | null | undefined, fromMs: number): Marker[] {
  const out: Marker[] = [];
  for (const r of alerts ? records(alerts) : []) {
    if (typeof r.raised_at !== 'number' || r.raised_at < fromMs) continue;
    out.push({
      kind: 'alert',
      atMs: r.raised_at,
      label: `${text(r.severity)} ${text(r.alert_type)}: ${text(r.message)}`,
      severity: text(r.severity),
    });
  }
  for (const r of events ? records(events) : []) {
    if (typeof r.started_at !== 'number') continue;
    const test = r.kind === 'capacity_test';
    out.push({
      kind: test ? 'capacity_test' : 'maintenance',
      atMs: r.started_at,
      toMs: typeof r.ended_at === 'number' ? r.ended_at : null,
      label: test ? text(r.text) : `${text(r.type)}: ${text(r.text)}`,
    });
  }
  return out;
}
