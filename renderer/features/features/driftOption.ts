import type { FeatureDrift } from '../../../shared/api/features';
import { formatterParam, tooltipHtml } from '../../lib/echarts/escape';
import type { ChartOption } from '../../lib/echarts/registry';

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(3));

/**
 * Weekly PSI of each column (one line each; a week with no figure is a gap), the alarm line, and the reference window
 * shaded. Column names come from definitions stored in the lake: tooltips escape them (legend labels are canvas text).
 */
export function driftOption(d: FeatureDrift): ChartOption {
  const weeks = [...new Set(d.columns.flatMap((c) => c.weeks.map((w) => w.week)))].sort();
  const refWeeks = weeks.filter((w) => w < d.reference.to);
  return {
    grid: { left: 56, right: 24, top: 56, bottom: 40 },
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = Array.isArray(params) ? params : [params];
        const first = formatterParam(list[0]);
        const week = weeks[first.dataIndex] ?? '';
        return tooltipHtml(
          `Week of ${week}${week < d.reference.to ? ' (reference)' : ''}`,
          list.map((p) => {
            const { seriesName, value } = formatterParam(p);
            return [seriesName, fmt(typeof value === 'number' ? value : null)] as const;
          }),
        );
      },
    },
    xAxis: { type: 'category', data: weeks, name: 'Week (UTC, from Monday)', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'value', name: 'PSI', min: 0 },
    series: d.columns.map((c, i) => {
      const byWeek = new Map(c.weeks.map((w) => [w.week, w.psi]));
      return {
        name: c.unit ? `${c.name} [${c.unit}]` : c.name,
        type: 'line' as const,
        showSymbol: weeks.length <= 60,
        connectNulls: false,
        data: weeks.map((w) => byWeek.get(w) ?? null),
        ...(i === 0
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed' as const, color: '#d9342b' },
                // Inside the plot, above the line's right end: at the end (the default) it ran past the chart's edge.
                label: { formatter: '{b}', position: 'insideEndTop' as const },
                data: [{ yAxis: d.threshold, name: `shifted at ${d.threshold}` }],
              },
              ...(refWeeks.length > 0
                ? {
                    markArea: {
                      silent: true,
                      itemStyle: { color: 'rgba(120, 120, 120, 0.12)' },
                      label: { formatter: 'reference', position: 'insideTop' as const },
                      data: [[{ xAxis: refWeeks[0] }, { xAxis: refWeeks[refWeeks.length - 1] }]] as [
                        { xAxis: string },
                        { xAxis: string },
                      ][],
                    },
                  }
                : {}),
            }
          : {}),
      };
    }),
  };
}
