import { DATASETS } from '../../../shared/domain/datasets';
import {
  SLICE_SHAPES,
  bucketStart,
  defaultLabelColumns,
  labelOutputName,
  resampleMinutes,
  sliceFeatureColumns,
  type DerivedFilter,
  type SliceShape,
  type SliceSpec,
} from '../../../shared/domain/slice-spec';
import { FEATURE_TIME_COLUMN, featureViewName, sliceFeatureOutputName, type SliceFeatureSet } from '../../../shared/domain/features';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { FEATURES_DATASET } from '../features/feature-views';

/**
 * Builds the SQL of a training slice from a validated spec. Values are inlined as literals (COPY takes
 * no parameters, and the manifest records the exact SQL run): times are normalized ISO instants, filter
 * values are finite numbers or strings through quoteLiteral, identifiers go through quoteIdent.
 */

/** Without a split, the one output folder. */
export const ALL_SPLIT = 'all';

/** Which rows of the slice a split takes: a time range, or a set of units. */
export type SplitPart = { kind: 'all' } | { kind: 'time'; from: string; to: string } | { kind: 'entities'; entities: readonly number[] };

function ts(iso: string): string {
  return `CAST(${quoteLiteral(iso)} AS TIMESTAMPTZ)`;
}

function literal(v: number | string): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('A filter value must be a finite number');
    return String(v);
  }
  return quoteLiteral(v);
}

function inList(values: readonly (number | string)[]): string {
  return `(${values.map(literal).join(', ')})`;
}

/** The units (battery_id or string_id) whose fleet key is one of the values, from the master views. */
function derivedUnits(shape: SliceShape, key: DerivedFilter, values: readonly (number | string)[]): string {
  const b = qualifiedName('main', 'battery');
  const s = qualifiedName('main', 'battery_string');
  const y = qualifiedName('main', 'battery_system');
  const list = inList(values);
  if (shape.entityColumn === 'battery_id') {
    switch (key) {
      case 'string_id':
        return `SELECT battery_id FROM ${b} WHERE string_id IN ${list}`;
      case 'model_id':
        return `SELECT battery_id FROM ${b} WHERE model_id IN ${list}`;
      case 'system_id':
        return `SELECT b.battery_id FROM ${b} b JOIN ${s} s ON s.string_id = b.string_id WHERE s.system_id IN ${list}`;
      case 'location_id':
        return `SELECT b.battery_id FROM ${b} b JOIN ${s} s ON s.string_id = b.string_id JOIN ${y} y ON y.system_id = s.system_id WHERE y.location_id IN ${list}`;
    }
  }
  switch (key) {
    case 'model_id':
      return `SELECT string_id FROM ${s} WHERE model_id IN ${list}`;
    case 'system_id':
      return `SELECT string_id FROM ${s} WHERE system_id IN ${list}`;
    case 'location_id':
      return `SELECT s.string_id FROM ${s} s JOIN ${y} y ON y.system_id = s.system_id WHERE y.location_id IN ${list}`;
    case 'string_id':
      return `SELECT string_id FROM ${s} WHERE string_id IN ${list}`;
  }
}

/** WHERE conditions on `t` (the dataset's unified view): the time range, the filter, and a split's part. */
export function sliceConditions(spec: SliceSpec, part: SplitPart): string[] {
  const shape = SLICE_SHAPES[spec.dataset];
  const time = `t.${quoteIdent(shape.timeColumn)}`;
  const entity = `t.${quoteIdent(shape.entityColumn)}`;
  const from = part.kind === 'time' ? part.from : spec.from;
  const to = part.kind === 'time' ? part.to : spec.to;
  const where = [`${time} >= ${ts(from)}`, `${time} < ${ts(to)}`];
  const own = new Set(DATASETS[spec.dataset].columns.map((c) => c.name));
  for (const [key, values] of Object.entries(spec.filter ?? {})) {
    if (own.has(key)) where.push(`t.${quoteIdent(key)} IN ${inList(values)}`);
    else where.push(`${entity} IN (${derivedUnits(shape, key as DerivedFilter, values)})`);
  }
  if (part.kind === 'entities') where.push(part.entities.length === 0 ? 'false' : `${entity} IN ${inList(part.entities)}`);
  return where;
}

