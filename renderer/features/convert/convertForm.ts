import {
  ColumnType,
  type ColumnOverride,
  type ConvertReport,
  type ConvertRequestInput,
  type CsvDialect,
  type CsvPreview,
  type ParquetCodec,
  type SniffedColumn,
  type StoredConversion,
} from '../../../shared/api/convert';

/** What the user edited for one sniffed column (by its source name). */
export interface ColumnEdit {
  name: string;
  type: string;
}

export type HeaderChoice = 'auto' | 'yes' | 'no';

/** The Convert view's choices, as plain data. */
export interface ConvertForm {
  inputs: string[];
  /** '' = sniff. */
  delimiter: string;
  header: HeaderChoice;
  edits: Readonly<Record<string, ColumnEdit>>;
  targetKind: 'lake' | 'folder';
  dataset: string;
  folder: string;
  /** Output column name to partition by day, or ''. */
  partitionByDay: string;
  codec: ParquetCodec;
  /** zstd level, or null for the default. */
  level: number | null;
  rowGroupSize: number;
  onBadRows: 'fail' | 'skip';
  /** Quality warnings on readings fail the file (nothing written) instead of being reported. */
  strict: boolean;
}

/**
 * Everything the Convert view keeps for the session (switching views keeps a half-filled form and a
 * running job): the form, whether the dataset name was typed, the job followed, the history entry shown.
 */
export interface ConvertSession extends ConvertForm {
  /** The user typed a dataset name: adding files no longer suggests one. */
  datasetTouched: boolean;
  jobId: string | null;
  /** The history entry whose report is shown, or null for the job's. */
  selectedHistory: StoredConversion | null;
}

export const DEFAULT_ROW_GROUP_SIZE = 122_880;
export const ROW_GROUP_SIZES = [10_240, 61_440, 122_880, 500_000, 1_000_000] as const;
export const ZSTD_LEVELS = [1, 3, 6, 9, 15, 19, 22] as const;

export const DATASET_NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export function isValidDatasetName(name: string): boolean {
  return DATASET_NAME_RE.test(name);
}

/** `/data/Cell Voltages-2024.csv.gz` → `cell_voltages_2024`: a valid lake dataset name from a file or folder name. */
export function suggestDatasetName(path: string): string {
  const base =
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const stem = base.replace(/(\.(csv|tsv|txt))?(\.gz)?$/i, '');
  let name = stem
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(name)) name = `d_${name}`.replace(/_+$/, '');
  return name.slice(0, 63);
}

/** The type a column will have: the user's choice, else the sniffed one. */
export function effectiveType(column: SniffedColumn, edits: Readonly<Record<string, ColumnEdit>>): string {
  const t = edits[column.name]?.type.trim();
  return t ? t : column.type;
}

/** The name a column will have in Parquet. */
export function effectiveName(column: SniffedColumn, edits: Readonly<Record<string, ColumnEdit>>): string {
  const n = edits[column.name]?.name.trim();
  return n ? n : column.name;
}

/** Is this a type a day partition can come from (DATE or any TIMESTAMP)? */
export function isTemporalType(type: string): boolean {
  return /^(DATE|TIMESTAMP)/i.test(type.trim());
}

/** Output names of the columns that can partition by day. */
export function temporalColumns(columns: readonly SniffedColumn[], edits: Readonly<Record<string, ColumnEdit>>): string[] {
  return columns.filter((c) => isTemporalType(effectiveType(c, edits))).map((c) => effectiveName(c, edits));
}

/** Is a typed column type one the core accepts? */
export function isValidColumnType(type: string): boolean {
  return ColumnType.safeParse(type).success;
}

/** Only the columns the user changed become overrides (so other files keep their own sniffed types). */
export function buildOverrides(columns: readonly SniffedColumn[], edits: Readonly<Record<string, ColumnEdit>>): ColumnOverride[] {
  const out: ColumnOverride[] = [];
  for (const c of columns) {
    const name = effectiveName(c, edits);
    const type = effectiveType(c, edits);
    const o: ColumnOverride = { source: c.name };
    if (name !== c.name) o.name = name;
    if (type.toUpperCase() !== c.type.toUpperCase()) o.type = type;
    if (o.name !== undefined || o.type !== undefined) out.push(o);
  }
  return out;
}

/** Problems that keep the form from starting, in words; empty when it can start. */
export function formProblems(form: ConvertForm, columns: readonly SniffedColumn[]): string[] {
  const problems: string[] = [];
  if (form.inputs.length === 0) problems.push('Add at least one CSV file or folder.');
  if (form.targetKind === 'lake' && !isValidDatasetName(form.dataset)) {
    problems.push('The dataset name must be lower-case letters, digits and _, starting with a letter.');
  }
  if (form.targetKind === 'folder' && form.folder.trim() === '') problems.push('Choose an output folder.');
  const names = new Set<string>();
  for (const c of columns) {
    const type = effectiveType(c, form.edits);
    if (!isValidColumnType(type)) problems.push(`Column "${c.name}": "${type}" is not a type the conversion knows.`);
    const name = effectiveName(c, form.edits);
    if (names.has(name)) problems.push(`Two columns would both be named "${name}".`);
    names.add(name);
  }
  if (form.partitionByDay !== '' && !temporalColumns(columns, form.edits).includes(form.partitionByDay)) {
    problems.push(`"${form.partitionByDay}" is not a DATE or TIMESTAMP column; choose another partition column.`);
  }
  return problems;
}

