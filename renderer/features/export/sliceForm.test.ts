import { describe, expect, it } from 'vitest';
import type { SliceOptions } from '../../../shared/api/slice';
import { checkSliceSpec, SLICE_MANIFEST_KIND } from '../../../shared/domain/slice-spec';
import {
  addFraction,
  buildSpec,
  formFromSpec,
  fractionsSum,
  initialForm,
  isKeyColumn,
  issueFor,
  parseIdList,
  parsePastedSpec,
  removeFraction,
  runRequest,
  setFraction,
  shareOf,
  sliceFolder,
  splitLabel,
  toggleColumn,
  toggleSite,
  unitsWord,
  wholeRange,
} from './sliceForm';

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

  it('keeps the form times in UTC, and passes a bad one on as typed for the spec check to name', () => {
    const form = { ...initialForm(options), from: '2024-05-01T12:34', to: '2024-05-02 25:00' };
    const spec = buildSpec(form, options.datasets[0]);
    expect(spec.from).toBe('2024-05-01T12:34:00Z');
    expect(spec.to).toBe('2024-05-02 25:00');
    expect(formFromSpec({ ...spec, to: '2024-05-02T00:00:00.000Z' }, options, form).from).toBe('2024-05-01T12:34');
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
    expect(spec.format).toBeUndefined();
  });

  it('names feature sets only when some are typed, and a pasted spec keeps them', () => {
    const form = initialForm(options);
    expect(buildSpec(form, options.datasets[0]).features).toBeUndefined();
    const spec = buildSpec({ ...form, features: ' jar_daily_stats@v1, ,string_daily_spread@v2 ' }, options.datasets[0]);
    expect(spec.features).toEqual(['jar_daily_stats@v1', 'string_daily_spread@v2']);
    const back = formFromSpec(spec, options, form);
    expect(back.features).toBe('jar_daily_stats@v1, string_daily_spread@v2');
    expect(buildSpec(back, options.datasets[0])).toEqual(spec);
  });

  it('asks for BDF only when chosen, and a pasted BDF spec keeps it', () => {
    const form = initialForm(options);
    const spec = buildSpec({ ...form, format: 'bdf' }, options.datasets[0]);
    expect(spec.format).toBe('bdf');
    expect(checkSliceSpec(spec).ok).toBe(true);
    expect(formFromSpec(spec, options, form).format).toBe('bdf');
    const withLabels = checkSliceSpec(buildSpec({ ...form, format: 'bdf', labels: 'rul_prediction' }, options.datasets[0]));
    expect(!withLabels.ok && withLabels.issues.map((i) => i.field)).toEqual(['labels']);
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

  it('finds the first issue of a field and its sub-fields', () => {
    const issues = [
      { field: 'columns[2]', message: 'unknown column' },
      { field: 'split.fractions', message: 'must sum to 1' },
      { field: 'splitter', message: 'not this one' },
    ];
    expect(issueFor(issues, 'columns')).toBe('unknown column');
    expect(issueFor(issues, 'split')).toBe('must sum to 1');
    expect(issueFor(issues, 'from')).toBeNull();
  });

  it('widens "Use all" to whole hours and shows times to the minute', () => {
    expect(wholeRange({ min: '2024-05-01T00:12:00.000Z', max: '2024-05-10T23:55:00.000Z' })).toEqual({
      from: '2024-05-01T00:00',
      to: '2024-05-11T00:00',
    });
    // A max on the hour still includes its own readings: the end is exclusive.
    expect(wholeRange({ min: '2024-05-01T00:00:00.000Z', max: '2024-05-01T05:00:00.000Z' }).to).toBe('2024-05-01T06:00');
  });

  it('ticks sites and columns; columns keep the dataset order and the keys are fixed', () => {
    const ds = options.datasets[0];
    expect(toggleSite([3], 1, true)).toEqual([3, 1]);
    expect(toggleSite([3, 1], 3, false)).toEqual([1]);
    expect(toggleColumn(['battery_id', 'ts'], ds, 'voltage_v', true)).toEqual(['battery_id', 'ts', 'voltage_v']);
    expect(toggleColumn(['voltage_v'], ds, 'ts', true)).toEqual(['ts', 'voltage_v']);
    expect(toggleColumn(['ts', 'voltage_v'], ds, 'voltage_v', false)).toEqual(['ts']);
    expect(isKeyColumn(ds, 'ts')).toBe(true);
    expect(isKeyColumn(ds, 'battery_id')).toBe(true);
    expect(isKeyColumn(ds, 'voltage_v')).toBe(false);
  });

  it('names units and splits by the dataset', () => {
    const ds = options.datasets[0];
    const strings = { ...ds, entityColumn: 'string_id' };
    expect(unitsWord(ds)).toBe('jars');
    expect(unitsWord(strings)).toBe('strings');
    expect(unitsWord(undefined)).toBe('jars');
    expect(splitLabel('none', ds)).toBe('No split');
    expect(splitLabel('battery', ds)).toBe('By jar');
    expect(splitLabel('battery', strings)).toBe('By string');
    expect(splitLabel('time', strings)).toBe('By time');
  });

  it('edits the split fractions and checks their sum', () => {
    const form = initialForm(options);
    expect(fractionsSum(form)).toEqual({ sum: 1, ok: true });
    const added = { ...form, ...addFraction(form) };
    expect(added.fractions[2]).toEqual({ name: 'split3', value: '0' });
    const edited = { ...added, ...setFraction(added, 2, { value: '0.1' }) };
    expect(edited.fractions[2]).toEqual({ name: 'split3', value: '0.1' });
    expect(fractionsSum(edited)).toEqual({ sum: 1.1, ok: false });
    const named = { ...edited, ...setFraction(edited, 0, { name: 'fit' }) };
    expect(named.fractions[0]).toEqual({ name: 'fit', value: '0.8' });
    expect(removeFraction(named, 1).fractions.map((f) => f.name)).toEqual(['fit', 'split3']);
    expect(fractionsSum({ ...form, fractions: [{ name: 'a', value: 'x' }] })).toEqual({ sum: 0, ok: false });
    expect(
      fractionsSum({
        ...form,
        fractions: [
          { name: 'a', value: '0.7' },
          { name: 'b', value: '0.2' },
          { name: 'c', value: '0.1' },
        ],
      }).ok,
    ).toBe(true);
  });

  it('builds the run request and the folder from the picker', () => {
    const form = initialForm(options);
    const spec = buildSpec(form, options.datasets[0]);
    expect(runRequest(form, spec)).toEqual({ spec });
    expect(runRequest({ ...form, out: ' /data/out ' }, spec)).toEqual({ spec, path: '/data/out' });
    expect(sliceFolder('/data/', 'telemetry')).toBe('/data/telemetry-slice');
    expect(sliceFolder('C:\\data\\', 'telemetry')).toBe('C:\\data/telemetry-slice');
    expect(shareOf(80, 100)).toBe('80.0 %');
    expect(shareOf(0, 0)).toBe('');
  });

  it('reads a pasted spec or manifest, and says why not', () => {
    const spec = buildSpec(initialForm(options), options.datasets[0]);
    expect(parsePastedSpec(JSON.stringify(spec))).toEqual({ ok: true, spec });
    const manifest = parsePastedSpec(JSON.stringify({ kind: SLICE_MANIFEST_KIND, rows: 10, spec }));
    expect(manifest).toEqual({ ok: true, spec });
    const notJson = parsePastedSpec('{ nope');
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.issues).toMatch(/^Not JSON: /);
    const bad = parsePastedSpec(JSON.stringify({ ...spec, from: 'yesterday' }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues).toMatch(/^from: /);
  });
});
