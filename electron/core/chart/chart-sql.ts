import { WorkbenchError } from '../../../shared/api/errors';
import {
  chartColumnKind,
  MAX_BAR_CATEGORIES,
  MAX_CHART_SERIES,
  type ChartColumnKind,
  type ChartRange,
  type ChartSettings,
  type ChartType,
} from '../../../shared/api/chart';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { RESULTS_DB, type StoredResult } from '../engine/result-store';

/** One result column a chart reads: its storage reference (quoted), real name and chart kind. */
export interface ChartColumn {
  ref: string;
  name: string;
  /** The engine's type text. */
  type: string;
  kind: ChartColumnKind;
}

/** The columns of a chart, resolved against a kept result and checked against its type. */
export interface ChartColumns {
  type: ChartType;
  table: string;
  /** The queries take x's range as parameters `$from`, `$to` (a zoomed chart on a time or number axis). */
  bound: boolean;
  x: ChartColumn;
  y: ChartColumn[];
  series: ChartColumn | null;
}

/** A column by name: the grid's unique name first, then the first column of that name (as the grid's sort does). */
function column(stored: StoredResult, name: string, role: string): ChartColumn {
  let index = stored.wire.findIndex((w) => w.name === name);
  if (index < 0) index = stored.columns.findIndex((c) => c.name === name);
  if (index < 0) {
    throw new WorkbenchError('BAD_INPUT', `The chart's ${role} column "${name}" is not in the result. Pick one of its columns.`);
  }
  const { name: real, type } = stored.columns[index];
  return { ref: quoteIdent(stored.storage[index]), name: real, type, kind: chartColumnKind(type) };
}

function requireKind(c: ChartColumn, role: string, kinds: readonly ChartColumnKind[], what: string): void {
  if (!kinds.includes(c.kind)) {
    throw new WorkbenchError('BAD_INPUT', `The chart's ${role} column "${c.name}" is ${c.kind}; a ${what} needs ${kinds.join(' or ')}.`);
  }
}

/** Resolves and checks the settings' columns (what each chart type can draw); `zoomed`: a range is bound. */
export function chartColumns(stored: StoredResult, settings: ChartSettings, zoomed: boolean): ChartColumns {
  if (settings.x === null) throw new WorkbenchError('BAD_INPUT', 'Choose the column for the chart’s x axis.');
  const x = column(stored, settings.x, 'x');
  const y = settings.y.map((name) => column(stored, name, 'y'));
  const series = settings.series === null ? null : column(stored, settings.series, 'series');
  const t = settings.type;
  if (t === 'line' || t === 'scatter' || t === 'histogram' || t === 'heatmap') requireKind(x, 'x', ['time', 'number'], `${t} chart`);
  if ((t === 'line' || t === 'scatter' || t === 'heatmap') && y.length === 0) {
    throw new WorkbenchError('BAD_INPUT', `A ${t} chart needs a y column: choose one.`);
  }
  const yKinds: ChartColumnKind[] = t === 'heatmap' ? ['time', 'number'] : ['number'];
  if (t !== 'histogram' && !(t === 'bar' && settings.aggregate === 'count')) for (const c of y) requireKind(c, 'y', yKinds, `${t} chart`);
  return {
    type: t,
    table: qualifiedName(RESULTS_DB, 'main', stored.table),
    bound: zoomed && x.kind !== 'text',
    x,
    y: t === 'histogram' ? [] : y,
    series: t === 'heatmap' ? null : series,
  };
}

/** A column's position on a numeric axis: epoch milliseconds for time, the value as DOUBLE for numbers. */
export function position(c: ChartColumn, expr = c.ref): string {
  return c.kind === 'time' ? `CAST(epoch_ms(${expr}) AS DOUBLE)` : `CAST(${expr} AS DOUBLE)`;
}

/**
 * A number as an SQL literal (finite only), for the few places a value cannot be a parameter (COPY, bin bounds). In
 * exponent form, which DuckDB reads as the very same double: `-0.9999999999997864` would be read as a DECIMAL first,
 * and its cast to DOUBLE can miss by one unit in the last place, so a range's end would drop its own row.
 */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new WorkbenchError('BAD_INPUT', `Not a finite number: ${n}`);
  return n.toExponential();
}

