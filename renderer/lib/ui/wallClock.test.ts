import { describe, expect, it } from 'vitest';
import { instantOfWallClock, instantText, parseWallClock, wallClockOf, wallClockText } from './wallClock';

describe('wall-clock date-times', () => {
  it('reads YYYY-MM-DD HH:MM, with a T, or a date alone (midnight)', () => {
    expect(parseWallClock('2026-12-05 18:15')).toBe('2026-12-05T18:15');
    expect(parseWallClock(' 2026-12-05T07:05 ')).toBe('2026-12-05T07:05');
    expect(parseWallClock('2026-12-05 7:05')).toBe('2026-12-05T07:05');
    expect(parseWallClock('2026-12-05')).toBe('2026-12-05T00:00');
    expect(parseWallClock('2024-02-29 23:59')).toBe('2024-02-29T23:59');
  });

  it('refuses what is not a real date and time, rather than rolling it over', () => {
    for (const bad of [
      '',
      '12/04/2026, 12:00 AM',
      '2026-13-01 00:00',
      '2026-02-30 00:00',
      '2025-02-29 10:00',
      '2026-12-05 24:00',
      '2026-12-05 10:60',
      '2026-12-05 10',
    ])
      expect(parseWallClock(bad), bad).toBeNull();
  });

  it('shows a form value with a space, and other text as it is', () => {
    expect(wallClockText('2026-12-05T18:15')).toBe('2026-12-05 18:15');
    expect(wallClockText('2026-12-05 18:1')).toBe('2026-12-05 18:1');
    expect(wallClockText('')).toBe('');
  });

  it('turns an instant into a form value in UTC, and a form value back into the instant', () => {
    expect(wallClockOf('2024-05-01T12:34:56.000Z')).toBe('2024-05-01T12:34');
    expect(wallClockOf(Date.UTC(2024, 4, 1, 23, 5, 59))).toBe('2024-05-01T23:05');
    expect(wallClockOf('not a time')).toBe('');
    expect(instantOfWallClock('2024-05-01T12:34')).toBe('2024-05-01T12:34:00Z');
    expect(instantOfWallClock('2024-05-01 12:34')).toBeNull();
    expect(instantOfWallClock('')).toBeNull();
  });

  it('shows an instant to the minute, UTC', () => {
    expect(instantText('2024-05-01T12:34:56.000Z')).toBe('2024-05-01 12:34');
  });
});
