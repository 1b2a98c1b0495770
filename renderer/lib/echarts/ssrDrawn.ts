import { init, use as registerParts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { describeDrawn, type DrawnChart } from './drawn';
import type { ChartOption } from './registry';
import './registry';

registerParts([SVGRenderer]);

/**
 * Renders an option with real ECharts off-screen (server-side SVG, no DOM) and reads what it draws: the tick labels
 * ECharts picks and formats, and the marks with a visible size. For unit tests of chart options.
 */
export function ssrDrawn(option: ChartOption, size: { width: number; height: number } = { width: 640, height: 320 }): DrawnChart {
  const chart = init(null as unknown as HTMLElement, undefined, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption(option);
    return describeDrawn(chart);
  } finally {
    chart.dispose();
  }
}