/** The bin (0 .. bins-1) of `expr` for bins of `width` from `lo`; a value past either end goes in the end's bin. */
function binOf(expr: string, lo: number, width: number, bins: number): string {
  return `least(greatest(CAST(floor((${expr} - ${numberLiteral(lo)}) / ${numberLiteral(width)}) AS BIGINT), 0), ${bins - 1})`;
}

/** x inside the range (both ends included) as literals: COPY takes no parameters. */
function rangeLiterals(cols: ChartColumns, range: ChartRange): string {
  const p = position(cols.x);
  return `${p} >= ${numberLiteral(range.from)} AND ${p} <= ${numberLiteral(range.to)}`;
}

/** The series key of a row: `n` for a NULL series value, `v<value>` else; '' when the chart is not split. */
function seriesKey(cols: ChartColumns): string {
  return cols.series ? `coalesce('v' || CAST(${cols.series.ref} AS VARCHAR), 'n')` : `''`;
}

/** Whether x is on a numeric axis (time or number), so a range applies: not for text (bar categories). */
export function ranged(cols: ChartColumns): boolean {
  return cols.x.kind !== 'text';
}

/**
 * Rows with x not null, in the range (parameters `$from`, `$to`, when bound) and within the top series when
 * split: `src` yields (cx: x as it is, p: x's position or NULL, sk: the series key, y0..yN).
 */
function sourceSql(cols: ChartColumns): string {
  const key = seriesKey(cols);
  const ys = cols.y.map((c, i) => `, ${c.ref} AS y${i}`).join('');
  const p = ranged(cols) ? position(cols.x) : 'NULL';
  const base = `SELECT ${cols.x.ref} AS cx, ${p} AS p, ${key} AS sk${ys} FROM ${cols.table} WHERE ${cols.x.ref} IS NOT NULL${boundRange(cols)}`;
  if (!cols.series) return base;
  return `SELECT * FROM (${base}) WHERE sk IN (SELECT sk FROM (${base}) GROUP BY sk ORDER BY count(*) DESC, sk LIMIT ${MAX_CHART_SERIES})`;
}

/**
 * ` AND x in [$from, $to]` when bound, else ''. A time column is first compared as itself with bounds a millisecond
 * wider (so DuckDB skips the row groups outside, as it cannot for an expression of the column), then exactly.
 */
function boundRange(cols: ChartColumns): string {
  if (!cols.bound) return '';
  const { ref, type, kind } = cols.x;
  const p = position(cols.x);
  const exact = ` AND ${p} >= $from AND ${p} <= $to`;
  if (kind !== 'time') return exact;
  // `type` is one of the engine's time type names (chartColumnKind matched it whole), never free text.
  const at = (ms: string) =>
    /TIME ZONE|TIMESTAMPTZ/i.test(type)
      ? `to_timestamp((${ms}) / 1000)`
      : `CAST(make_timestamp(CAST((${ms}) AS BIGINT) * 1000) AS ${type})`;
  return ` AND ${ref} >= ${at('floor($from) - 1')} AND ${ref} <= ${at('ceil($to) + 1')}${exact}`;
}

/**
 * x's extent over the whole result (the column's own min and max, read from its statistics), the rows (x not null)
 * and distinct series in the range, and for heatmaps the first y column's extent there. Yields (lo, hi, rows, series,
 * ylo, yhi).
 */
export function statsSql(cols: ChartColumns): string {
  const x = cols.x.ref;
  const series = cols.series ? `count(DISTINCT ${seriesKey(cols)})` : '1';
  const extent = (agg: string) => (ranged(cols) ? `(SELECT ${position(cols.x, `${agg}(${x})`)} FROM ${cols.table})` : 'NULL');
  const y = cols.type === 'heatmap' ? cols.y[0] : undefined;
  const [ylo, yhi] = y ? [`min(${position(y)})`, `max(${position(y)})`] : ['NULL', 'NULL'];
  return `SELECT ${extent('min')} AS lo, ${extent('max')} AS hi, count(${x}) AS rows, ${series} AS series, ${ylo} AS ylo, ${yhi} AS yhi
FROM ${cols.table} WHERE ${x} IS NOT NULL${boundRange(cols)}`;
}

