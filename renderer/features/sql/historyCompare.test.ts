import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/api/query';
import { compareRuns, shortFingerprint } from './historyCompare';

function entry(id: number, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    sql: 'SELECT 1',
    target: 'workspace',
    startedAt: '2026-01-01T00:00:00.000Z',
    elapsedMs: 1,
    rowCount: 1204,
    error: null,
    params: {},
    coldDays: {},
    hotWatermark: {},
    resultHash: 'a'.repeat(64),
    ...over,
  };
}

describe('compareRuns', () => {
  it('says "same result" for equal fingerprints and row counts', () => {
    expect(compareRuns(entry(1), entry(2))).toEqual({ verdict: 'same', text: 'same result' });
  });

  it('says how the row counts differ, the older run first', () => {
    const older = entry(3, { rowCount: 1204 });
    const newer = entry(7, { rowCount: 1198, resultHash: 'b'.repeat(64) });
    expect(compareRuns(newer, older)).toEqual({ verdict: 'differs', text: 'differs: rows 1,204 vs 1,198' });
  });

  it('says the values differ when only the fingerprint does', () => {
    expect(compareRuns(entry(1), entry(2, { resultHash: 'c'.repeat(64) })).text).toBe(
      'differs: rows 1,204 vs 1,204 (same count, other values, types or order)',
    );
  });

  it('does not compare a failed run or one without a fingerprint', () => {
    expect(compareRuns(entry(1), entry(2, { error: 'boom', rowCount: null, resultHash: null }))).toEqual({
      verdict: 'unknown',
      text: 'cannot compare: run #2 failed',
    });
    expect(compareRuns(entry(4, { resultHash: null }), entry(2)).verdict).toBe('unknown');
  });

  it('shortens a fingerprint to 12 characters', () => {
    expect(shortFingerprint('0123456789abcdef')).toBe('0123456789ab');
  });
});
