import { describe, expect, it } from 'vitest';
import {
  buildOverrides,
  buildRequest,
  describeDelimiter,
  formOf,
  formProblems,
  INITIAL_SESSION,
  isCsvName,
  pickerTitle,
  previewKeyOf,
  reportTarget,
  stalePartition,
  suggestDatasetName,
  temporalColumns,
  totalInputBytes,
  withInputRemoved,
  withInputsAdded,
  type ConvertForm,
  type ConvertSession,
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
  strict: false,
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
    expect(folder.strict).toBe(false);
    expect(buildRequest(form({ strict: true }), columns).strict).toBe(true);
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

  it('adds and removes inputs; the dataset name follows the first input until it is typed', () => {
    const s0: ConvertSession = { ...INITIAL_SESSION };
    const s1 = { ...s0, ...withInputsAdded(s0, ['/d/Cells.csv', '/d/more.csv']) };
    expect(s1.inputs).toEqual(['/d/Cells.csv', '/d/more.csv']);
    expect(s1.dataset).toBe('cells');
    const s2 = { ...s1, ...withInputsAdded(s1, ['/d/more.csv', '/d/third.csv']) };
    expect(s2.inputs).toEqual(['/d/Cells.csv', '/d/more.csv', '/d/third.csv']);
    expect(withInputsAdded(s2, [])).toEqual({});
    const s3 = { ...s2, ...withInputRemoved(s2, '/d/Cells.csv') };
    expect(s3).toMatchObject({ inputs: ['/d/more.csv', '/d/third.csv'], dataset: 'more' });
    expect(withInputRemoved({ ...s3, inputs: ['/d/more.csv'] }, '/d/more.csv')).toEqual({ inputs: [], dataset: '' });
    // A typed name stays.
    const typed = { ...s3, dataset: 'mine', datasetTouched: true };
    expect(withInputsAdded(typed, ['/d/x.csv'])).toEqual({ inputs: ['/d/more.csv', '/d/third.csv', '/d/x.csv'] });
    expect(withInputRemoved(typed, '/d/more.csv')).toEqual({ inputs: ['/d/third.csv'] });
  });

  it('keeps the form apart from the rest of the session', () => {
    const s: ConvertSession = { ...INITIAL_SESSION, ...form(), datasetTouched: true, jobId: 'j1', selectedHistory: null };
    expect(formOf(s)).toEqual(form());
    expect(reportTarget(form())).toEqual({ kind: 'lake', dataset: 'cells' });
    expect(reportTarget(form({ targetKind: 'folder', folder: ' /out ' }))).toEqual({ kind: 'folder', path: ' /out ' });
  });

  it('tags previews by what they previewed and sums the input sizes once all are known', () => {
    expect(previewKeyOf(form())).toBe(previewKeyOf({ inputs: ['/data/a.csv'], delimiter: '', header: 'auto' }));
    expect(previewKeyOf(form({ delimiter: ';' }))).not.toBe(previewKeyOf(form()));
    const p = (bytes: number) => ({ input: 'x', bytes, columns, rows: [], dialect: {} }) as never;
    expect(totalInputBytes([p(10), p(5)], 2)).toBe(15);
    expect(totalInputBytes([p(10)], 2)).toBeNull();
    expect(totalInputBytes(null, 0)).toBeNull();
  });

  it('keeps a partition column that is no longer a time column visible', () => {
    expect(stalePartition(form({ partitionByDay: 'id' }), ['ts'])).toBe('id');
    expect(stalePartition(form({ partitionByDay: 'ts' }), ['ts'])).toBeNull();
    expect(stalePartition(form(), ['ts'])).toBeNull();
  });

  it('titles the file picker by what it picks', () => {
    expect(pickerTitle({ purpose: 'folder', mode: 'folder' })).toBe('Choose the output folder');
    expect(pickerTitle({ purpose: 'inputs', mode: 'folder' })).toBe('Add a folder of CSV files');
    expect(pickerTitle({ purpose: 'inputs', mode: 'files' })).toBe('Add CSV files');
  });
});
