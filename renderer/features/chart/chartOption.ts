import { HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import { ToolboxComponent, VisualMapComponent, type ToolboxComponentOption, type VisualMapComponentOption } from 'echarts/components';
import { use as registerChartParts, type ComposeOption } from 'echarts/core';
import type { ChartColumnKind, ChartData } from '../../../shared/api/chart';
import { formatterParam, tooltipHtml } from '../../lib/echarts/escape';
import type { ChartOption } from '../../lib/echarts/registry';
import { tickLabel } from '../../lib/echarts/ticks';
import { SERIES_COLORS } from '../dashboards/palette';
import { axisLabel, formatTime } from '../dashboards/timeFormat';

/** What result charts add to the app's ECharts parts: heatmaps with their colour scale, and drag-to-zoom. */
registerChartParts([HeatmapChart, VisualMapComponent, ToolboxComponent]);

export type ResultChartOption = ChartOption & ComposeOption<HeatmapSeriesOption | ToolboxComponentOption | VisualMapComponentOption>;

/** Whether a drag on the chart zooms (re-queries the range): charts on a time or number x axis that are not heatmaps. */
export function zoomable(data: ChartData): boolean {
  return data.type !== 'bar' && data.type !== 'heatmap' && data.xKind !== 'text';
}

/** A value on an axis of this kind as text: times in UTC (the engine's wall clock for TIMESTAMP), numbers exactly. */
export function valueText(v: number, kind: ChartColumnKind, spanMs = 0): string {
  if (kind !== 'time') return tickLabel(v);
  return spanMs > 0 && spanMs < 600_000 ? new Date(v).toISOString().replace('T', ' ').replace('Z', '') : formatTime(v, 'UTC');
}

function valueAxis(kind: ChartColumnKind, name: string, range: { from: number; to: number } | null) {
  if (kind === 'time') {
    const span = range ? range.to - range.from : 0;
    return {
      type: 'time' as const,
      name,
      ...(range ? { min: range.from, max: range.to } : {}),
      // The tick's own unit (as the dashboards' time axes): ticks every 12 hours over 3 days say their hour too.
      axisLabel: {
        hideOverlap: true,
        formatter: (v: number, _i: number, extra?: { time?: { lowerTimeUnit?: string } }) =>
          axisLabel(v, 'UTC', span, extra?.time?.lowerTimeUnit),
      },
      splitLine: { show: false },
    };
  }
  return {
    type: 'value' as const,
    name,
    scale: true,
    ...(range ? { min: range.from, max: range.to } : {}),
    axisLabel: { formatter: tickLabel },
  };
}

/** A column fills less than this share of its axis' height: it gets an axis of its own if a cut gives it more. */
const MIN_AXIS_FILL = 0.2;

/** Each y column's [lowest, highest] value over its series' points; bars from 0, as their axis draws them. */
function columnExtents(data: ChartData): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const s of data.series) {
    for (const p of s.points) {
      const v = p[1];
      if (!Number.isFinite(v)) continue;
      const e = out.get(s.y);
      if (e) {
        e[0] = Math.min(e[0], v);
        e[1] = Math.max(e[1], v);
      } else out.set(s.y, data.type === 'bar' ? [Math.min(0, v), Math.max(0, v)] : [v, v]);
    }
  }
  return out;
}

/** The least share of their shared axis' span any of these columns spans (1 when none varies). */
function leastFill(extents: readonly [number, number][]): number {
  const span = Math.max(...extents.map((e) => e[1])) - Math.min(...extents.map((e) => e[0]));
  if (!(span > 0)) return 1;
  // A column with one value is a flat line on any axis: it never asks for an axis of its own.
  return Math.min(...extents.map(([lo, hi]) => (hi > lo ? (hi - lo) / span : 1)));
}

/**
 * The y columns (ChartData.yColumns indexes) drawn on a second, right-hand axis: when one shared axis leaves a
 * column spanning under a fifth of its height (a day's row count of ~40,000 flattens a mean voltage of ~13 V to a
 * line on the floor), the columns are cut in two by their values' middles, at the cut that leaves the flattest
 * column the most height; the group of the first column keeps the left axis. Empty for one column, histograms and
 * heatmaps, or when one axis does.
 */
export function rightAxisColumns(data: ChartData): Set<number> {
  if (data.type !== 'line' && data.type !== 'scatter' && data.type !== 'bar') return new Set();
  const extents = [...columnExtents(data)].sort((a, b) => a[1][0] + a[1][1] - (b[1][0] + b[1][1]));
  if (extents.length < 2) return new Set();
  const single = leastFill(extents.map((e) => e[1]));
  if (single >= MIN_AXIS_FILL) return new Set();
  let best = { fill: single, cut: 0 };
  for (let cut = 1; cut < extents.length; cut++) {
    const fill = Math.min(leastFill(extents.slice(0, cut).map((e) => e[1])), leastFill(extents.slice(cut).map((e) => e[1])));
    if (fill > best.fill) best = { fill, cut };
  }
  if (best.cut === 0) return new Set();
  const first = Math.min(...extents.map((e) => e[0]));
  const lower = extents.slice(0, best.cut).map((e) => e[0]);
  const upper = extents.slice(best.cut).map((e) => e[0]);
  return new Set(lower.includes(first) ? upper : lower);
}

const toolbox = {
  right: 8,
  top: 2,
  itemSize: 13,
  feature: { dataZoom: { yAxisIndex: 'none' as const, title: { zoom: 'Drag across the chart to zoom', back: 'Back' } } },
};

