import type { DuckDBValue } from '@duckdb/node-api';
import type { PanelCell } from '../../../shared/api/dashboard';

/** A DuckDB value as a panel cell: numbers stay numbers (ids and counts fit in doubles), anything else is text. */
export function toCell(v: DuckDBValue): PanelCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && 'toDouble' in v && typeof v.toDouble === 'function') return (v.toDouble as () => number)();
  return String(v);
}