export function dialectOf(form: Pick<ConvertForm, 'delimiter' | 'header'>): CsvDialect {
  const d: CsvDialect = {};
  if (form.delimiter !== '') d.delimiter = form.delimiter;
  if (form.header !== 'auto') d.header = form.header === 'yes';
  return d;
}

/** The convert.start request for the form. */
export function buildRequest(form: ConvertForm, columns: readonly SniffedColumn[]): ConvertRequestInput {
  const req: ConvertRequestInput = {
    inputs: [...form.inputs],
    target: form.targetKind === 'lake' ? { kind: 'lake', dataset: form.dataset } : { kind: 'folder', path: form.folder.trim() },
    dialect: dialectOf(form),
    columns: buildOverrides(columns, form.edits),
    codec: form.codec,
    rowGroupSize: form.rowGroupSize,
    onBadRows: form.onBadRows,
    strict: form.strict,
  };
  if (form.codec === 'zstd' && form.level !== null) req.compressionLevel = form.level;
  if (form.partitionByDay !== '') req.partitionByDay = form.partitionByDay;
  return req;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', ' ': 'space' };

/** `\t` → `tab (\t)`; `,` → `comma (,)`. */
export function describeDelimiter(d: string): string {
  const shown = d.replace(/\t/g, '\\t');
  const name = DELIMITER_NAMES[d];
  return name ? `${name} (${shown})` : shown === '' ? '(none)' : shown;
}

/** Accepted by the picker and by drag and drop. */
export const CSV_EXTENSIONS = ['.csv', '.csv.gz', '.tsv', '.tsv.gz', '.txt', '.txt.gz'] as const;

export function isCsvName(name: string): boolean {
  const lower = name.toLowerCase();
  return CSV_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

export const INITIAL_SESSION: ConvertSession = {
  inputs: [],
  delimiter: '',
  header: 'auto',
  edits: {},
  targetKind: 'lake',
  dataset: '',
  datasetTouched: false,
  folder: '',
  partitionByDay: '',
  codec: 'zstd',
  level: null,
  rowGroupSize: DEFAULT_ROW_GROUP_SIZE,
  onBadRows: 'fail',
  strict: false,
  jobId: null,
  selectedHistory: null,
};

/** The form part of the session (what buildRequest and formProblems read). */
export function formOf(s: ConvertSession): ConvertForm {
  const { datasetTouched: _t, jobId: _j, selectedHistory: _h, ...form } = s;
  return form;
}

/** Files or folders added: new paths only, in order; the dataset name follows the first input until the user types one. */
export function withInputsAdded(s: ConvertSession, paths: readonly string[]): Partial<ConvertSession> {
  if (paths.length === 0) return {};
  const inputs = [...s.inputs, ...paths.filter((p) => !s.inputs.includes(p))];
  return s.datasetTouched ? { inputs } : { inputs, dataset: suggestDatasetName(inputs[0]) };
}

/** An input removed; the suggested dataset name follows (empty when no input is left). */
export function withInputRemoved(s: ConvertSession, path: string): Partial<ConvertSession> {
  const inputs = s.inputs.filter((p) => p !== path);
  if (s.datasetTouched) return { inputs };
  return { inputs, dataset: inputs.length > 0 ? suggestDatasetName(inputs[0]) : '' };
}

/** What a preview answer was asked for: a stale answer (other inputs or dialect) is never shown. */
export function previewKeyOf(form: Pick<ConvertForm, 'inputs' | 'delimiter' | 'header'>): string {
  return JSON.stringify([form.inputs, form.delimiter, form.header]);
}

/** The size of all inputs, once every file has been previewed; else null. */
export function totalInputBytes(previews: readonly CsvPreview[] | null, inputCount: number): number | null {
  return previews && previews.length === inputCount ? previews.reduce((a, p) => a + p.bytes, 0) : null;
}

/** A partition column chosen before its type changed is kept in the list, marked, so the choice is visible. */
export function stalePartition(form: Pick<ConvertForm, 'partitionByDay'>, choices: readonly string[]): string | null {
  return form.partitionByDay !== '' && !choices.includes(form.partitionByDay) ? form.partitionByDay : null;
}

export type PickerFor = { purpose: 'inputs'; mode: 'files' | 'folder' } | { purpose: 'folder'; mode: 'folder' };

/** The file picker's title for what it picks. */
export function pickerTitle(picker: PickerFor): string {
  if (picker.purpose === 'folder') return 'Choose the output folder';
  return picker.mode === 'folder' ? 'Add a folder of CSV files' : 'Add CSV files';
}

/** The target as a report names it (the folder as typed). */
export function reportTarget(form: Pick<ConvertForm, 'targetKind' | 'dataset' | 'folder'>): ConvertReport['target'] {
  return form.targetKind === 'lake' ? { kind: 'lake', dataset: form.dataset } : { kind: 'folder', path: form.folder };
}
