import { DOUBLE, type DuckDBConnection } from '@duckdb/node-api';
import {
  MAX_BAR_CATEGORIES,
  MAX_CHART_SERIES,
  type ChartData,
  type ChartRange,
  type ChartRequest,
  type ChartSeriesData,
} from '../../../shared/api/chart';
import { formatCount } from '../../../shared/format';
import { m4NumericSql, m4RawSql, pixelBucketMs } from '../dashboard/m4';
import type { Engine } from '../engine/engine';
import { sqlError } from '../engine/result-store';
import { barSql, chartColumns, chartPointsSql, heatmapSql, histogramSql, ranged, statsSql, type ChartColumns } from './chart-sql';

type Row = unknown[];

/** Runs a chart query, with the zoomed range as parameters `$from`, `$to` when the columns bind one. */
async function read(conn: DuckDBConnection, sql: string, cols: ChartColumns, range: ChartRange | undefined): Promise<Row[]> {
  try {
    const reader =
      cols.bound && range
        ? await conn.runAndReadAll(sql, { from: range.from, to: range.to }, { from: DOUBLE, to: DOUBLE })
        : await conn.runAndReadAll(sql);
    return reader.getRows() as Row[];
  } catch (err) {
    throw sqlError(err);
  }
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Groups (k, ...point) rows into series; k is `<y index>|<series key>` (see chart-sql). */
function groupSeries(rows: readonly Row[], yNames: readonly string[], point: (r: Row) => number[] | null): ChartSeriesData[] {
  const out = new Map<string, ChartSeriesData>();
  for (const r of rows) {
    const p = point(r);
    if (!p) continue;
    const k = String(r[0]);
    let s = out.get(k);
    if (!s) {
      // `<y index>|<series key>`, or the y index alone when the chart is not split.
      const bar = k.includes('|') ? k.indexOf('|') : k.length;
      const y = Number(k.slice(0, bar));
      const yName = yNames[y] ?? '';
      const key = k.slice(bar + 1);
      const value = key === '' ? null : key === 'n' ? 'NULL' : key.slice(1);
      s = { name: value === null ? yName : yNames.length > 1 ? `${yName} · ${value}` : value, y, points: [] };
      out.set(k, s);
    }
    s.points.push(p);
  }
  return [...out.values()];
}

const xy = (r: Row): number[] | null => {
  const x = toNumber(r[1]);
  const y = toNumber(r[2]);
  return x === null || y === null ? null : [x, y];
};

/**
 * query.chart: the points of a chart of a kept result, computed in DuckDB over the result's table. Line and scatter
 * charts are M4-downsampled to the width (at most 4 points per pixel column and series; the dashboards' builder),
 * histograms and heatmaps binned, bars aggregated per category; never the result's rows.
 */
export async function chartData(engine: Engine, req: ChartRequest): Promise<ChartData> {
  const stored = engine.keptResult(req.resultId);
  const { settings, width } = req;
  const cols = chartColumns(stored, settings, req.range !== undefined);
  return engine.withConnection(async (conn) => {
    const [stats] = await read(conn, statsSql(cols), cols, req.range);
    const lo = toNumber(stats[0]);
    const hi = toNumber(stats[1]);
    const extent = lo !== null && hi !== null ? { from: lo, to: hi } : null;
    const range = ranged(cols) ? (req.range ?? extent) : null;
    const seriesCount = toNumber(stats[3]) ?? 0;
    const base: ChartData = {
      type: settings.type,
      xKind: cols.x.kind,
      yKind: cols.y[0]?.kind ?? 'number',
      yColumns: settings.type === 'histogram' || settings.type === 'heatmap' ? ['rows'] : cols.y.map((c) => c.name),
      series: [],
      categories: [],
      range,
      extent,
      rows: toNumber(stats[2]) ?? 0,
      points: 0,
      bucket: 0,
      yBucket: 0,
      note:
        seriesCount > MAX_CHART_SERIES ? `Showing the ${MAX_CHART_SERIES} series with the most rows of ${formatCount(seriesCount)}.` : null,
      method: '',
    };
    const yNames = cols.y.map((c) => c.name);
    const done = (data: ChartData): ChartData => ({ ...data, points: data.series.reduce((n, s) => n + s.points.length, 0) });
    if (settings.type === 'bar') {
      const rows = await read(conn, barSql(cols, settings.aggregate), cols, req.range);
      const categories: string[] = [];
      for (const r of rows) categories[Number(r[1])] = String(r[2]);
      const counted = settings.aggregate === 'count' || cols.y.length === 0;
      const yColumns = counted ? ['rows'] : yNames;
      const series = groupSeries(rows, yColumns, (r) => {
        const v = toNumber(r[3]);
        return v === null ? null : [Number(r[1]), v];
      });
      const note = categories.length >= MAX_BAR_CATEGORIES ? `Showing the ${MAX_BAR_CATEGORIES} categories with the most rows.` : base.note;
      return done({
        ...base,
        yColumns,
        series,
        categories,
        note,
        method: counted ? 'rows per category' : `${settings.aggregate} per category`,
      });
    }
    if (!range || base.rows === 0) return done({ ...base, method: 'no rows in range' });
    const span = range.to - range.from;
    if (settings.type === 'line' || settings.type === 'scatter') {
      const points = chartPointsSql(cols);
      let sql: string;
      let bucket: number;
      if (cols.x.kind === 'time') {
        const from = Math.floor(range.from);
        bucket = pixelBucketMs(from, range.to, width);
        sql = m4RawSql(points, from, bucket);
      } else {
        bucket = span > 0 ? span / (width - 1) : 1;
        sql = m4NumericSql(points, range.from, bucket);
      }
      const series = groupSeries(await read(conn, sql, cols, req.range), yNames, xy);
      return done({ ...base, series, bucket, method: `M4 over ${width} px` });
    }
    const bins = settings.bins;
    const binWidth = (r: ChartRange) => (r.to > r.from ? (r.to - r.from) / bins : 1);
    if (settings.type === 'histogram') {
      const w = binWidth(range);
      const rows = await read(conn, histogramSql(cols, range.from, w, bins), cols, req.range);
      const series = groupSeries(rows, ['rows'], (r) => [range.from + Number(r[1]) * w, Number(r[2])]);
      return done({ ...base, series, bucket: w, method: `${bins} bins` });
    }
    const ylo = toNumber(stats[4]);
    const yhi = toNumber(stats[5]);
    if (ylo === null || yhi === null) return done({ ...base, method: 'no y values in range' });
    const xw = binWidth(range);
    const yw = binWidth({ from: ylo, to: yhi });
    const rows = await read(conn, heatmapSql(cols, { lo: range.from, width: xw }, { lo: ylo, width: yw }, bins), cols, req.range);
    const points = rows.map((r) => [range.from + Number(r[0]) * xw, ylo + Number(r[1]) * yw, Number(r[2])]);
    return done({ ...base, series: [{ name: 'rows', y: 0, points }], bucket: xw, yBucket: yw, method: `${bins} × ${bins} bins` });
  });
}
