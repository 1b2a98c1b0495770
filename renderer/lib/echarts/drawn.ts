import type { ECharts } from 'echarts/core';

/** One axis as drawn: its kind, type, name and the tick labels it shows. */
export interface DrawnAxis {
  axis: string;
  type: string;
  name: string;
  labels: string[];
}

/** What a chart draws, as plain data: its axes' tick labels and how many data marks have a visible size. */
export interface DrawnChart {
  axes: DrawnAxis[];
  /** Bars at least a pixel long and wide, pie slices with an angle, points of lines and scatters inside the canvas. */
  marks: number;
  /** The names of the mark lines and mark points over the series (e.g. a knee, an alert), series by series. */
  markers: string[];
}

declare global {
  interface Window {
    /**
     * What the chart in a `.echart` element draws (tick labels, visible marks), for the developer tools and the
     * end-to-end checks: canvas charts have no DOM of their own to read. Read-only plain data, never the chart
     * instance, so nothing can change a chart or its formatters through it. Set by EChart.tsx.
     */
    describeChart?: (element: Element) => DrawnChart | null;
  }
}

/** The parts of ECharts' model read here (its computed layout, after the last render). */
interface AxisModelView {
  get(key: string): unknown;
  axis?: { type?: string; getViewLabels(): { formattedLabel: string }[] };
}
interface SeriesView {
  subType: string;
  getData(): { count(): number; getItemLayout(i: number): unknown; getLayout(key: string): unknown };
}
interface ModelView {
  eachComponent(mainType: string, cb: (m: AxisModelView, index: number) => void): void;
  eachSeries(cb: (s: SeriesView) => void): void;
}

function visible(layout: unknown, width: number, height: number): boolean {
  if (Array.isArray(layout)) {
    const [x, y] = layout as unknown[];
    return typeof x === 'number' && typeof y === 'number' && x >= 0 && y >= 0 && x <= width && y <= height;
  }
  if (!layout || typeof layout !== 'object') return false;
  const l = layout as Record<string, unknown>;
  if (typeof l.width === 'number' && typeof l.height === 'number') return Math.abs(l.width) >= 1 && Math.abs(l.height) >= 1;
  if (typeof l.startAngle === 'number' && typeof l.endAngle === 'number' && typeof l.r === 'number') {
    return Math.abs(l.endAngle - l.startAngle) > 1e-3 && l.r > 0;
  }
  return false;
}

/**
 * Reads what a rendered chart shows from ECharts' own model: every cartesian axis's tick labels (as formatted,
 * after ECharts picked the ticks for the visible range) and the count of data marks with a visible size.
 */
export function describeDrawn(chart: ECharts): DrawnChart {
  const model = (chart as unknown as { getModel(): ModelView }).getModel();
  const axes: DrawnAxis[] = [];
  for (const mainType of ['xAxis', 'yAxis']) {
    model.eachComponent(mainType, (m, index) => {
      if (!m.axis || m.get('show') === false) return;
      axes.push({
        axis: `${mainType}[${index}]`,
        type: m.axis.type ?? '',
        name: typeof m.get('name') === 'string' ? (m.get('name') as string) : '',
        labels:
          m.get('axisLabel') && (m.get('axisLabel') as { show?: boolean }).show === false
            ? []
            : m.axis.getViewLabels().map((l) => l.formattedLabel),
      });
    });
  }
  let marks = 0;
  const width = chart.getWidth();
  const height = chart.getHeight();
  model.eachSeries((s) => {
    const data = s.getData();
    // Lines keep their points in one typed array (x, y, x, y, …); bars, pies and scatters one layout per item.
    const points = data.getLayout('points');
    if (points instanceof Float32Array || points instanceof Float64Array) {
      for (let i = 0; i + 1 < points.length; i += 2) if (visible([points[i], points[i + 1]], width, height)) marks++;
      return;
    }
    for (let i = 0; i < data.count(); i++) if (visible(data.getItemLayout(i), width, height)) marks++;
  });
  // Marker models live inside their series (not in the model's components): read them from the merged option.
  const markers: string[] = [];
  const series = (chart.getOption() as { series?: Record<string, { data?: unknown[] } | undefined>[] }).series ?? [];
  for (const s of series) {
    for (const key of ['markLine', 'markPoint']) {
      for (const d of s[key]?.data ?? []) {
        const item = (Array.isArray(d) ? d[0] : d) as { name?: unknown } | undefined;
        if (typeof item?.name === 'string') markers.push(item.name);
      }
    }
  }
  return { axes, marks, markers };
}

/** The labels that appear more than once on one axis. */
export function duplicateLabels(axis: DrawnAxis): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const l of axis.labels) (seen.has(l) ? dup : seen).add(l);
  return [...dup];
}