/** Output column names (before labels), in order: unit, time, then features (or their mean/min/max and `samples`). */
export function featureOutputs(spec: SliceSpec): { name: string; expr: string }[] {
  const shape = SLICE_SHAPES[spec.dataset];
  const minutes = spec.resample === undefined ? null : resampleMinutes(spec.resample);
  const cols = sliceFeatureColumns(spec);
  if (minutes === null) return cols.map((c) => ({ name: c, expr: `t.${quoteIdent(c)}` }));
  const out = [
    { name: shape.entityColumn, expr: `t.${quoteIdent(shape.entityColumn)}` },
    {
      name: shape.timeColumn,
      expr: `time_bucket(INTERVAL ${quoteLiteral(`${minutes} minutes`)}, t.${quoteIdent(shape.timeColumn)}, 'UTC')`,
    },
  ];
  const skip = new Set([shape.entityColumn, shape.timeColumn, ...shape.tieBreak]);
  for (const c of cols) {
    if (skip.has(c)) continue;
    const q = `t.${quoteIdent(c)}`;
    out.push({ name: `${c}_mean`, expr: `avg(${q})` }, { name: `${c}_min`, expr: `min(${q})` }, { name: `${c}_max`, expr: `max(${q})` });
  }
  out.push({ name: 'samples', expr: 'count(*)' });
  return out;
}

/** The ORDER BY key of the output: unit, time (and the dataset's tie-break when not resampled). */
export function orderKey(spec: SliceSpec): string[] {
  const shape = SLICE_SHAPES[spec.dataset];
  return spec.resample === undefined ? [shape.entityColumn, shape.timeColumn, ...shape.tieBreak] : [shape.entityColumn, shape.timeColumn];
}

/**
 * The SELECT of one split: the rows (resampled per unit and bucket when asked), the labels joined
 * point in time (ASOF: the latest label at or before the row's time), in key order.
 */
export interface SliceSelectOptions {
  ordered?: boolean;
  labels?: boolean;
  /** The spec's feature sets, resolved (slice-features.ts); none when absent. */
  features?: readonly SliceFeatureSet[];
  /**
   * Sorted rows are materialized before the sort (default true). DuckDB (1.5) does not spill a sort (or an ASOF join)
   * fed straight by a UNION ALL with rows on both sides, the unified view across the tier split: under a job's memory
   * budget such a slice would fail at a few million rows. A slice on one side of the split (sliceCrossesSplit) skips
   * it: the other side's few late rows do not matter.
   */
  materialize?: boolean;
}

export function sliceSelect(spec: SliceSpec, part: SplitPart, options: SliceSelectOptions = {}): string {
  const features = options.features ?? [];
  if (features.length === 0) return rowsAndLabelsSelect(spec, part, options);
  return withFeatures(
    spec,
    rowsAndLabelsSelect(spec, part, { ...options, ordered: false }),
    features,
    (options.ordered ?? true) && (options.materialize ?? true),
    options.ordered ?? true,
  );
}

/**
 * Feature sets joined point in time onto the rows: per set, ASOF the latest feature row of the row's unit whose
 * event time is at or before the row's time minus the set's lag. Only feature rows known before the slice's end are
 * candidates anyway; a feature row computed from data after a row's time can never match it.
 */
