import { tickLabel } from '../../lib/echarts/ticks';
import type { PanelCell } from '../../../shared/api/dashboard';
import { tooltipHtml } from '../../lib/echarts/escape';
import type { DashboardOption } from './chartParts';
import { SERIES_COLORS, SEVERITY_COLORS } from './palette';
import { axisLabel, formatTime } from './timeFormat';

/** Something that happened, drawn over a time series: an alert, a maintenance visit, a capacity test. */
export interface Marker {
  kind: 'alert' | 'maintenance' | 'capacity_test';
  atMs: number;
  /** End of a capacity test (drawn as a shaded area). */
  toMs?: number | null;
  /** Text from the data: shown as text only. */
  label: string;
  severity?: string;
}

export interface SeriesChartInput {
  /** (k, t, v) rows: series key, epoch ms, value. */
  rows: readonly PanelCell[][];
  /** The series' legend name from its key and first row (string series carry their name as a fourth column). */
  nameOf: (k: PanelCell, row: readonly PanelCell[]) => string;
  quantity: string;
  unit: string;
  digits: number;
  zone: string;
  fromMs: number;
  toMs: number;
  markers?: readonly Marker[];
  /** A second quantity on a value axis of its own, on the right: the series of `keys` (e.g. humidity beside temperature). */
  right?: { keys: ReadonlySet<string>; quantity: string; unit: string; digits: number };
}

function num(v: PanelCell): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A time-series line chart option: downsampled points as they came, units on both axes, escaped tooltips. */
export function seriesOption(input: SeriesChartInput): DashboardOption {
  const groups = new Map<string, { name: string; data: [number, number][] }>();
  for (const r of input.rows) {
    const t = num(r[1]);
    const v = num(r[2]);
    if (t === null || v === null) continue;
    const key = String(r[0]);
    let g = groups.get(key);
    if (!g) {
      g = { name: input.nameOf(r[0], r), data: [] };
      groups.set(key, g);
    }
    g.data.push([t, v]);
  }
  const span = input.toMs - input.fromMs;
  const markers = input.markers ?? [];
  const lines = markers
    .filter((m) => m.kind !== 'capacity_test')
    .map((m) => ({
      xAxis: m.atMs,
      name: m.label,
      lineStyle: {
        color: m.kind === 'alert' ? (SEVERITY_COLORS[m.severity ?? ''] ?? SEVERITY_COLORS.warning) : '#6e7781',
        type: m.kind === 'alert' ? ('solid' as const) : ('dashed' as const),
        width: 1,
      },
      label: { show: false },
    }));
  const areas = markers
    .filter((m) => m.kind === 'capacity_test')
    .map(
      (m) =>
        [{ xAxis: m.atMs, name: m.label }, { xAxis: m.toMs ?? m.atMs + 3_600_000 }] as [{ xAxis: number; name: string }, { xAxis: number }],
    );
  const right = input.right;
  const onRight = [...groups.keys()].map((k) => right?.keys.has(k) ?? false);
  const series = [...groups.values()].map((g, i) => ({
    type: 'line' as const,
    name: g.name,
    ...(onRight[i] ? { yAxisIndex: 1 } : {}),
    data: g.data,
    showSymbol: g.data.length < 3,
    symbolSize: 4,
    lineStyle: { width: 1.2 },
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    emphasis: { disabled: true },
    ...(i === 0 && (lines.length > 0 || areas.length > 0)
      ? {
          markLine: { symbol: ['none', 'none'] as ['none', 'none'], silent: false, animation: false, data: lines },
          markArea: { silent: false, itemStyle: { color: 'rgba(130, 80, 223, 0.12)' }, data: areas },
        }
      : {}),
  }));
  const unitText = input.unit ? ` ${input.unit}` : '';
  const valueText = (seriesIndex: unknown, v: number): string =>
    right && typeof seriesIndex === 'number' && onRight[seriesIndex]
      ? `${v.toFixed(right.digits)}${right.unit ? ` ${right.unit}` : ''}`
      : `${v.toFixed(input.digits)}${unitText}`;
  const valueAxis = (quantity: string, unit: string, side: 'left' | 'right') => ({
    type: 'value',
    scale: true,
    name: `${quantity} (${unit})`,
    nameTextStyle: side === 'left' ? { align: 'left', padding: [0, 0, 0, -40] } : { align: 'right', padding: [0, -40, 0, 0] },
    // Precision from the ticks ECharts picks for the visible range (zoomed too), never fixed digits.
    axisLabel: { formatter: tickLabel },
    ...(side === 'right' ? { position: 'right', splitLine: { show: false } } : {}),
  });
  return {
    animation: false,
    useUTC: true,
    // With a legend, the plot starts lower so that the value axis' name sits between the legend and the plot.
    grid: { left: 56, right: right ? 56 : 24, top: groups.size > 1 ? 58 : 36, bottom: 28 },
    legend: groups.size > 1 ? { type: 'scroll', top: 4, left: 8, right: 80, textStyle: { fontSize: 11 } } : { show: false },
    toolbox: {
      right: 8,
      top: 2,
      itemSize: 13,
      feature: { dataZoom: { yAxisIndex: 'none', title: { zoom: 'Drag across the chart to zoom', back: 'Back' } } },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { seriesName?: unknown; seriesIndex?: unknown; value?: unknown }[];
        const first = list[0]?.value;
        const t = Array.isArray(first) && typeof first[0] === 'number' ? first[0] : null;
        const rows = list.map((p): [string, string] => {
          const v = Array.isArray(p.value) ? p.value[1] : null;
          return [String(p.seriesName ?? ''), typeof v === 'number' ? valueText(p.seriesIndex, v) : '—'];
        });
        return tooltipHtml(t === null ? '' : formatTime(t, input.zone), rows);
      },
    },
    xAxis: {
      type: 'time',
      min: input.fromMs,
      max: input.toMs,
      axisLabel: {
        hideOverlap: true,
        formatter: (v: number, _i: number, extra?: { time?: { lowerTimeUnit?: string } }) =>
          axisLabel(v, input.zone, span, extra?.time?.lowerTimeUnit),
      },
      splitLine: { show: false },
    },
    yAxis: right
      ? [valueAxis(input.quantity, input.unit, 'left'), valueAxis(right.quantity, right.unit, 'right')]
      : valueAxis(input.quantity, input.unit, 'left'),
    series,
  } as DashboardOption;
}

/** A dashed, labelled reference line (or lines) for a series' markLine: a knee, a threshold. */
export function referenceLines(color: string, width: number, label: string, data: Record<string, unknown>[]): Record<string, unknown> {
  return {
    symbol: ['none', 'none'],
    silent: true,
    animation: false,
    data,
    lineStyle: { color, type: 'dashed', width },
    label: { show: true, position: 'insideEndTop', formatter: () => label, color, fontSize: 11 },
  };
}

/** The option with `marks` (markLine, markPoint) on its first series, so they are drawn once whatever the series count. */
export function markFirstSeries(option: DashboardOption, marks: Record<string, unknown>): DashboardOption {
  const series = (option.series as Record<string, unknown>[]).map((s, i) => (i === 0 ? { ...s, ...marks } : s));
  return { ...option, series } as DashboardOption;
}
