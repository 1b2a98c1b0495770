/**
 * "synced 3 min ago" wording: how long ago an ISO time was, from `nowMs`. Clock skew (a time a little
 * in the future) reads as "just now"; an unreadable time as null.
 */
export function formatAgo(iso: string | null, nowMs: number): string | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}
