import { describe, expect, it } from 'vitest';
import { SLICE_MANIFEST_KIND, bucketStart, checkSliceSpec, resampleMinutes, sliceFeatureColumns } from './slice-spec';

const base = { dataset: 'telemetry', from: '2024-05-01', to: '2024-05-02T00:00:00+02:00' };

describe('slice spec', () => {
  it('normalizes times to UTC instants and keeps the key columns first', () => {
    const r = checkSliceSpec({ ...base, columns: ['voltage_v', 'battery_id'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.from).toBe('2024-05-01T00:00:00.000Z');
    expect(r.spec.to).toBe('2024-05-01T22:00:00.000Z');
    expect(sliceFeatureColumns(r.spec)).toEqual(['battery_id', 'ts', 'voltage_v']);
  });

  it('names every bad field', () => {
    const r = checkSliceSpec({
      dataset: 'telemetry',
      from: '2024-05-02',
      to: '2024-05-01',
      columns: ['battery_id', 'volts'],
      resample: '90s',
      filter: { colour: ['red'] },
      labels: { from: 'string_telemetry' },
      split: { by: 'battery', fractions: { train: 0.8, test: 0.3 } },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field)).toEqual(['to', 'resample', 'columns[1]', 'filter.colour', 'labels.from', 'split.fractions']);
    expect(r.issues[5].message).toBe('must add up to 1, not 1.1');
    const naive = checkSliceSpec({ ...base, from: '2024-05-01T10:00:00' });
    expect(naive.ok ? null : naive.issues[0].field).toBe('from');
  });

  it('refuses text columns under resample and split names that are not folder names', () => {
    const r = checkSliceSpec({
      dataset: 'rul_prediction',
      from: '2024-05-01',
      to: '2024-05-02',
      columns: ['model_version'],
      resample: '1d',
      split: { by: 'time', fractions: { '../x': 1 } },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.field)).toEqual(['split.fractions.../x']);
    const t = checkSliceSpec({
      dataset: 'rul_prediction',
      from: '2024-05-01',
      to: '2024-05-02',
      columns: ['model_version'],
      resample: '1d',
    });
    expect(t.ok ? [] : t.issues.map((i) => i.field)).toEqual(['columns[0]']);
  });

  it('accepts a manifest in place of a spec', () => {
    const r = checkSliceSpec({ kind: SLICE_MANIFEST_KIND, version: 1, spec: base, files: [] });
    expect(r.ok).toBe(true);
  });

  it('buckets like DuckDB time_bucket (origin 2000-01-03)', () => {
    expect(resampleMinutes('1h')).toBe(60);
    expect(resampleMinutes('0m')).toBeNull();
    expect(new Date(bucketStart(Date.parse('2024-05-01T12:34:00Z'), 60)).toISOString()).toBe('2024-05-01T12:00:00.000Z');
    // 7-day buckets start on Mondays, as DuckDB's do.
    expect(new Date(bucketStart(Date.parse('2024-05-01T12:34:00Z'), 7 * 1440)).toISOString()).toBe('2024-04-29T00:00:00.000Z');
  });
});
