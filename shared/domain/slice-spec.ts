import { z } from 'zod';
import { DATASETS, type ColumnSpec, type DatasetName, type DatasetSpec } from './datasets';
import { parseFeatureRef } from './features';

/**
 * The training-slice spec: what a data scientist asks for (dataset, time range, columns, filter,
 * resample, point-in-time labels, splits). Pure: the zod schema validates it where it enters the
 * core, and every error names the field it is about (`columns[2]`, `split.fractions`, ...).
 */

/** Datasets that can be sliced: those with a time column (time series and events). */
export const SLICE_DATASETS = ['telemetry', 'string_telemetry', 'rul_prediction', 'alert'] as const satisfies readonly DatasetName[];
export type SliceDatasetName = (typeof SLICE_DATASETS)[number];

/** How a sliceable dataset is keyed: the unit (a jar or a string) and its time column. */
export interface SliceShape {
  dataset: SliceDatasetName;
  /** The unit a row belongs to; split by battery keeps each unit in one split. */
  entityColumn: 'battery_id' | 'string_id';
  timeColumn: string;
  /** Extra columns after (entity, time) that make the row order total (alert_id for alerts). */
  tieBreak: readonly string[];
  /** Keys `filter` accepts that come from the fleet's master data (by the entity), not from the dataset itself. */
  derivedFilters: readonly DerivedFilter[];
}

export type DerivedFilter = 'string_id' | 'system_id' | 'location_id' | 'model_id';

const BATTERY_DERIVED: readonly DerivedFilter[] = ['string_id', 'system_id', 'location_id', 'model_id'];
const STRING_DERIVED: readonly DerivedFilter[] = ['system_id', 'location_id', 'model_id'];

export const SLICE_SHAPES: Readonly<Record<SliceDatasetName, SliceShape>> = {
  telemetry: { dataset: 'telemetry', entityColumn: 'battery_id', timeColumn: 'ts', tieBreak: [], derivedFilters: BATTERY_DERIVED },
  string_telemetry: {
    dataset: 'string_telemetry',
    entityColumn: 'string_id',
    timeColumn: 'ts',
    tieBreak: [],
    derivedFilters: STRING_DERIVED,
  },
  rul_prediction: {
    dataset: 'rul_prediction',
    entityColumn: 'battery_id',
    timeColumn: 'predicted_at',
    tieBreak: [],
    derivedFilters: BATTERY_DERIVED,
  },
  alert: { dataset: 'alert', entityColumn: 'battery_id', timeColumn: 'raised_at', tieBreak: ['alert_id'], derivedFilters: BATTERY_DERIVED },
};

/** Resample widths offered in pickers; any `<n>m|h|d` from 1 minute to 31 days is accepted. */
export const RESAMPLE_PRESETS = ['5m', '15m', '1h', '6h', '1d'] as const;
const RESAMPLE_RE = /^([1-9]\d{0,4})([mhd])$/;
const MINUTES_PER_UNIT = { m: 1, h: 60, d: 1440 } as const;

/** `1h` → 60; null when the text is not a resample width. */
export function resampleMinutes(text: string): number | null {
  const m = RESAMPLE_RE.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * MINUTES_PER_UNIT[m[2] as keyof typeof MINUTES_PER_UNIT];
  return minutes >= 1 && minutes <= 31 * 1440 ? minutes : null;
}

/** DuckDB's time_bucket origin for widths without months: buckets (and time cuts) align to it. */
export const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

