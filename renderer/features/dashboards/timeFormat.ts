/** Times in the chosen zone (a site's IANA zone or UTC), with Intl: never the browser's own zone by accident. */
const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
    }
    cache.set(key, f);
  }
  return f;
}

/** A full timestamp, e.g. `12 Mar 2024, 14:05`. */
export function formatTime(ms: number, zone: string): string {
  return fmt(zone, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

const DAY_MS = 86_400_000;
const SUB_DAY_UNITS = new Set(['millisecond', 'second', 'minute', 'hour', 'quarter-day', 'half-day']);

/**
 * A time-axis label: as precise as its tick (ECharts' time unit of the tick, when given) and never the same text
 * for two ticks of one axis. Within a day "14:00"; over longer spans a sub-day tick carries its date ("02 Dec
 * 14:00": hours repeat every day), and the range's own ends (ticks ECharts adds off the grid) are labelled that way
 * too; day ticks "02 Dec" (with the year beyond ~10 months), month ticks "Dec 26" beyond 4 months.
 */
export function axisLabel(ms: number, zone: string, spanMs: number, unit?: string): string {
  const subDay = unit === undefined ? spanMs <= 2 * DAY_MS : SUB_DAY_UNITS.has(unit);
  const withYear = spanMs > 300 * DAY_MS;
  const date = fmt(zone, withYear ? { day: '2-digit', month: 'short', year: '2-digit' } : { day: '2-digit', month: 'short' });
  if (subDay) {
    const time = fmt(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
    return spanMs < DAY_MS ? time : `${date.format(ms)} ${time}`;
  }
  if ((unit === 'month' || unit === 'year') && spanMs > 120 * DAY_MS) return fmt(zone, { month: 'short', year: '2-digit' }).format(ms);
  return date.format(ms);
}

/** `2024-03-12T14:05` in the zone, for <input type="datetime-local">. */
export function toLocalInput(ms: number, zone: string): string {
  const parts = fmt(zone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The inverse of toLocalInput: wall-clock text in the zone → epoch ms (NaN when unreadable). */
export function fromLocalInput(text: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!m) return NaN;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Offset of the zone at that instant, applied twice to settle across a DST change.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const shown = toLocalInput(guess, zone);
    const n = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(shown);
    if (!n) return NaN;
    const shownUtc = Date.UTC(Number(n[1]), Number(n[2]) - 1, Number(n[3]), Number(n[4]), Number(n[5]));
    guess += asUtc - shownUtc;
  }
  return guess;
}

/** `3 min ago`, `2 h ago`, `5 d ago`. */
export function ago(ms: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
