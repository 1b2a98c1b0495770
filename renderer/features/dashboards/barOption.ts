import { tooltipHtml } from '../../lib/echarts/escape';
import { tickLabel } from '../../lib/echarts/ticks';
import type { DashboardOption } from './chartParts';

export interface BarSeries {
  name: string;
  values: (number | null)[];
  color?: string;
  /** Per-bar colours (overrides `color`). */
  colors?: string[];
}

export interface BarInput {
  /** Category labels: data text, drawn on the canvas as text and escaped in tooltips. */
  categories: string[];
  series: BarSeries[];
  horizontal?: boolean;
  stacked?: boolean;
  /** The value axis's name, with its unit: "Remaining useful life (days)". */
  valueName: string;
  categoryName?: string;
  digits?: number;
  unit?: string;
  /** Counts: the value axis ticks stay whole numbers. */
  integer?: boolean;
  /** A value as its bar's label and tooltip show it (default: `digits` decimals and `unit`). */
  valueText?: (value: number) => string;
  /** More tooltip lines for a category (e.g. a jar's id), escaped like the rest. */
  details?: (index: number) => [label: string, value: string][];
}

/** Smallest length (px) of a drawn bar: a zero or overdue value in a ranked chart stays visible, with its label. */
export const MIN_BAR_PX = 4;

/**
 * A bar chart option with escaped tooltips; category labels are canvas text (never HTML). The value axis's ticks
 * carry the precision its range needs (tickLabel), its unit stays in its name. Unstacked charts (the ranked ones)
 * label every bar with its value and draw zero values as a short bar, so the extremes stay visible.
 */
export function barOption(input: BarInput): DashboardOption {
  const digits = input.digits ?? 0;
  const unit = input.unit ? ` ${input.unit}` : '';
  const valueText = input.valueText ?? ((v: number) => `${v.toFixed(digits)}${unit}`);
  const labelled = input.stacked !== true;
  const category = {
    type: 'category' as const,
    data: input.categories,
    name: input.categoryName,
    inverse: input.horizontal === true,
    axisLabel: {
      width: input.horizontal ? 170 : 90,
      overflow: 'truncate' as const,
      hideOverlap: !input.horizontal,
      interval: input.horizontal ? 0 : ('auto' as const),
    },
  };
  const value = {
    type: 'value' as const,
    name: input.valueName,
    nameLocation: 'middle' as const,
    nameGap: input.horizontal ? 24 : 40,
    minInterval: input.integer ? 1 : undefined,
    axisLabel: { formatter: tickLabel, hideOverlap: true },
  };
  return {
    animation: false,
    grid: {
      left: input.horizontal ? 180 : 56,
      // Room for the value labels at the bars' ends.
      right: labelled && input.horizontal ? 64 : 24,
      top: input.series.length > 1 ? 30 : labelled && !input.horizontal ? 22 : 12,
      bottom: input.horizontal ? 36 : 44,
    },
    legend: input.series.length > 1 ? { top: 2, textStyle: { fontSize: 11 } } : { show: false },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { seriesName?: unknown; value?: unknown; dataIndex?: unknown }[];
        const idx = typeof list[0]?.dataIndex === 'number' ? list[0].dataIndex : -1;
        const title = input.categories[idx] ?? '';
        return tooltipHtml(title, [
          ...list.map((p): [string, string] => [String(p.seriesName ?? ''), typeof p.value === 'number' ? valueText(p.value) : '—']),
          ...(input.details?.(idx) ?? []),
        ]);
      },
    },
    xAxis: input.horizontal ? value : category,
    yAxis: input.horizontal ? category : value,
    series: input.series.map((s) => ({
      type: 'bar' as const,
      name: s.name,
      stack: input.stacked ? 'total' : undefined,
      color: s.color,
      barMaxWidth: 28,
      barMinHeight: labelled ? MIN_BAR_PX : 0,
      label: labelled
        ? {
            show: true,
            position: input.horizontal ? ('right' as const) : ('top' as const),
            fontSize: 11,
            formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? valueText(p.value) : ''),
          }
        : { show: false },
      data: s.colors ? s.values.map((v, i) => ({ value: v, itemStyle: { color: s.colors?.[i] } })) : s.values,
    })),
  } as DashboardOption;
}

/** The category index of a clicked bar, from an ECharts click event. */
export function clickedIndex(params: unknown): number {
  const p = params as { dataIndex?: unknown };
  return typeof p?.dataIndex === 'number' ? p.dataIndex : -1;
}
