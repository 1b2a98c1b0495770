import { init, use as registerParts, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { describeDrawn, type DrawnChart } from './drawn';
import type { ChartOption } from './registry';
import './registry';

registerParts([SVGRenderer]);

type Size = { width: number; height: number };

/** Draws an option with real ECharts off-screen (server-side SVG, no DOM) and reads the drawn chart with `read`. */
function drawn<T>(option: ChartOption, size: Size, read: (chart: EChartsType) => T): T {
  const chart = init(null as unknown as HTMLElement, undefined, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption(option);
    return read(chart);
  } finally {
    chart.dispose();
  }
}

/**
 * Renders an option off-screen and reads what it draws: the tick labels ECharts picks and formats, and the marks
 * with a visible size. For unit tests of chart options.
 */
export function ssrDrawn(option: ChartOption, size: Size = { width: 640, height: 320 }): DrawnChart {
  return drawn(option, size, describeDrawn);
}

/** Renders an option off-screen and returns its SVG markup (for layout checks with `svgTextBox`). */
export function ssrSvg(option: ChartOption, size: Size = { width: 640, height: 320 }): string {
  return drawn(option, size, (chart) => chart.renderToSVGString());
}

/**
 * The vertical extent [top, bottom] of a text ECharts drew into `svg` (from its translate, its own y offset and
 * its font size, centred as ECharts sets them): for tests that two texts do not overlap or that a text fits.
 */
export function svgTextBox(svg: string, text: string): [number, number] {
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    if (m[2] !== text) continue;
    const attrs = m[1];
    const size = Number(/font-size:([\d.]+)px/.exec(attrs)?.[1] ?? 12);
    const y = Number(/ y="(-?[\d.]+)"/.exec(attrs)?.[1] ?? 0);
    const ty = Number(/translate\(-?[\d.]+ (-?[\d.]+)\)/.exec(attrs)?.[1] ?? 0);
    return [ty + y - size / 2, ty + y + size / 2];
  }
  throw new Error(`The chart drew no text "${text}".`);
}
