import { describe, expect, it } from 'vitest';
import { calendarMonths } from './calendar';

describe('partition calendar', () => {
  it('lays out months with present, missing and outside days', () => {
    const months = calendarMonths({
      key: 'date',
      first: '2024-01-30',
      last: '2024-03-02',
      present: ['2024-01-30', '2024-01-31', '2024-02-02', '2024-03-02'],
      missing: ['2024-02-01'],
    });
    expect(months.map((m) => m.month)).toEqual(['2024-01', '2024-02', '2024-03']);
    const jan = months[0];
    expect(jan.days[28].state).toBe('outside');
    expect(jan.days[29].state).toBe('present');
    expect(jan.present).toBe(2);
    const feb = months[1];
    expect(feb.days[0].state).toBe('missing');
    expect(feb.days[1].state).toBe('present');
    // 2024 is a leap year: the 29th exists, the 30th does not.
    expect(feb.days[28].state).toBe('missing');
    expect(feb.days[29].state).toBe('none');
    expect(feb.missing).toBe(28);
    expect(months[2].days[1].state).toBe('present');
    expect(months[2].days[2].state).toBe('outside');
  });

  it('crosses a year and is empty without partitions', () => {
    expect(
      calendarMonths({ key: 'date', first: '2023-12-31', last: '2024-01-01', present: ['2023-12-31', '2024-01-01'], missing: [] }).map(
        (m) => m.month,
      ),
    ).toEqual(['2023-12', '2024-01']);
    expect(calendarMonths({ key: 'date', first: null, last: null, present: [], missing: [] })).toEqual([]);
  });
});
