import { z } from 'zod';
import type { ColumnInfo } from './query';

/** The chart types a result can be drawn as. */
export const CHART_TYPES = ['line', 'bar', 'scatter', 'histogram', 'heatmap'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const BAR_AGGREGATES = ['sum', 'avg', 'min', 'max', 'count'] as const;
export type BarAggregate = (typeof BAR_AGGREGATES)[number];

/** Most series a chart draws (the ones with the most rows); most categories a bar chart draws. */
export const MAX_CHART_SERIES = 20;
export const MAX_BAR_CATEGORIES = 50;

const ColumnName = z.string().min(1).max(1000);

/**
 * A chart of a result, as the user set it up: plain data, so it travels with the editor tab and a saved query.
 * Columns are named (the grid's unique name first, then the first column of that name).
 * - line, scatter: y columns over x (time or number), one series per y column and value of `series`;
 * - bar: y columns aggregated per x category (the MAX_BAR_CATEGORIES with the most rows);
 * - histogram: the rows counted per bin of x (per value of `series`);
 * - heatmap: the rows counted per (x bin, bin of the first y column).
 */
export const ChartSettings = z.object({
  type: z.enum(CHART_TYPES),
  x: ColumnName.nullable(),
  y: z.array(ColumnName).max(8),
  series: ColumnName.nullable(),
  aggregate: z.enum(BAR_AGGREGATES).default('sum'),
  /** Bins of a histogram (and of the heatmap's axes). */
  bins: z.number().int().min(2).max(500).default(50),
  /**
   * line, scatter, bar: y columns whose values would lie flat on one shared axis get a second, right-hand axis
   * (see rightAxisColumns). Settings saved before it existed read as on.
   */
  splitAxes: z.boolean().default(true),
});
export type ChartSettings = z.infer<typeof ChartSettings>;

/** The part of x shown (zoomed): [from, to] in x's units (epoch ms for a time axis). */
export const ChartRange = z
  .object({ from: z.number().finite(), to: z.number().finite() })
  .refine((r) => r.to > r.from, 'must end after it starts');
export type ChartRange = z.infer<typeof ChartRange>;

export const ChartRequest = z.object({
  resultId: z.string().min(1).max(100),
  settings: ChartSettings,
  /** The plot's width in pixels: line and scatter charts get at most 4 points per pixel and series (M4). */
  width: z.number().int().min(16).max(8000),
  range: ChartRange.optional(),
});
export type ChartRequest = z.infer<typeof ChartRequest>;

/** How a column can be charted. */
export type ChartColumnKind = 'time' | 'number' | 'text';

const NUMBER =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT[1248]|FLOAT[48])(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i;
const TIME = /^(DATE|TIMESTAMP(_S|_MS|_NS)?( WITH TIME ZONE)?|TIMESTAMPTZ)$/i;

/** A column's chart kind from its engine type: dates and timestamps are time, scalar numbers number, the rest text. */
export function chartColumnKind(type: string): ChartColumnKind {
  const t = type.trim();
  if (TIME.test(t)) return 'time';
  if (NUMBER.test(t)) return 'number';
  return 'text';
}

/** A column named like a key: `id`, or ending in `_id`. */
function isKeyName(name: string): boolean {
  return /(^|_)id$/i.test(name);
}

/**
 * The chart a result opens with: a time column on x gives a line chart of the numeric columns, split by the first
 * key column (`battery_id`); else the first text column as bar categories with the numeric columns summed; one
 * numeric column alone gives its histogram.
 */
export function defaultChartSettings(columns: readonly ColumnInfo[]): ChartSettings {
  const of = (kind: ChartColumnKind) => columns.filter((c) => chartColumnKind(c.type) === kind).map((c) => c.name);
  const times = of('time');
  // A key (`id`, `battery_id`) is not a measure: a line chart is split by the first, no chart plots one.
  const keys = of('number').filter(isKeyName);
  const numbers = of('number').filter((n) => !isKeyName(n));
  const texts = of('text');
  const base = { series: null, aggregate: 'sum' as const, bins: 50, splitAxes: true };
  if (times.length > 0 && numbers.length > 0)
    return { ...base, type: 'line', x: times[0], y: numbers.slice(0, 4), series: keys[0] ?? null };
  if (texts.length > 0 && numbers.length > 0) return { ...base, type: 'bar', x: texts[0], y: numbers.slice(0, 4) };
  if (numbers.length === 1) return { ...base, type: 'histogram', x: numbers[0], y: [] };
  if (numbers.length >= 2) return { ...base, type: 'scatter', x: numbers[0], y: numbers.slice(1, 5) };
  if (texts.length > 0) return { ...base, type: 'bar', x: texts[0], y: [], aggregate: 'count' };
  return { ...base, type: 'histogram', x: times[0] ?? null, y: [] };
}

export type ChartCell = number | string | null;

export interface ChartSeriesData {
  /** The legend name: the y column, with the series value when the chart is split. */
  name: string;
  /** The index in ChartData.yColumns of the column this series plots. */
  y: number;
  /** line, scatter: [x, y]; bar: [category index, value]; histogram: [bin start, count]; heatmap: [x bin start, y bin start, count]. */
  points: number[][];
}

export interface ChartData {
  type: ChartType;
  /** x's kind: `time` values are epoch milliseconds. */
  xKind: ChartColumnKind;
  /** The y axis' kind (heatmap: the first y column's). */
  yKind: ChartColumnKind;
  /** What the series plot, by ChartSeriesData.y: the y columns, or `rows` for counts (histogram, heatmap, bar count). */
  yColumns: string[];
  series: ChartSeriesData[];
  /** bar: the categories, as text, in axis order. */
  categories: string[];
  /** The range drawn: the request's, else x's extent over the whole result (null for bars or no rows). */
  range: ChartRange | null;
  /** x's extent over the whole result (null for bars or no rows): the zoom-out target. */
  extent: ChartRange | null;
  /** Rows of the result in the range with x not null: what the chart stands for at full resolution. */
  rows: number;
  /** Points sent (summed over series). */
  points: number;
  /** Width of one bucket or bin in x's units (M4 pixel bucket, histogram bin); 0 for bars. */
  bucket: number;
  /** heatmap: the y bins' width. */
  yBucket: number;
  /** Said when something was left out, e.g. categories beyond the first 50. */
  note: string | null;
  /** How the points were made, e.g. `M4 over 1,200 px`. */
  method: string;
}