function withFeatures(spec: SliceSpec, base: string, features: readonly SliceFeatureSet[], materialize: boolean, ordered: boolean): string {
  const shape = SLICE_SHAPES[spec.dataset];
  const be = `b.${quoteIdent(shape.entityColumn)}`;
  const bt = `b.${quoteIdent(shape.timeColumn)}`;
  const ctes = [`b AS ${materialize ? 'MATERIALIZED ' : ''}(${base})`];
  const joins: string[] = [];
  const cols: string[] = ['b.*'];
  features.forEach((f, i) => {
    if (f.entityColumn !== shape.entityColumn)
      throw new Error(`${f.ref} is keyed by ${f.entityColumn}, the slice by ${shape.entityColumn}`);
    const alias = `f${i}`;
    const key = quoteIdent(f.entityColumn);
    const time = quoteIdent(sliceFeatureOutputName(f.name, FEATURE_TIME_COLUMN));
    const outs = f.columns.map((c) => `${quoteIdent(c)} AS ${quoteIdent(sliceFeatureOutputName(f.name, c))}`);
    ctes.push(
      `${alias} AS (SELECT ${key} AS ${quoteIdent('__key')}, ${quoteIdent(FEATURE_TIME_COLUMN)} AS ${time}, ${outs.join(', ')} ` +
        `FROM ${qualifiedName(FEATURES_DATASET, featureViewName(f.name, f.version))} WHERE ${quoteIdent(FEATURE_TIME_COLUMN)} <= ${ts(spec.to)})`,
    );
    const lagged = f.lagMinutes > 0 ? `${bt} - INTERVAL ${quoteLiteral(`${f.lagMinutes} minutes`)}` : bt;
    joins.push(`ASOF LEFT JOIN ${alias} ON ${be} = ${alias}.${quoteIdent('__key')} AND ${lagged} >= ${alias}.${time}`);
    cols.push(`${alias}.${time}`, ...f.columns.map((c) => `${alias}.${quoteIdent(sliceFeatureOutputName(f.name, c))}`));
  });
  const order = orderKey(spec).map((k) => `b.${quoteIdent(k)}`);
  return `WITH ${ctes.join(', ')} SELECT ${cols.join(', ')} FROM b ${joins.join(' ')}${ordered ? ` ORDER BY ${order.join(', ')}` : ''}`;
}

function rowsAndLabelsSelect(spec: SliceSpec, part: SplitPart, options: SliceSelectOptions): string {
  const shape = SLICE_SHAPES[spec.dataset];
  const outputs = featureOutputs(spec);
  const view = qualifiedName('main', spec.dataset);
  const grouped = spec.resample !== undefined;
  const rows =
    `SELECT ${outputs.map((o) => `${o.expr} AS ${quoteIdent(o.name)}`).join(', ')} FROM ${view} AS t ` +
    `WHERE ${sliceConditions(spec, part).join(' AND ')}` +
    (grouped ? ' GROUP BY ALL' : '');
  const ordered = options.ordered ?? true;
  const r = ordered && (options.materialize ?? true) ? 'r AS MATERIALIZED' : 'r AS';
  const order = orderKey(spec).map((k) => `r.${quoteIdent(k)}`);
  const rowCols = outputs.map((o) => `r.${quoteIdent(o.name)}`);
  const labels = spec.labels;
  if (!labels || options.labels === false) {
    return `WITH ${r} (${rows}) SELECT ${rowCols.join(', ')} FROM r${ordered ? ` ORDER BY ${order.join(', ')}` : ''}`;
  }
  const lshape = SLICE_SHAPES[labels.from];
  const lcols = labels.columns ?? defaultLabelColumns(labels.from);
  const le = quoteIdent(lshape.entityColumn);
  const lt = quoteIdent(lshape.timeColumn);
  const labelTime = quoteIdent(labelOutputName(lshape.timeColumn));
  // Labels known before the slice's end; with a split by unit, only that split's units.
  const lwhere = [`l.${lt} < ${ts(spec.to)}`];
  if (part.kind === 'entities') lwhere.push(part.entities.length === 0 ? 'false' : `l.${le} IN ${inList(part.entities)}`);
  const labelSelect =
    `SELECT l.${le} AS ${le}, l.${lt} AS ${labelTime}, ${lcols.map((c) => `l.${quoteIdent(c)} AS ${quoteIdent(labelOutputName(c))}`).join(', ')} ` +
    `FROM ${qualifiedName('main', labels.from)} AS l WHERE ${lwhere.join(' AND ')}`;
  const re = `r.${quoteIdent(shape.entityColumn)}`;
  const rt = `r.${quoteIdent(shape.timeColumn)}`;
  const join = labels.asOf
    ? `ASOF LEFT JOIN lab ON ${re} = lab.${le} AND ${rt} >= lab.${labelTime}`
    : `LEFT JOIN lab ON ${re} = lab.${le} AND ${rt} = lab.${labelTime}`;
  const labelCols = [labelTime, ...lcols.map((c) => quoteIdent(labelOutputName(c)))].map((c) => `lab.${c}`);
  return (
    `WITH ${r} (${rows}), lab AS (${labelSelect}) ` +
    `SELECT ${[...rowCols, ...labelCols].join(', ')} FROM r ${join}${ordered ? ` ORDER BY ${order.join(', ')}` : ''}`
  );
}

