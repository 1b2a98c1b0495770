/**
 * Wall-clock date-times as the app writes them, `YYYY-MM-DD HH:MM` (in UTC or a named zone, which the field's label
 * says), whatever the machine's locale. The forms keep them as `YYYY-MM-DDTHH:MM`, the value of a native
 * `datetime-local` input.
 */

const WALL_CLOCK = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2}))?\s*$/;

/**
 * Typed text → `YYYY-MM-DDTHH:MM`, or null when it is not a real date and time: `2026-12-05 18:15`, the same with a
 * `T`, or a date alone (midnight).
 */
export function parseWallClock(text: string): string | null {
  const m = WALL_CLOCK.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)];
  if (h > 23 || mi > 59) return null;
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi));
  // A day or month past its end (2026-02-30) rolls over: not a date.
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) return null;
  return wallClockOf(at.getTime());
}

const FORM_VALUE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** An instant (ISO text or epoch ms) → its form value, `YYYY-MM-DDTHH:MM` in UTC; '' when it is not one. */
export function wallClockOf(instant: string | number): string {
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
}

/** A form value `YYYY-MM-DDTHH:MM` (UTC) → the instant as ISO text with `Z`; null when the text is not one. */
export function instantOfWallClock(value: string): string | null {
  return FORM_VALUE.test(value) ? `${value}:00Z` : null;
}

/** An ISO instant → `YYYY-MM-DD HH:MM` (its minute, UTC), as lists and hints show it. */
export function instantText(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** `YYYY-MM-DDTHH:MM` → the text shown, `YYYY-MM-DD HH:MM`; any other text as it is. */
export function wallClockText(value: string): string {
  return FORM_VALUE.test(value) ? value.replace('T', ' ') : value;
}
