import { describe, expect, it } from 'vitest';
import type { BackgroundSyncStatus } from '../../../shared/api/data';
import { backgroundSyncText, formatEvery } from './backgroundSyncText';

const now = Date.parse('2026-01-01T12:00:00Z');
const base: BackgroundSyncStatus = {
  state: 'idle',
  intervalSeconds: 60,
  pausedBy: null,
  lastRunAt: '2026-01-01T11:55:00Z',
  lastChanges: 3,
  lastError: null,
  nextRunAt: null,
};

describe('background sync wording', () => {
  it('says how often, when it last ran, and what holds or failed it', () => {
    expect(backgroundSyncText(base, now)).toEqual({ text: 'background sync every 60 s · last ran 5 min ago', bad: false });
    expect(backgroundSyncText({ ...base, state: 'off', intervalSeconds: 0 }, now)?.text).toBe('background sync off');
    expect(backgroundSyncText({ ...base, state: 'off' }, now)?.text).toBe('no background sync in this run');
    expect(backgroundSyncText({ ...base, state: 'paused', pausedBy: 'archive' }, now)?.text).toBe(
      'background sync paused while archive runs',
    );
    expect(backgroundSyncText({ ...base, state: 'waiting', lastError: 'down' }, now)).toEqual({
      text: 'background sync waiting for PostgreSQL (retrying)',
      bad: true,
    });
    expect(backgroundSyncText({ ...base, state: 'failing', lastError: 'disk full' }, now)).toEqual({
      text: 'background sync failed: disk full (retrying)',
      bad: true,
    });
    expect(backgroundSyncText(undefined, now)).toBeNull();
  });

  it('words the interval in the largest whole unit', () => {
    expect([formatEvery(1), formatEvery(60), formatEvery(90), formatEvery(300), formatEvery(7200), formatEvery(5400)]).toEqual([
      'every 1 s',
      'every 60 s',
      'every 90 s',
      'every 5 min',
      'every 2 h',
      'every 90 min',
    ]);
  });
});
