import { describe, expect, it } from 'vitest';
import { parseSavedLink, savedLinkRest } from './savedLink';

describe('saved query deep links', () => {
  it('reads the name with its folders and the values', () => {
    expect(parseSavedLink('saved/fleet/daily%20voltage?site=FRA1&from=2025-03-01')).toEqual({
      name: 'fleet/daily voltage',
      values: { site: 'FRA1', from: '2025-03-01' },
    });
    expect(parseSavedLink('saved/top')).toEqual({ name: 'top', values: {} });
  });

  it('keeps a hostile value as the value it is', () => {
    const link = parseSavedLink(`saved/q?site=${encodeURIComponent("x'; DROP TABLE t; --")}`);
    expect(link?.values.site).toBe("x'; DROP TABLE t; --");
  });

  it('is null for another route, an empty name or broken encoding', () => {
    expect(parseSavedLink('')).toBeNull();
    expect(parseSavedLink('other/x')).toBeNull();
    expect(parseSavedLink('saved/')).toBeNull();
    expect(parseSavedLink('saved/%E0%A4%A')).toBeNull();
  });

  it('round-trips through savedLinkRest', () => {
    const rest = savedLinkRest('fleet/a b?#', { site: 'F R&A', empty: '' });
    expect(rest).toBe('saved/fleet/a%20b%3F%23?site=F+R%26A');
    expect(parseSavedLink(rest)).toEqual({ name: 'fleet/a b?#', values: { site: 'F R&A' } });
  });
});
