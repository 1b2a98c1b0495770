import type { HistoryEntry } from '../../../shared/api/query';
import { formatCount } from '../../../shared/format';

/** Characters of a fingerprint shown in lists (the full one is in the tooltip and the CLI's --json). */
export const SHORT_FINGERPRINT = 12;

export function shortFingerprint(hash: string): string {
  return hash.slice(0, SHORT_FINGERPRINT);
}

export interface RunComparison {
  verdict: 'same' | 'differs' | 'unknown';
  text: string;
}

function rowsText(e: HistoryEntry): string {
  return e.rowCount === null ? 'none' : formatCount(e.rowCount);
}

/**
 * Two runs compared by result fingerprint and row count, the older one first: "same result", or
 * "differs: rows 1,204 vs 1,198". A failed run or one whose fingerprint is not stored (yet) cannot be compared.
 */
export function compareRuns(a: HistoryEntry, b: HistoryEntry): RunComparison {
  const [older, newer] = a.id <= b.id ? [a, b] : [b, a];
  const failed = [older, newer].find((e) => e.error !== null);
  if (failed) return { verdict: 'unknown', text: `cannot compare: run #${failed.id} failed` };
  const pending = [older, newer].find((e) => e.resultHash === null);
  if (pending) return { verdict: 'unknown', text: `cannot compare yet: run #${pending.id} has no fingerprint; try again in a moment` };
  if (older.resultHash === newer.resultHash && older.rowCount === newer.rowCount) return { verdict: 'same', text: 'same result' };
  const sameCount = older.rowCount === newer.rowCount ? ' (same count, other values, types or order)' : '';
  return { verdict: 'differs', text: `differs: rows ${rowsText(older)} vs ${rowsText(newer)}${sameCount}` };
}
