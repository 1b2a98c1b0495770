import type { PartitionCalendar } from '../../../shared/api/storage';

export type DayState = 'present' | 'missing' | 'outside' | 'none';

export interface CalendarMonth {
  /** `YYYY-MM`. */
  month: string;
  present: number;
  missing: number;
  /** 31 cells: index 0 is day 1; `none` for days the month does not have. */
  days: { day: string; state: DayState }[];
}

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

/** One row per month from the first to the last partition day: each day present, missing (a gap) or outside the range. */
export function calendarMonths(cal: PartitionCalendar): CalendarMonth[] {
  if (!cal.first || !cal.last) return [];
  const present = new Set(cal.present);
  const missing = new Set(cal.missing);
  const [fy, fm] = cal.first.split('-').map(Number);
  const [ly, lm] = cal.last.split('-').map(Number);
  const out: CalendarMonth[] = [];
  for (let y = fy, m = fm; y < ly || (y === ly && m <= lm); m === 12 ? ((y += 1), (m = 1)) : (m += 1)) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    const n = daysInMonth(y, m);
    const row: CalendarMonth = { month, present: 0, missing: 0, days: [] };
    for (let d = 1; d <= 31; d++) {
      const day = `${month}-${String(d).padStart(2, '0')}`;
      let state: DayState;
      if (d > n) state = 'none';
      else if (present.has(day)) state = 'present';
      else if (missing.has(day) || (day > cal.first && day < cal.last)) state = 'missing';
      else state = 'outside';
      if (state === 'present') row.present++;
      if (state === 'missing') row.missing++;
      row.days.push({ day, state });
    }
    out.push(row);
    if (out.length > 1200) break; // a hundred years is enough for any screen
  }
  return out;
}
