import { describe, expect, it } from 'vitest';
import { DATASETS, DATASET_NAMES, DERIVED_DATASETS } from './datasets';
import {
  DATA_DICTIONARY,
  DERIVED_DICTIONARY,
  columnMeaning,
  datasetColumnPairs,
  derivedColumnPairs,
  describeColumn,
  dictionaryMetadata,
  outputColumnMeaning,
} from './dictionary';

describe('data dictionary', () => {
  it('has an entry for every column of every dataset', () => {
    const missing = datasetColumnPairs().filter(([d, c]) => columnMeaning(d, c) === undefined);
    expect(missing).toEqual([]);
    expect(datasetColumnPairs().length).toBeGreaterThan(60);
  });

  it('documents every derived column, and only those', () => {
    expect(derivedColumnPairs().filter(([d, c]) => columnMeaning(d, c) === undefined)).toEqual([]);
    for (const [d, cols] of Object.entries(DERIVED_DICTIONARY))
      expect(Object.keys(cols).sort()).toEqual(DERIVED_DATASETS[d as keyof typeof DERIVED_DATASETS].columns.map((c) => c.name).sort());
    expect(columnMeaning('calc_telemetry', 'soc_pct')?.description).toMatch(/1\.98 V\/cell.*2\.125 V\/cell/);
  });

  it('names no column that does not exist, and no dataset that does not exist', () => {
    expect(Object.keys(DATA_DICTIONARY).sort()).toEqual([...DATASET_NAMES].sort());
    const extra: string[] = [];
    for (const d of DATASET_NAMES) {
      const cols = new Set(DATASETS[d].columns.map((c) => c.name));
      for (const c of Object.keys(DATA_DICTIONARY[d])) if (!cols.has(c)) extra.push(`${d}.${c}`);
    }
    expect(extra).toEqual([]);
  });

  it('gives every entry a quantity and a description, and every reading a unit', () => {
    for (const [d, c] of datasetColumnPairs()) {
      const m = columnMeaning(d, c);
      expect(m?.quantity, `${d}.${c}`).toMatch(/\S/);
      expect(m?.description, `${d}.${c}`).toMatch(/\S/);
      if (['voltage', 'current', 'temperature', 'resistance', 'impedance'].includes(m?.quantity ?? '')) {
        expect(m?.unit, `${d}.${c}`).toMatch(/\S/);
      }
    }
  });

  it('states the current sign convention and the units of telemetry', () => {
    expect(columnMeaning('string_telemetry', 'current_a')).toMatchObject({ unit: 'A', sign: 'positive = charge, negative = discharge' });
    expect(columnMeaning('telemetry', 'voltage_v')?.unit).toBe('V');
    expect(columnMeaning('telemetry', 'temperature_c')?.unit).toBe('degC');
    expect(columnMeaning('telemetry', 'resistance_mohm')?.unit).toBe('mOhm');
    expect(columnMeaning('telemetry', 'nope')).toBeUndefined();
    expect(columnMeaning('nope', 'ts')).toBeUndefined();
    expect(describeColumn(columnMeaning('string_telemetry', 'current_a')!)).toBe(
      'current, A: String current; every jar of the string carries it. Sign: positive = charge, negative = discharge.',
    );
  });

  it('describes the columns a slice derives: resample aggregates, samples and labels', () => {
    expect(outputColumnMeaning('telemetry', 'voltage_v_mean')?.unit).toBe('V');
    expect(outputColumnMeaning('telemetry', 'samples')?.quantity).toBe('count');
    expect(outputColumnMeaning('telemetry', 'label_rul_days', 'rul_prediction')?.unit).toBe('days');
    expect(outputColumnMeaning('telemetry', 'label_rul_days')).toBeUndefined();
    const kv = dictionaryMetadata('telemetry', ['battery_id', 'voltage_v', 'unknown']);
    expect(Object.keys(kv).sort()).toEqual([
      'battery_workbench.column.battery_id',
      'battery_workbench.column.voltage_v',
      'battery_workbench.dataset',
    ]);
    expect(JSON.parse(kv['battery_workbench.column.voltage_v'])).toMatchObject({ quantity: 'voltage', unit: 'V' });
  });
});
