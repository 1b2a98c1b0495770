import { errorMessage } from '../../../shared/api/errors';
import type { SliceDatasetOption, SliceOptions } from '../../../shared/api/slice';
import { checkSliceSpec, describeSpecIssues, specFromJson, type SliceSpecInput, type SpecIssue } from '../../../shared/domain/slice-spec';
import { instantOfWallClock, wallClockOf } from '../../lib/ui/wallClock';

/** The export view's form: what the pickers hold. Times are UTC, as `YYYY-MM-DDTHH:MM` (see wallClock.ts). */
export interface SliceForm {
  dataset: string;
  from: string;
  to: string;
  columns: string[];
  /** Site ids (location_id); empty = all sites. */
  sites: number[];
  /** Units by id, e.g. `1-24, 30`; empty = all. */
  units: string;
  resample: string;
  /** Label source, or '' for none. */
  labels: string;
  asOf: boolean;
  splitBy: 'none' | 'battery' | 'time';
  fractions: { name: string; value: string }[];
  seed: string;
  /** Output folder; '' = the workspace's exports folder. */
  out: string;
  /** Parquet per split, or the Battery Data Format (one .bdf.parquet per jar, telemetry only). */
  format: 'parquet' | 'bdf';
  /** Feature sets joined point in time, as `<set>@v<N>` separated by commas; '' = none. */
  features: string;
}