/**
 * The y axes of a line, scatter or bar chart: one, or the left one and a right-hand one for the columns in `right`
 * (rightAxisColumns), each named by its columns; and each series' axis.
 */
function yAxes(data: ChartData, yName: string, right: ReadonlySet<number>, base: Record<string, unknown>) {
  if (right.size === 0) return { axes: { ...base, name: yName }, axisOf: () => 0 };
  const named = (onRight: boolean) => data.yColumns.filter((_c, i) => right.has(i) === onRight).join(', ');
  return {
    axes: [
      { ...base, name: named(false) },
      { ...base, name: named(true), position: 'right' as const, splitLine: { show: false } },
    ],
    axisOf: (y: number) => (right.has(y) ? 1 : 0),
  };
}

/**
 * The ECharts option for a result chart's points. Every text from the data (column names, categories, series values)
 * is canvas text or goes through tooltipHtml (escaped); tooltips show values as text. The y columns in `right`
 * (rightAxisColumns: those one axis would flatten) are drawn against a right-hand axis.
 */
export function chartOption(data: ChartData, xName: string, yName: string, right: ReadonlySet<number> = new Set()): ResultChartOption {
  const legend =
    data.series.length > 1 ? { type: 'scroll' as const, top: 4, left: 8, right: 80, textStyle: { fontSize: 11 } } : { show: false };
  const grid = { left: 64, right: right.size > 0 ? 64 : 32, top: data.series.length > 1 ? 58 : 36, bottom: 48 };
  const color = SERIES_COLORS;
  const span = data.range ? data.range.to - data.range.from : 0;
  const xText = (v: number) => valueText(v, data.xKind, span);
  const base = { animation: false, useUTC: true, color, legend, grid };

  if (data.type === 'bar') {
    const bars = yAxes(data, yName, right, { type: 'value', axisLabel: { formatter: tickLabel } });
    return {
      ...base,
      tooltip: {
        trigger: 'axis',
        confine: true,
        formatter: (params: unknown) => {
          const list = (Array.isArray(params) ? params : [params]).map(formatterParam);
          const title = data.categories[Number((list[0]?.value as number[] | undefined)?.[0])] ?? '';
          return tooltipHtml(
            title,
            list.map((p) => [p.seriesName, tickLabel(Number((p.value as number[])[1]))]),
          );
        },
      },
      xAxis: {
        type: 'category',
        name: xName,
        nameLocation: 'middle',
        nameGap: 30,
        data: data.categories,
        axisLabel: { hideOverlap: true, width: 90, overflow: 'truncate' },
      },
      yAxis: bars.axes,
      series: data.series.map((s) => ({ type: 'bar', name: s.name, data: s.points, yAxisIndex: bars.axisOf(s.y) })),
    } as ResultChartOption;
  }

  if (data.type === 'heatmap') {
    const points = data.series[0]?.points ?? [];
    const max = points.reduce((m, p) => Math.max(m, p[2]), 0);
    const xs = [...new Set(points.map((p) => p[0]))].sort((a, b) => a - b);
    const ys = [...new Set(points.map((p) => p[1]))].sort((a, b) => a - b);
    const yText = (v: number) => valueText(v, data.yKind);
    return {
      ...base,
      grid: { ...grid, right: 90 },
      tooltip: {
        confine: true,
        formatter: (param: unknown) => {
          const v = formatterParam(param).value as number[];
          return tooltipHtml('', [
            [xName, `from ${xText(xs[v[0]])}`],
            [yName, `from ${yText(ys[v[1]])}`],
            ['rows', tickLabel(v[2])],
          ]);
        },
      },
      xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 30, data: xs.map(xText) },
      yAxis: { type: 'category', name: yName, data: ys.map(yText) },
      visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: 'vertical', right: 4, top: 'middle', itemHeight: 120 },
      series: [{ type: 'heatmap', name: 'rows', data: points.map((p) => [xs.indexOf(p[0]), ys.indexOf(p[1]), p[2]]) }],
    } as ResultChartOption;
  }

  const histogram = data.type === 'histogram';
  const values = yAxes(data, histogram ? 'rows' : yName, right, { type: 'value', scale: !histogram, axisLabel: { formatter: tickLabel } });
  return {
    ...base,
    toolbox,
    tooltip: {
      trigger: data.type === 'scatter' ? 'item' : 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]).map(formatterParam);
        const x = Number((list[0]?.value as number[] | undefined)?.[0]);
        const title = histogram ? `${xText(x)} to ${xText(x + data.bucket)}` : xText(x);
        return tooltipHtml(
          title,
          list.map((p) => [p.seriesName, tickLabel(Number((p.value as number[])[1]))]),
        );
      },
    },
    xAxis: { ...valueAxis(data.xKind, xName, data.range), nameLocation: 'middle', nameGap: 30 },
    yAxis: values.axes,
    series: data.series.map((s) =>
      histogram
        ? { type: 'bar', name: s.name, data: s.points.map((p) => [p[0] + data.bucket / 2, p[1]]), barWidth: '90%', barCategoryGap: '0%' }
        : data.type === 'scatter'
          ? { type: 'scatter', name: s.name, data: s.points, symbolSize: 3, large: s.points.length > 2000, yAxisIndex: values.axisOf(s.y) }
          : {
              type: 'line',
              name: s.name,
              yAxisIndex: values.axisOf(s.y),
              data: s.points,
              showSymbol: s.points.length < 3,
              symbolSize: 4,
              lineStyle: { width: 1.2 },
              emphasis: { disabled: true },
            },
    ),
  } as ResultChartOption;
}