/** The start of the bucket holding `ms` (same as DuckDB `time_bucket(width, t, 'UTC')`). */
export function bucketStart(ms: number, minutes: number): number {
  const width = minutes * 60_000;
  return Math.floor((ms - BUCKET_ORIGIN_MS) / width) * width + BUCKET_ORIGIN_MS;
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/i;
export function isNumericColumn(c: ColumnSpec): boolean {
  return NUMERIC_TYPE.test(c.duck);
}

export function datasetColumns(name: DatasetName): readonly ColumnSpec[] {
  return DATASETS[name].columns;
}

/** Label sources for a dataset: sliceable datasets keyed by the same unit (a label needs the jar and a time). */
export function labelSourcesFor(dataset: SliceDatasetName): SliceDatasetName[] {
  const entity = SLICE_SHAPES[dataset].entityColumn;
  return SLICE_DATASETS.filter((d) => d !== dataset && SLICE_SHAPES[d].entityColumn === entity && d !== 'alert');
}

/** Label columns by default: every column of the label source but its unit and time. */
export function defaultLabelColumns(source: SliceDatasetName): string[] {
  const shape = SLICE_SHAPES[source];
  return DATASETS[source].columns.map((c) => c.name).filter((n) => n !== shape.entityColumn && n !== shape.timeColumn);
}

/** The name a label column gets in the output: `label_<column>` (so it never clashes with a feature). */
export function labelOutputName(column: string): string {
  return `label_${column}`;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** An ISO instant: `2024-05-01` (UTC midnight) or a date-time with `Z` or an offset. Normalized to `...Z`. */
const Instant = z.string().transform((text, ctx) => {
  const t = text.trim();
  const zoned = DATE_ONLY.test(t) ? `${t}T00:00:00Z` : DATE_TIME_ZONED.test(t) ? t.replace(' ', 'T') : null;
  const ms = zoned === null ? Number.NaN : Date.parse(zoned);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${t.slice(0, 60)}" is not an ISO time with a zone; write e.g. 2024-05-01 or 2024-05-01T12:00:00Z`,
    });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

const SplitName = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, _ or - (it names a folder)');
const FilterValue = z.union([z.number().finite(), z.string().max(200)]);

export const LabelsSpec = z.object({
  from: z.enum(SLICE_DATASETS),
  /** true: the latest label known at or before each row's time (ASOF). false: only a label at exactly the row's time. */
  asOf: z.boolean().default(true),
  /** Columns of the label source to bring (default: all but its unit and time); each is named `label_<column>`. */
  columns: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
});

export const SplitSpec = z.object({
  by: z.enum(['battery', 'time']),
  fractions: z.record(SplitName, z.number().gt(0, 'must be more than 0').max(1)),
  seed: z.number().int().min(0).max(2_147_483_647).default(0),
});

const SliceSpecObject = z.object({
  dataset: z.enum(SLICE_DATASETS),
  from: Instant,
  to: Instant,
  /** Output columns of the dataset; default all. The unit and time columns are always included. */
  columns: z.array(z.string().min(1).max(200)).min(1, 'needs at least one column').max(200).optional(),
  /** Keep rows whose column (or fleet key: location_id, system_id, string_id, model_id) is one of the values. */
  filter: z.record(z.string().min(1).max(200), z.array(FilterValue).min(1, 'needs at least one value').max(100_000)).optional(),
  /** Per unit and time bucket: mean, min and max of each numeric column, and the sample count. */
  resample: z.string().optional(),
  labels: LabelsSpec.optional(),
  split: SplitSpec.optional(),
  /**
   * `parquet` (default): one file per split with the dataset's columns. `bdf`: the Battery Data Format
   * (`.bdf.parquet`), one file per jar per split, from telemetry only (see BDF_COLUMNS).
   */
  format: z.enum(['parquet', 'bdf']).optional(),
  /**
   * Feature sets joined point in time, as `<set>@v<N>` (e.g. `jar_daily_stats@v2`): each row gets the set's latest row
   * for its unit with an event time at or before the row's time minus the set's lag.
   */
  features: z.array(z.string().max(100)).max(20).optional(),
});

export type SliceSpecInput = z.input<typeof SliceSpecObject>;

/** Cross-field checks, each naming its field. */
export const SliceSpecSchema = SliceSpecObject.superRefine((spec, ctx) => {
  const shape = SLICE_SHAPES[spec.dataset];
  const cols = DATASETS[spec.dataset].columns;
  const known = new Set(cols.map((c) => c.name));
  const list = [...known].join(', ');
  if (spec.from >= spec.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `must be after from (${spec.from}); from is inclusive, to exclusive` });
  }
  const resample = spec.resample === undefined ? null : resampleMinutes(spec.resample);
  if (spec.resample !== undefined && resample === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['resample'],
      message: `"${spec.resample.slice(0, 40)}" is not a width like 5m, 1h or 1d (1 minute to 31 days)`,
    });
  }
  const seen = new Set<string>();
  (spec.columns ?? []).forEach((name, i) => {
    if (!known.has(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns', i],
        message: `unknown column "${name.slice(0, 80)}" of ${spec.dataset}; it has ${list}`,
      });
      return;
    }
    if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['columns', i], message: `"${name}" is listed twice` });
    seen.add(name);
    const col = cols.find((c) => c.name === name);
    if (resample !== null && col && name !== shape.entityColumn && name !== shape.timeColumn && !isNumericColumn(col)) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns', i],
        message: `"${name}" is ${col.duck}; resample averages numeric columns only. Leave it out or drop resample`,
      });
    }
  });
  for (const key of Object.keys(spec.filter ?? {})) {
    if (!known.has(key) && !(shape.derivedFilters as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['filter', key],
        message: `cannot filter ${spec.dataset} by "${key.slice(0, 80)}"; use one of ${[...known, ...shape.derivedFilters.filter((d) => !known.has(d))].join(', ')}`,
      });
    }
  }
  if (spec.labels) {
    const sources = labelSourcesFor(spec.dataset);
    if (!sources.includes(spec.labels.from)) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels', 'from'],
        message: `${spec.labels.from} cannot label ${spec.dataset} rows (it must be keyed by ${shape.entityColumn}); use ${sources.join(' or ') || 'no labels'}`,
      });
    } else {
      const labelKnown = new Set(defaultLabelColumns(spec.labels.from));
      (spec.labels.columns ?? []).forEach((name, i) => {
        if (!labelKnown.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['labels', 'columns', i],
            message: `unknown label column "${name.slice(0, 80)}" of ${spec.labels?.from}; it has ${[...labelKnown].join(', ')}`,
          });
        }
      });
    }
  }
  const refs = new Set<string>();
  (spec.features ?? []).forEach((text, i) => {
    const ref = parseFeatureRef(text);
    if (ref === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['features', i],
        message: `"${text.slice(0, 80)}" is not a feature set version; write it as <set>@v<N>, e.g. jar_daily_stats@v1`,
      });
    } else if (refs.has(ref.name)) {
      ctx.addIssue({ code: 'custom', path: ['features', i], message: `${ref.name} is named twice; a slice joins one version of a set` });
    } else refs.add(ref.name);
  });
  if (spec.format === 'bdf' && spec.features !== undefined && spec.features.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['features'],
      message: 'bdf has no place for feature sets; drop features or use the parquet format',
    });
  }
  if (spec.format === 'bdf') {
    if (spec.dataset !== 'telemetry') {
      ctx.addIssue({ code: 'custom', path: ['format'], message: `bdf is written from telemetry (one file per jar), not ${spec.dataset}` });
    }
    if (spec.resample !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resample'], message: 'bdf keeps every reading; drop resample or use the parquet format' });
    }
    if (spec.labels !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'bdf has no place for labels; drop labels or use the parquet format' });
    }
    if (spec.columns !== undefined && !spec.columns.includes('voltage_v')) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'bdf needs voltage_v (Voltage / V is a required column)' });
    }
  }
  if (spec.split) {
    const entries = Object.entries(spec.split.fractions);
    if (entries.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['split', 'fractions'],
        message: 'needs at least one split, e.g. { "train": 0.8, "test": 0.2 }',
      });
    const sum = entries.reduce((a, [, f]) => a + f, 0);
    if (entries.length > 0 && Math.abs(sum - 1) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['split', 'fractions'], message: `must add up to 1, not ${Number(sum.toFixed(9))}` });
    }
  }
});

