import { describe, expect, it } from 'vitest';
import { formatAgo } from './relativeTime';

describe('formatAgo', () => {
  const now = Date.parse('2025-03-10T12:00:00Z');
  it('says how long ago, in the largest sensible unit', () => {
    expect(formatAgo('2025-03-10T11:59:50Z', now)).toBe('just now');
    expect(formatAgo('2025-03-10T11:59:00Z', now)).toBe('1 min ago');
    expect(formatAgo('2025-03-10T11:57:00.000Z', now)).toBe('3 min ago');
    expect(formatAgo('2025-03-10T10:00:00Z', now)).toBe('2 h ago');
    expect(formatAgo('2025-03-07T12:00:00Z', now)).toBe('3 days ago');
  });
  it('treats clock skew as now and refuses what it cannot read', () => {
    expect(formatAgo('2025-03-10T12:00:30Z', now)).toBe('just now');
    expect(formatAgo(null, now)).toBeNull();
    expect(formatAgo('yesterday', now)).toBeNull();
  });
});
