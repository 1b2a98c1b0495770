import { describe, expect, it } from 'vitest';
import {
  buildOverrides,
  buildRequest,
  describeDelimiter,
  formProblems,
  isCsvName,
  suggestDatasetName,
  temporalColumns,
  type ConvertForm,
} from './convertForm';

const columns = [
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'Voltage V', type: 'DOUBLE' },
  { name: 'id', type: 'BIGINT' },
];

const form = (over: Partial<ConvertForm> = {}): ConvertForm => ({
  inputs: ['/data/a.csv'],
  delimiter: '',
  header: 'auto',
  edits: {},
  targetKind: 'lake',
  dataset: 'cells',
  folder: '',
  partitionByDay: '',
  codec: 'zstd',
  level: null,
  rowGroupSize: 122_880,
  onBadRows: 'fail',
  ...over,
});

describe('convert form', () => {
  it('suggests valid dataset names from file names', () => {
    expect(suggestDatasetName('/data/Cell Voltages-2024.csv.gz')).toBe('cell_voltages_2024');
    expect(suggestDatasetName('C:\\drops\\2024_export.TSV')).toBe('d_2024_export');
    expect(suggestDatasetName('/data/folder/')).toBe('folder');
    expect(suggestDatasetName('/x/___.csv')).toBe('d');
    expect(suggestDatasetName(`/x/${'a'.repeat(100)}.csv`)).toHaveLength(63);
  });

  it('sends only the columns the user changed', () => {
    expect(buildOverrides(columns, {})).toEqual([]);
    expect(
      buildOverrides(columns, {
        'Voltage V': { name: 'voltage', type: 'DOUBLE' },
        id: { name: 'id', type: 'integer' },
        ts: { name: '', type: '' },
      }),
    ).toEqual([
      { source: 'Voltage V', name: 'voltage' },
      { source: 'id', type: 'integer' },
    ]);
  });

  it('builds the request: lake or folder, codec level only for zstd, partition column', () => {
    const lake = buildRequest(form({ level: 9, partitionByDay: 'ts', delimiter: ';', header: 'no' }), columns);
    expect(lake).toMatchObject({
      target: { kind: 'lake', dataset: 'cells' },
      compressionLevel: 9,
      partitionByDay: 'ts',
      dialect: { delimiter: ';', header: false },
    });
    const folder = buildRequest(form({ targetKind: 'folder', folder: ' /out ', codec: 'gzip', level: 9 }), columns);
    expect(folder.target).toEqual({ kind: 'folder', path: '/out' });
    expect(folder.compressionLevel).toBeUndefined();
    expect(folder.partitionByDay).toBeUndefined();
    expect(folder.dialect).toEqual({});
  });

  it('names what keeps the form from starting', () => {
    expect(formProblems(form(), columns)).toEqual([]);
    expect(formProblems(form({ inputs: [], dataset: 'Bad Name' }), columns)).toHaveLength(2);
    expect(formProblems(form({ edits: { id: { name: 'ts', type: 'NUMBERISH' } } }), columns).join(' ')).toMatch(/NUMBERISH.*named "ts"/);
    expect(formProblems(form({ partitionByDay: 'id' }), columns)[0]).toContain('not a DATE or TIMESTAMP');
    expect(formProblems(form({ edits: { id: { name: 'id', type: 'DECIMAL(18, 3)' } } }), columns)).toEqual([]);
  });

  it('lists columns that can partition by day under their output names', () => {
    expect(temporalColumns(columns, { ts: { name: 'time', type: '' }, id: { name: '', type: 'DATE' } })).toEqual(['time', 'id']);
  });

  it('knows CSV names and delimiters', () => {
    expect(isCsvName('A.CSV.GZ')).toBe(true);
    expect(isCsvName('a.tsv')).toBe(true);
    expect(isCsvName('a.parquet')).toBe(false);
    expect(describeDelimiter('\t')).toBe('tab (\\t)');
    expect(describeDelimiter('~')).toBe('~');
  });
});