/** The points of a line or scatter chart for M4: (k, ts, v), k = `<y index>|<series key>`, ts x as it is (time) or its position. */
export function chartPointsSql(cols: ChartColumns): string {
  const ts = cols.x.kind === 'time' ? 'cx' : 'p';
  // Unsplit, k is the y index alone: an integer groups faster than text.
  const parts = cols.y.map((_c, i) => `SELECT ${cols.series ? `'${i}|' || sk` : i} AS k, ${ts} AS ts, y${i} AS v FROM src`);
  return `WITH src AS (${sourceSql(cols)})\n  ${parts.join('\n  UNION ALL ')}`;
}

/** Rows counted per (series, bin of x) over [lo, lo + bins*width); the last bin takes its upper end. */
export function histogramSql(cols: ChartColumns, lo: number, width: number, bins: number): string {
  const bin = binOf('p', lo, width, bins);
  return `WITH src AS (${sourceSql(cols)})
SELECT '0|' || sk AS k, ${bin} AS b, count(*) AS n FROM src GROUP BY ALL ORDER BY k, b`;
}

/** Rows counted per (bin of x, bin of the first y column); rows whose y is NULL are left out. */
export function heatmapSql(cols: ChartColumns, x: { lo: number; width: number }, y: { lo: number; width: number }, bins: number): string {
  const bin = (expr: string, a: { lo: number; width: number }) => binOf(expr, a.lo, a.width, bins);
  const yPos = position({ ...cols.y[0], ref: 'y0' });
  return `WITH src AS (${sourceSql(cols)})
SELECT ${bin('p', x)} AS bx, ${bin(yPos, y)} AS b, count(*) AS n FROM src WHERE y0 IS NOT NULL GROUP BY ALL ORDER BY bx, b`;
}

const AGG: Readonly<Record<ChartSettings['aggregate'], (v: string) => string>> = {
  sum: (v) => `sum(${v})`,
  avg: (v) => `avg(${v})`,
  min: (v) => `min(${v})`,
  max: (v) => `max(${v})`,
  count: () => 'count(*)',
};

/**
 * Bars: the y columns aggregated per x category, over the MAX_BAR_CATEGORIES categories with the most rows (in
 * x's order). Yields (k, c, cat, v): c the category's index on the axis. With no y column (or `count`), rows counted.
 */
export function barSql(cols: ChartColumns, aggregate: ChartSettings['aggregate']): string {
  const counted = aggregate === 'count' || cols.y.length === 0;
  const values = counted ? [AGG.count('')] : cols.y.map((_c, i) => AGG[aggregate](`CAST(y${i} AS DOUBLE)`));
  const parts = values.map((v, i) => `SELECT '${i}|' || sk AS k, cx, ${v} AS v FROM src GROUP BY ALL`);
  return `WITH src AS (${sourceSql(cols)}),
cats AS (
  SELECT cx, row_number() OVER (ORDER BY cx) - 1 AS c
  FROM (SELECT cx FROM src GROUP BY cx ORDER BY count(*) DESC, cx LIMIT ${MAX_BAR_CATEGORIES})
)
SELECT v.k, cats.c, CAST(cats.cx AS VARCHAR) AS cat, v.v
FROM (${parts.join(' UNION ALL ')}) v JOIN cats ON cats.cx = v.cx ORDER BY v.k, cats.c`;
}

/** The full-resolution rows behind a chart: its columns (each once, by its real name) in the range, in the result's order. */
export function chartRowsSql(cols: ChartColumns, range: ChartRange | null): string {
  const seen = new Set<string>();
  const picked = [cols.x, ...cols.y, ...(cols.series ? [cols.series] : [])].filter((c) => !seen.has(c.ref) && seen.add(c.ref));
  const where = range && ranged(cols) ? ` AND ${rangeLiterals(cols, range)}` : '';
  const select = picked.map((c) => `${c.ref} AS ${quoteIdent(c.name)}`).join(', ');
  return `SELECT ${select} FROM ${cols.table} WHERE ${cols.x.ref} IS NOT NULL${where} ORDER BY rowid`;
}
