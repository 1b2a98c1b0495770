import type { PanelCell, PanelData } from '../../../shared/api/dashboard';

/** Rows of a panel as objects by column name (cells stay numbers or text). */
export function records(data: PanelData): Record<string, PanelCell>[] {
  return data.rows.map((r) => {
    const o: Record<string, PanelCell> = {};
    data.columns.forEach((c, i) => {
      o[c] = r[i] ?? null;
    });
    return o;
  });
}

export function numOr(v: PanelCell | undefined, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function text(v: PanelCell | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** A number with fixed digits, or an em dash. */
export function fixed(v: PanelCell | undefined, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** What a jar's name shows on hover: its numeric id (the name itself comes from the core's one jar-name expression). */
export function jarIdText(id: PanelCell | undefined): string {
  return `Jar id ${text(id)}`;
}

/** A remaining useful life as the ranked charts label it: none left reads "overdue", never a bare 0. */
export function rulText(days: number): string {
  if (days <= 0) return 'overdue';
  return `${days < 10 && !Number.isInteger(days) ? days.toFixed(1) : Math.round(days).toString()} d`;
}
