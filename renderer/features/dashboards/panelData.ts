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