/** `1-3, 7` → [1, 2, 3, 7]; null when the text is not a list of ids and ranges (or a range is over 100,000 long). */
export function parseIdList(text: string): number[] | null {
  const out = new Set<number>();
  for (const raw of text.split(/[\s,;]+/)) {
    if (raw === '') continue;
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(raw);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 100_000) return null;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** A form time → the spec's ISO instant; the text as is when it is not one (the spec check names it). */
const specTime = (text: string): string => instantOfWallClock(text) ?? text;

const HOUR = 3_600_000;

/** A fresh form for a dataset: its columns, the last two days of its data (whole hours), no filter, no split. */
export function initialForm(options: SliceOptions, datasetName?: string, previous?: SliceForm): SliceForm {
  const ds = options.datasets.find((d) => d.name === datasetName) ?? options.datasets[0];
  const max = ds?.extent ? Date.parse(ds.extent.max) : Date.now();
  const to = Math.ceil((max + 1) / HOUR) * HOUR;
  const min = ds?.extent ? Date.parse(ds.extent.min) : to - 2 * 24 * HOUR;
  const from = Math.max(Math.floor(min / HOUR) * HOUR, to - 2 * 24 * HOUR);
  return {
    dataset: ds?.name ?? 'telemetry',
    from: wallClockOf(from),
    to: wallClockOf(to),
    columns: ds ? ds.columns.map((c) => c.name) : [],
    sites: previous?.sites ?? [],
    units: '',
    resample: '',
    labels: '',
    asOf: true,
    splitBy: previous?.splitBy ?? 'none',
    fractions: previous?.fractions ?? [
      { name: 'train', value: '0.8' },
      { name: 'test', value: '0.2' },
    ],
    seed: previous?.seed ?? '7',
    out: previous?.out ?? '',
    format: 'parquet',
    features: '',
  };
}

function num(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : Number(t);
}

/** The spec the form describes. Bad input is passed through as is, so the core's check names the field. */
export function buildSpec(form: SliceForm, dataset: SliceDatasetOption | undefined): SliceSpecInput {
  const spec: Record<string, unknown> = {
    dataset: form.dataset,
    from: specTime(form.from),
    to: specTime(form.to),
    columns: form.columns,
  };
  const filter: Record<string, (number | string)[]> = {};
  if (form.sites.length > 0) filter.location_id = [...form.sites].sort((a, b) => a - b);
  if (form.units.trim() !== '' && dataset) {
    const ids = parseIdList(form.units);
    filter[dataset.entityColumn] = ids ?? [form.units.trim()];
  }
  if (Object.keys(filter).length > 0) spec.filter = filter;
  if (form.resample !== '') spec.resample = form.resample;
  if (form.format === 'bdf') spec.format = 'bdf';
  if (form.labels !== '') spec.labels = { from: form.labels, asOf: form.asOf };
  const features = form.features
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (features.length > 0) spec.features = features;
  if (form.splitBy !== 'none') {
    const fractions: Record<string, number> = {};
    for (const f of form.fractions) fractions[f.name.trim()] = num(f.value);
    spec.split = { by: form.splitBy, fractions, seed: form.splitBy === 'battery' ? num(form.seed) : 0 };
  }
  return spec as unknown as SliceSpecInput;
}

/** A form from a spec (e.g. pasted from a manifest); fields the form cannot show are left at their defaults. */
export function formFromSpec(spec: SliceSpecInput, options: SliceOptions, base: SliceForm): SliceForm {
  const ds = options.datasets.find((d) => d.name === spec.dataset);
  const filter = spec.filter ?? {};
  const units = ds ? filter[ds.entityColumn] : undefined;
  const split = spec.split;
  return {
    ...base,
    dataset: spec.dataset,
    from: wallClockOf(spec.from),
    to: wallClockOf(spec.to),
    columns: spec.columns ?? (ds ? ds.columns.map((c) => c.name) : []),
    sites: (filter.location_id ?? []).map(Number).filter((n) => Number.isInteger(n)),
    units: units ? units.join(', ') : '',
    resample: spec.resample ?? '',
    labels: spec.labels?.from ?? '',
    asOf: spec.labels?.asOf ?? true,
    splitBy: split?.by ?? 'none',
    fractions: split ? Object.entries(split.fractions).map(([name, value]) => ({ name, value: String(value) })) : base.fractions,
    seed: split?.seed !== undefined ? String(split.seed) : base.seed,
    format: spec.format ?? 'parquet',
    features: (spec.features ?? []).join(', '),
  };
}

/** What every fieldset of the form gets: the form, a patch function, the chosen dataset and the options. */
export interface SliceFieldsProps {
  form: SliceForm;
  update: (patch: Partial<SliceForm>) => void;
  dataset: SliceDatasetOption | undefined;
  options: SliceOptions;
  issues: readonly SpecIssue[];
}

/** The first issue of a spec field (`split` also matches `split.fractions`, `columns` also `columns[2]`), or null. */
export function issueFor(issues: readonly SpecIssue[], prefix: string): string | null {
  return issues.find((i) => i.field === prefix || i.field.startsWith(`${prefix}[`) || i.field.startsWith(`${prefix}.`))?.message ?? null;
}

/** The dataset's whole extent, widened to whole hours: the "Use all" time range. */
export function wholeRange(extent: { min: string; max: string }): Pick<SliceForm, 'from' | 'to'> {
  return {
    from: wallClockOf(Math.floor(Date.parse(extent.min) / HOUR) * HOUR),
    to: wallClockOf(Math.ceil((Date.parse(extent.max) + 1) / HOUR) * HOUR),
  };
}

/** The sites after one is ticked or unticked. */
export function toggleSite(sites: readonly number[], id: number, on: boolean): number[] {
  return on ? [...sites, id] : sites.filter((s) => s !== id);
}

/** The columns after one is ticked or unticked; ticked columns keep the dataset's order. */
export function toggleColumn(columns: readonly string[], dataset: SliceDatasetOption, name: string, on: boolean): string[] {
  return on ? dataset.columns.map((x) => x.name).filter((n) => n === name || columns.includes(n)) : columns.filter((n) => n !== name);
}

/** Is the column always exported (the unit or the time key)? */
export function isKeyColumn(dataset: SliceDatasetOption, name: string): boolean {
  return name === dataset.entityColumn || name === dataset.timeColumn;
}

/** What the units of a dataset are called: strings for string-level data, else jars. */
export function unitsWord(dataset: SliceDatasetOption | undefined): 'strings' | 'jars' {
  return dataset?.entityColumn === 'string_id' ? 'strings' : 'jars';
}

export const SPLIT_KINDS = ['none', 'battery', 'time'] as const;

/** The label of a split choice. */
export function splitLabel(kind: SliceForm['splitBy'], dataset: SliceDatasetOption | undefined): string {
  if (kind === 'none') return 'No split';
  if (kind === 'time') return 'By time';
  return unitsWord(dataset) === 'strings' ? 'By string' : 'By jar';
}

/** One split's name or fraction changed. */
export function setFraction(form: SliceForm, index: number, patch: Partial<SliceForm['fractions'][number]>): Pick<SliceForm, 'fractions'> {
  return { fractions: form.fractions.map((x, j) => (j === index ? { ...x, ...patch } : x)) };
}

/** A new split named `splitN`, at 0. */
export function addFraction(form: SliceForm): Pick<SliceForm, 'fractions'> {
  return { fractions: [...form.fractions, { name: `split${form.fractions.length + 1}`, value: '0' }] };
}

export function removeFraction(form: SliceForm, index: number): Pick<SliceForm, 'fractions'> {
  return { fractions: form.fractions.filter((_x, j) => j !== index) };
}

/** The fractions' sum (blank or bad numbers count 0), and whether it is 1. */
export function fractionsSum(form: SliceForm): { sum: number; ok: boolean } {
  const sum = form.fractions.reduce((a, f) => a + (Number(f.value) || 0), 0);
  return { sum: Number(sum.toFixed(6)), ok: Math.abs(sum - 1) < 1e-9 };
}

/** A folder chosen in the picker → the slice's folder inside it. */
export function sliceFolder(chosen: string, dataset: string): string {
  return `${chosen.replace(/[\\/]$/, '')}/${dataset}-slice`;
}

/** The slice.run request: the spec, and the output folder when one is typed. */
export function runRequest(form: SliceForm, spec: SliceSpecInput): { spec: SliceSpecInput; path?: string } {
  return form.out.trim() === '' ? { spec } : { spec, path: form.out.trim() };
}

/** A split's share of the rows, e.g. `80.0 %`; '' when there are no rows. */
export function shareOf(rows: number, total: number): string {
  return total > 0 ? `${((100 * rows) / total).toFixed(1)} %` : '';
}

/** Pasted text (a spec or a whole manifest) → a spec for the form, or the reasons it is not one. */
export function parsePastedSpec(text: string): { ok: true; spec: SliceSpecInput } | { ok: false; issues: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, issues: `Not JSON: ${errorMessage(err)}` };
  }
  const checked = checkSliceSpec(parsed);
  if (!checked.ok) return { ok: false, issues: describeSpecIssues(checked.issues) };
  return { ok: true, spec: specFromJson(parsed) as SliceSpecInput };
}
