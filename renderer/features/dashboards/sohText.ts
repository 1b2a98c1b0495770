import type { PanelCell } from '../../../shared/api/dashboard';
import { SOH_PER_DRIFT_PCT } from '../../../shared/api/soh';

const num = (v: PanelCell | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Days as the SoH panels say them: one decimal below ten, whole days above. */
export function daysText(d: number): string {
  const n = d < 10 && !Number.isInteger(d) ? d.toFixed(1) : Math.round(d).toString();
  return `${n} ${n === '1' ? 'day' : 'days'}`;
}

/** A UTC day (epoch ms of its midnight) as YYYY-MM-DD: the daily rollup's buckets are UTC days. */
export function dayText(v: PanelCell | undefined): string {
  const ms = num(v);
  return ms === null ? '—' : new Date(ms).toISOString().slice(0, 10);
}

/** Where a jar's SoH figure comes from, in words. */
export function sohSourceText(source: PanelCell | undefined): string {
  if (source === 'capacity_test') return 'capacity test';
  if (source === 'resistance') return 'resistance drift';
  return '';
}

/** A jar's SoH with its source, e.g. "91.2 % (resistance drift)", or an em dash. */
export function sohText(row: Record<string, PanelCell>): string {
  const pct = num(row.soh_pct);
  if (pct === null) return '—';
  const source = sohSourceText(row.soh_source);
  return `${pct.toFixed(1)} %${source ? ` (${source})` : ''}`;
}

/**
 * The computed RUL in words: its days and range, or why there is none ("not enough history to extrapolate",
 * "end of life reached", no readings in the range).
 */
export function computedRulText(row: Record<string, PanelCell>): string {
  const days = num(row.rul_days);
  const low = num(row.rul_low_days);
  const high = num(row.rul_high_days);
  const horizon = num(row.horizon_days);
  switch (row.rul_status) {
    case 'ok':
      if (days === null) return '—';
      if (low === null) return daysText(days);
      return high === null
        ? `${daysText(days)} (at least ${daysText(low)}; the latest end lies beyond the ${daysText(horizon ?? 0)} horizon)`
        : `${daysText(days)} (${daysText(low).replace(/ days?$/, '')}–${daysText(high)})`;
    case 'reached':
      return 'end of life reached';
    case 'not_enough_history':
      return horizon !== null && horizon > 0
        ? `not enough history to extrapolate (at most ${daysText(horizon)} ahead, twice the history)`
        : 'not enough history to extrapolate';
    case 'no_data':
      return 'no daily readings in this range';
    default:
      return '—';
  }
}

/** Short form of the computed RUL for a table cell. */
export function computedRulShort(row: Record<string, PanelCell>): string {
  const days = num(row.rul_days);
  const low = num(row.rul_low_days);
  const high = num(row.rul_high_days);
  switch (row.rul_status) {
    case 'ok':
      if (days === null) return '—';
      return low === null
        ? daysText(days)
        : `${daysText(days)} (${low.toFixed(low < 10 ? 1 : 0)}–${high === null ? '?' : high.toFixed(high < 10 ? 1 : 0)})`;
    case 'reached':
      return 'end of life reached';
    case 'not_enough_history':
      return 'not enough history';
    case 'no_data':
      return 'no data';
    default:
      return '—';
  }
}

/** The rul_prediction table's figure: its days, or that there is none. */
export function tableRulText(row: Record<string, PanelCell>): string {
  const days = num(row.table_rul_days);
  if (num(row.table_predicted_at) === null) return 'no prediction';
  return days === null ? 'no figure' : daysText(days);
}

/** The end-of-life threshold the computed RUL runs to, e.g. "80 % SoH (+50 % resistance)". */
export function eolText(row: Record<string, PanelCell>): string {
  const drift = num(row.eol_drift_pct);
  if (drift === null) return '—';
  const soh = 100 - SOH_PER_DRIFT_PCT * drift;
  const pct = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  return row.rul_threshold === 'soh'
    ? `${pct(soh)} % SoH (+${pct(drift)} % resistance)`
    : `+${pct(drift)} % resistance (${pct(soh)} % SoH)`;
}
