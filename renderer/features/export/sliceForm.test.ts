import { describe, expect, it } from 'vitest';
import type { SliceOptions } from '../../../shared/api/slice';
import { checkSliceSpec } from '../../../shared/domain/slice-spec';
import { buildSpec, formFromSpec, fromUtcInput, initialForm, parseIdList, toUtcInput } from './sliceForm';

const options: SliceOptions = {
  datasets: [
    {
      name: 'telemetry',
      entityColumn: 'battery_id',
      timeColumn: 'ts',
      columns: [
        { name: 'battery_id', type: 'INTEGER', numeric: true },
        { name: 'ts', type: 'TIMESTAMPTZ', numeric: false },
        { name: 'voltage_v', type: 'DECIMAL(6,3)', numeric: true },
      ],
      filterKeys: ['location_id', 'battery_id'],
      labelSources: ['rul_prediction'],
      extent: { min: '2024-05-01T00:00:00.000Z', max: '2024-05-10T23:55:00.000Z' },
    },
  ],
  locations: [{ id: 1, code: 'S1', name: 'Site 1' }],
  resamples: ['1h'],
  exportsDir: '/ws/exports',
};

describe('slice form', () => {
  it('parses id lists and ranges, refusing anything else', () => {
    expect(parseIdList('3, 1-2 7;7')).toEqual([1, 2, 3, 7]);
    expect(parseIdList('')).toEqual([]);
    expect(parseIdList('1-x')).toBeNull();
    expect(parseIdList('5-1')).toBeNull();
  });

  it('keeps datetime inputs in UTC', () => {
    expect(toUtcInput('2024-05-01T12:34:56.000Z')).toBe('2024-05-01T12:34');
    expect(fromUtcInput('2024-05-01T12:34')).toBe('2024-05-01T12:34:00Z');
  });

  it('starts on the last two days of data and builds a valid spec', () => {
    const form = initialForm(options);
    expect(form.from).toBe('2024-05-09T00:00');
    expect(form.to).toBe('2024-05-11T00:00');
    const spec = buildSpec(
      { ...form, sites: [1], units: '1-3', resample: '1h', labels: 'rul_prediction', splitBy: 'battery' },
      options.datasets[0],
    );
    const checked = checkSliceSpec(spec);
    expect(checked.ok).toBe(true);
    expect(spec.filter).toEqual({ location_id: [1], battery_id: [1, 2, 3] });
    expect(spec.split).toEqual({ by: 'battery', fractions: { train: 0.8, test: 0.2 }, seed: 7 });
    // And back: a pasted spec fills the same form.
    const back = formFromSpec(spec, options, form);
    expect(buildSpec(back, options.datasets[0])).toEqual(spec);
  });

  it('passes bad input through so the check names the field', () => {
    const form = initialForm(options);
    const checked = checkSliceSpec(
      buildSpec(
        {
          ...form,
          splitBy: 'time',
          fractions: [
            { name: 'train', value: '0.9' },
            { name: 'test', value: '0.2' },
          ],
        },
        options.datasets[0],
      ),
    );
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues[0].field).toBe('split.fractions');
  });
});
