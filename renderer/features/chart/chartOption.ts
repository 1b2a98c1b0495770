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
      axisLabel: { hideOverlap: true, formatter: (v: number) => axisLabel(v, 'UTC', span) },
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

const toolbox = {
  right: 8,
  top: 2,
  itemSize: 13,
  feature: { dataZoom: { yAxisIndex: 'none' as const, title: { zoom: 'Drag across the chart to zoom', back: 'Back' } } },
};

/**
 * The ECharts option for a result chart's points. Every text from the data (column names, categories, series values)
 * is canvas text or goes through tooltipHtml (escaped); tooltips show values as text.
 */
export function chartOption(data: ChartData, xName: string, yName: string): ResultChartOption {
  const legend =
    data.series.length > 1 ? { type: 'scroll' as const, top: 4, left: 8, right: 80, textStyle: { fontSize: 11 } } : { show: false };
  const grid = { left: 64, right: 32, top: data.series.length > 1 ? 58 : 36, bottom: 48 };
  const color = SERIES_COLORS;
  const span = data.range ? data.range.to - data.range.from : 0;
  const xText = (v: number) => valueText(v, data.xKind, span);
  const base = { animation: false, useUTC: true, color, legend, grid };

  if (data.type === 'bar') {
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
      yAxis: { type: 'value', name: yName, axisLabel: { formatter: tickLabel } },
      series: data.series.map((s) => ({ type: 'bar', name: s.name, data: s.points })),
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
    yAxis: { type: 'value', name: histogram ? 'rows' : yName, scale: !histogram, axisLabel: { formatter: tickLabel } },
    series: data.series.map((s) =>
      histogram
        ? { type: 'bar', name: s.name, data: s.points.map((p) => [p[0] + data.bucket / 2, p[1]]), barWidth: '90%', barCategoryGap: '0%' }
        : data.type === 'scatter'
          ? { type: 'scatter', name: s.name, data: s.points, symbolSize: 3, large: s.points.length > 2000 }
          : {
              type: 'line',
              name: s.name,
              data: s.points,
              showSymbol: s.points.length < 3,
              symbolSize: 4,
              lineStyle: { width: 1.2 },
              emphasis: { disabled: true },
            },
    ),
  } as ResultChartOption;
}