export type SliceSpec = z.output<typeof SliceSpecSchema>;

/** The columns a slice outputs from its dataset: unit, time, then the chosen ones (in their order), each once. */
export function sliceFeatureColumns(spec: Pick<SliceSpec, 'dataset' | 'columns'>): string[] {
  const shape = SLICE_SHAPES[spec.dataset];
  const chosen = spec.columns ?? DATASETS[spec.dataset].columns.map((c) => c.name);
  const out = [shape.entityColumn, shape.timeColumn, ...shape.tieBreak];
  for (const c of chosen) if (!out.includes(c)) out.push(c);
  return out;
}

/** The manifest's `kind`: a manifest may be given wherever a spec is expected. */
export const SLICE_MANIFEST_KIND = 'battery-workbench.training-slice';

/** A spec, or the `spec` inside a slice manifest; anything else is returned as is (and fails validation). */
export function specFromJson(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as { kind?: unknown; spec?: unknown };
    if (v.kind === SLICE_MANIFEST_KIND && typeof v.spec === 'object' && v.spec !== null) return v.spec;
  }
  return value;
}

/** One issue of a bad spec, with its field in the spec's own words: `columns[2]`, `split.fractions`. */
export interface SpecIssue {
  field: string;
  message: string;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(spec)';
}

/** Validates a spec (or a manifest holding one): the normalized spec, or every issue with its field. */
export function checkSliceSpec(value: unknown): { ok: true; spec: SliceSpec } | { ok: false; issues: SpecIssue[] } {
  const parsed = SliceSpecSchema.safeParse(specFromJson(value));
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) };
}

export function describeSpecIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('\n');
}

export function datasetSpecOf(name: SliceDatasetName): DatasetSpec {
  return DATASETS[name];
}

/**
 * The Battery Data Format's columns (Battery Data Alliance, preferred labels) a BDF slice writes, all DOUBLE:
 * the required three, Unix Time, and the optional ones when their source column is in the slice. Current per jar
 * is its string's current (string_telemetry, same string and time): the jars of a string are in series.
 */
export const BDF_COLUMNS = {
  testTime: 'Test Time / s',
  voltage: 'Voltage / V',
  current: 'Current / A',
  unixTime: 'Unix Time / s',
  surfaceTemperature: 'Surface Temperature T1 / degC',
  ambientTemperature: 'Ambient Temperature / degC',
  resistance: 'Internal Resistance / Ohm',
} as const;

/** The file extension of a BDF file in Parquet. */
export const BDF_EXTENSION = '.bdf.parquet';