/** Whether the slice's time range has rows on both sides of its dataset's tier split (`splits`: getSplits). */
export function sliceCrossesSplit(spec: SliceSpec, splits: ReadonlyMap<string, string>): boolean {
  const split = splits.get(spec.dataset);
  if (split === undefined) return false;
  const at = Date.parse(split);
  return Date.parse(spec.from) < at && Date.parse(spec.to) > at;
}

/** Units in the slice ranked by md5("<seed>:<unit>") (ties by unit): the split by battery takes them in this order. */
export function assignmentSelect(spec: SliceSpec): string {
  const shape = SLICE_SHAPES[spec.dataset];
  const seed = spec.split?.seed ?? 0;
  const e = quoteIdent(shape.entityColumn);
  return (
    `SELECT u AS unit FROM (SELECT DISTINCT t.${e} AS u FROM ${qualifiedName('main', spec.dataset)} AS t ` +
    `WHERE ${sliceConditions(spec, { kind: 'all' }).join(' AND ')}) ` +
    `ORDER BY md5(concat(${quoteLiteral(String(seed))}, ':', CAST(u AS VARCHAR))), u`
  );
}

/** Cuts ranked units by the fractions, in the spec's order: split i takes ranks [round(c_i n), round(c_{i+1} n)). */
export function assignUnits(
  ranked: readonly number[],
  fractions: Readonly<Record<string, number>>,
): { name: string; fraction: number; entities: number[] }[] {
  const names = Object.keys(fractions);
  const n = ranked.length;
  let cum = 0;
  let start = 0;
  return names.map((name, i) => {
    cum += fractions[name];
    const end = i === names.length - 1 ? n : Math.min(n, Math.round(cum * n));
    const entities = ranked.slice(start, Math.max(start, end)).sort((a, b) => a - b);
    start = Math.max(start, end);
    return { name, fraction: fractions[name], entities };
  });
}

/** Cuts [from, to) by the fractions, in order; with resample, each cut is moved down to a bucket start. */
export function timeCuts(spec: SliceSpec): { name: string; fraction: number; from: string; to: string }[] {
  const fractions = spec.split?.fractions ?? {};
  const names = Object.keys(fractions);
  const from = Date.parse(spec.from);
  const to = Date.parse(spec.to);
  const minutes = spec.resample === undefined ? null : resampleMinutes(spec.resample);
  let cum = 0;
  let prev = from;
  return names.map((name, i) => {
    cum += fractions[name];
    let cut = i === names.length - 1 ? to : from + Math.round(cum * (to - from));
    if (minutes !== null && i < names.length - 1) cut = Math.max(from, bucketStart(cut, minutes));
    cut = Math.max(prev, Math.min(to, cut));
    const part = { name, fraction: fractions[name], from: new Date(prev).toISOString(), to: new Date(cut).toISOString() };
    prev = cut;
    return part;
  });
}
