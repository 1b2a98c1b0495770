import { describe, expect, it } from 'vitest';
import { inspectRest, parseInspectRest } from './inspectRoute';

describe('inspector deep links', () => {
  it('round-trips datasets and paths', () => {
    for (const t of [
      { dataset: 'telemetry' },
      { dataset: 'path' },
      { path: '/tmp/a b/x#1%.parquet' },
      { path: 'C:\\data\\y.parquet' },
      { path: '/lake/telemetry' },
    ]) {
      const rest = inspectRest(t);
      expect(rest).not.toContain('#');
      expect(parseInspectRest(rest)).toEqual(t);
    }
    expect(inspectRest({ path: '/a/b' })).toBe('path/%2Fa%2Fb');
  });

  it('takes a bare encoded path and tells it from a dataset', () => {
    expect(parseInspectRest('%2Fdata%2Fx.parquet')).toEqual({ path: '/data/x.parquet' });
    expect(parseInspectRest('x.parquet')).toEqual({ path: 'x.parquet' });
    expect(parseInspectRest('telemetry')).toEqual({ dataset: 'telemetry' });
  });

  it('gives nothing for an empty or broken route', () => {
    expect(parseInspectRest('')).toBeNull();
    expect(parseInspectRest('path/')).toBeNull();
    expect(parseInspectRest('%E0%A4%A')).toBeNull();
  });
});
