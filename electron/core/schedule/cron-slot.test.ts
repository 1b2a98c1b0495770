import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../shared/api/errors';
import { dueSlot, isTimeZone, parseCron, type SlotSchedule } from './cron-slot';

const at = (iso: string): Date => new Date(iso);

/**
 * The scheduler's loop with a fixed clock: a tick every `stepMs` from `from` to `to`, each running what dueSlot says is
 * due and recording its slot as the last one. Returns the slots that ran, in order.
 */
function simulate(schedule: SlotSchedule, from: string, to: string, stepMs = 30_000, lastSlot: string | null = null): string[] {
  const ran: string[] = [];
  let last = lastSlot;
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) {
    const check = dueSlot(schedule, last, new Date(t));
    if (check.due && check.slot !== null) {
      ran.push(check.slot);
      last = check.slot;
    }
  }
  return ran;
}

function badInput(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('BAD_INPUT');
    return err as WorkbenchError;
  }
  throw new Error('expected BAD_INPUT');
}

describe('due slots (fixed clock)', () => {
  const utcDaily: SlotSchedule = { cron: '0 2 * * *', timeZone: 'UTC', enabled: true, since: '2026-01-01T00:00:00.000Z' };

  it('a UTC schedule is due from its slot on, once, and next counts from now', () => {
    expect(dueSlot(utcDaily, '2026-06-09T02:00:00.000Z', at('2026-06-10T01:59:59Z'))).toEqual({
      due: false,
      slot: null,
      missed: 0,
      next: '2026-06-10T02:00:00.000Z',
    });
    expect(dueSlot(utcDaily, '2026-06-09T02:00:00.000Z', at('2026-06-10T02:00:00Z'))).toMatchObject({
      due: true,
      slot: '2026-06-10T02:00:00.000Z',
      missed: 1,
      next: '2026-06-11T02:00:00.000Z',
    });
    // The slot has run: not due again the same day, however often the clock is asked.
    expect(dueSlot(utcDaily, '2026-06-10T02:00:00.000Z', at('2026-06-10T23:59:59Z')).due).toBe(false);
    expect(simulate(utcDaily, '2026-06-10T00:00:00Z', '2026-06-12T23:55:00Z', 300_000, '2026-06-09T02:00:00.000Z')).toEqual([
      '2026-06-10T02:00:00.000Z',
      '2026-06-11T02:00:00.000Z',
      '2026-06-12T02:00:00.000Z',
    ]);
  });

  it('slots missed during downtime make one run, for the latest, and say how many passed', () => {
    const check = dueSlot(utcDaily, '2026-06-06T02:00:00.000Z', at('2026-06-10T09:00:00Z'));
    expect(check).toEqual({ due: true, slot: '2026-06-10T02:00:00.000Z', missed: 4, next: '2026-06-11T02:00:00.000Z' });
    // Once it ran for the latest slot, the missed ones are not due.
    expect(dueSlot(utcDaily, check.slot, at('2026-06-10T09:00:30Z')).due).toBe(false);
  });

  it('never runs a slot before the schedule was set or enabled, nor a disabled one', () => {
    const fresh = { ...utcDaily, since: '2026-06-10T08:00:00.000Z' };
    expect(dueSlot(fresh, null, at('2026-06-10T09:00:00Z'))).toMatchObject({ due: false, next: '2026-06-11T02:00:00.000Z' });
    expect(dueSlot(fresh, null, at('2026-06-11T02:00:10Z'))).toMatchObject({ due: true, slot: '2026-06-11T02:00:00.000Z' });
    expect(dueSlot({ ...utcDaily, enabled: false }, null, at('2026-06-11T02:00:10Z'))).toEqual({
      due: false,
      slot: null,
      missed: 0,
      next: null,
    });
  });

  describe('Europe/Berlin across DST', () => {
    const berlin = (cron: string): SlotSchedule => ({ cron, timeZone: 'Europe/Berlin', enabled: true, since: '2026-01-01T00:00:00.000Z' });

    it('spring forward (29 March 2026): 02:30 does not exist, the daily job runs once, at 03:00 CEST', () => {
      expect(simulate(berlin('30 2 * * *'), '2026-03-27T22:00:00Z', '2026-03-30T21:55:00Z', 300_000, '2026-03-27T01:30:00.000Z')).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST: the skipped 02:30 runs when the clock jumps, once
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ]);
    });

    it('spring forward: an hourly job runs 23 times on the 23-hour day', () => {
      const ran = simulate(berlin('0 * * * *'), '2026-03-28T23:00:00Z', '2026-03-29T21:59:30Z', 60_000, '2026-03-28T22:00:00.000Z');
      expect(ran).toHaveLength(23);
      expect(ran.slice(0, 3)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    });

    it('fall back (25 October 2026): 02:30 happens twice, the daily job runs once', () => {
      expect(simulate(berlin('30 2 * * *'), '2026-10-23T22:00:00Z', '2026-10-26T22:55:00Z', 300_000, '2026-10-23T00:30:00.000Z')).toEqual([
        '2026-10-24T00:30:00.000Z', // 02:30 CEST
        '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST); the second (01:30Z, CET) does not run again
        '2026-10-26T01:30:00.000Z', // 02:30 CET
      ]);
    });

    it('fall back: an hourly job runs 25 times on the 25-hour day, both 02:00s included', () => {
      const ran = simulate(berlin('0 * * * *'), '2026-10-24T22:00:00Z', '2026-10-25T22:59:30Z', 60_000, '2026-10-24T21:00:00.000Z');
      expect(ran).toHaveLength(25);
      expect(ran).toContain('2026-10-25T00:00:00.000Z'); // 02:00 CEST
      expect(ran).toContain('2026-10-25T01:00:00.000Z'); // 02:00 CET
      expect(new Set(ran).size).toBe(25);
    });

    it('the same wall clock in UTC and in Berlin are different instants', () => {
      const now = at('2026-07-01T12:00:00Z');
      expect(dueSlot({ ...berlin('0 6 * * *') }, null, now).slot).toBe('2026-07-01T04:00:00.000Z');
      expect(dueSlot({ ...utcDaily, cron: '0 6 * * *' }, null, now).slot).toBe('2026-07-01T06:00:00.000Z');
    });
  });

  describe('bad input', () => {
    it('names a bad time zone', () => {
      expect(isTimeZone('UTC')).toBe(true);
      expect(isTimeZone('Europe/Berlin')).toBe(true);
      const err = badInput(() => parseCron('0 2 * * *', 'Mars/Olympus_Mons'));
      expect(err.message).toMatch(/"Mars\/Olympus_Mons" is not a time zone: use UTC or an IANA zone/);
      badInput(() => parseCron('0 2 * * *', ''));
      badInput(() => parseCron('0 2 * * *', ' UTC'));
    });

    it('names a bad cron expression', () => {
      expect(badInput(() => parseCron('every day', 'UTC')).message).toMatch(/not a cron expression: give 5 fields/);
      expect(badInput(() => parseCron('0 0 2 * * *', 'UTC')).message).toMatch(/give 5 fields/);
      expect(badInput(() => parseCron('61 2 * * *', 'UTC')).message).toMatch(/not a valid cron expression: .*minute/i);
      expect(badInput(() => parseCron('0 2 30 2 *', 'UTC')).message).toMatch(/never fires/);
      expect(badInput(() => parseCron('@sometimes', 'UTC')).message).toMatch(/not a cron expression/);
      expect(parseCron('@daily', 'UTC').nextRun(at('2026-06-10T12:00:00Z'))?.toISOString()).toBe('2026-06-11T00:00:00.000Z');
    });
  });
});
