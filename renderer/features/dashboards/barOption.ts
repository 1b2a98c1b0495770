import { tooltipHtml } from '../../lib/echarts/escape';
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
  valueName: string;
  categoryName?: string;
  digits?: number;
  unit?: string;
}

/** A bar chart option with escaped tooltips; category labels are canvas text (never HTML). */
export function barOption(input: BarInput): DashboardOption {
  const digits = input.digits ?? 0;
  const unit = input.unit ? ` ${input.unit}` : '';
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
  const value = { type: 'value' as const, name: input.valueName, nameLocation: 'middle' as const, nameGap: input.horizontal ? 24 : 40 };
  return {
    animation: false,
    grid: { left: input.horizontal ? 180 : 56, right: 24, top: input.series.length > 1 ? 30 : 12, bottom: input.horizontal ? 36 : 44 },
    legend: input.series.length > 1 ? { top: 2, textStyle: { fontSize: 11 } } : { show: false },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { seriesName?: unknown; value?: unknown; dataIndex?: unknown }[];
        const idx = typeof list[0]?.dataIndex === 'number' ? list[0].dataIndex : -1;
        const title = input.categories[idx] ?? '';
        return tooltipHtml(
          title,
          list.map((p): [string, string] => [
            String(p.seriesName ?? ''),
            typeof p.value === 'number' ? `${p.value.toFixed(digits)}${unit}` : '—',
          ]),
        );
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
      data: s.colors ? s.values.map((v, i) => ({ value: v, itemStyle: { color: s.colors?.[i] } })) : s.values,
    })),
  } as DashboardOption;
}

/** The category index of a clicked bar, from an ECharts click event. */
export function clickedIndex(params: unknown): number {
  const p = params as { dataIndex?: unknown };
  return typeof p?.dataIndex === 'number' ? p.dataIndex : -1;
}
