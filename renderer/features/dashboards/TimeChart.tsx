import { getInstanceByDom } from 'echarts/core';
import { useEffect, useMemo, useRef, type Ref, type RefObject } from 'react';
import { EChart, type EChartHandle } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
// Registers the mark lines, points and areas and the toolbox the dashboards' options use (a type import alone does not).
import './chartParts';
import type { DashboardOption } from './chartParts';
import { setDashboardSettings } from './timeRange';

interface Props {
  option: DashboardOption;
  height?: number;
  ariaLabel: string;
  testId?: string;
  chartRef?: Ref<EChartHandle>;
}

/** Reads the selected x values out of a `datazoom` event from the toolbox's drag-to-zoom. */
export function zoomValues(params: unknown): { from: number; to: number } | null {
  const p = params as { batch?: unknown };
  const first = Array.isArray(p?.batch) ? (p.batch[0] as Record<string, unknown> | undefined) : undefined;
  const a = first?.startValue;
  const b = first?.endValue;
  if (typeof a !== 'number' || typeof b !== 'number' || !(b > a)) return null;
  return { from: a, to: b };
}

/** Reads the new window out of a `datazoom` event from the toolbox's drag-to-zoom. */
export function zoomWindow(params: unknown): { fromMs: number; toMs: number } | null {
  const v = zoomValues(params);
  return v && { fromMs: Math.floor(v.from), toMs: Math.ceil(v.to) };
}

/** Turns drag-to-zoom on in the chart under `wrap` (without clicking the toolbox icon first), again when `option` changes. */
export function useDragToZoom(wrap: RefObject<HTMLDivElement | null>, option: unknown): void {
  useEffect(() => {
    const host = wrap.current?.querySelector<HTMLDivElement>('.echart');
    const chart = host ? getInstanceByDom(host) : undefined;
    chart?.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
  }, [wrap, option]);
}

/**
 * A time-series chart whose drag selects a new range: the dashboards re-query (and re-downsample) for it,
 * so zooming into a year ends at the raw 5-minute readings.
 */
export function TimeChart({ option, height = 240, ariaLabel, testId, chartRef }: Props) {
  const wrap = useRef<HTMLDivElement | null>(null);
  const events = useMemo(
    () => ({
      datazoom: (params: unknown) => {
        const w = zoomWindow(params);
        if (w && w.toMs - w.fromMs >= 10 * 60_000) setDashboardSettings({ range: { kind: 'custom', fromMs: w.fromMs, toMs: w.toMs } });
      },
    }),
    [],
  );

  useDragToZoom(wrap, option);

  return (
    <div ref={wrap} className="time-chart">
      <EChart option={option as ChartOption} height={height} ariaLabel={ariaLabel} testId={testId} onEvents={events} ref={chartRef} />
    </div>
  );
}
