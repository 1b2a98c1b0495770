import { getInstanceByDom } from 'echarts/core';
import { useEffect, useMemo, useRef, type Ref } from 'react';
import { EChart, type EChartHandle } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
import type { DashboardOption } from './chartParts';
import { setDashboardSettings } from './timeRange';

interface Props {
  option: DashboardOption;
  height?: number;
  ariaLabel: string;
  testId?: string;
  chartRef?: Ref<EChartHandle>;
}

/** Reads the new window out of a `datazoom` event from the toolbox's drag-to-zoom. */
export function zoomWindow(params: unknown): { fromMs: number; toMs: number } | null {
  const p = params as { batch?: unknown };
  const first = Array.isArray(p?.batch) ? (p.batch[0] as Record<string, unknown> | undefined) : undefined;
  const a = first?.startValue;
  const b = first?.endValue;
  if (typeof a !== 'number' || typeof b !== 'number' || !(b > a)) return null;
  return { fromMs: Math.floor(a), toMs: Math.ceil(b) };
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

  // Drag-to-zoom is on without clicking the toolbox icon first.
  useEffect(() => {
    const host = wrap.current?.querySelector<HTMLDivElement>('.echart');
    const chart = host ? getInstanceByDom(host) : undefined;
    chart?.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
  }, [option]);

  return (
    <div ref={wrap} className="time-chart">
      <EChart option={option as ChartOption} height={height} ariaLabel={ariaLabel} testId={testId} onEvents={events} ref={chartRef} />
    </div>
  );
}
