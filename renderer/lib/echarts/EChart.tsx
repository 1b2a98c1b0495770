import { getInstanceByDom, init, type ECharts } from 'echarts/core';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { useColorScheme } from '../theme';
// Registers the chart types and components (side effect) before any chart is made.
import './registry';
import type { ChartOption } from './registry';
import { describeDrawn } from './drawn';

if (typeof window !== 'undefined') {
  window.describeChart = (element) => {
    const chart = element instanceof HTMLElement ? getInstanceByDom(element) : undefined;
    return chart && !chart.isDisposed() ? describeDrawn(chart) : null;
  };
}

/** What a parent can do with a chart (export, later). */
export interface EChartHandle {
  /** The chart as a PNG data URL (transparent background filled for the theme), or null before it exists. */
  toPng(options?: { pixelRatio?: number }): string | null;
}

export type ChartEventHandler = (params: unknown) => void;

interface Props {
  option: ChartOption;
  /** CSS height; the width follows the container. Default 280 px. */
  height?: number | string;
  /** ECharts events by name (`click`, `legendselectchanged`, ...). */
  onEvents?: Readonly<Record<string, ChartEventHandler>>;
  /** Describes the chart for screen readers. */
  ariaLabel?: string;
  className?: string;
  testId?: string;
  ref?: Ref<EChartHandle>;
}

/**
 * The app's one ECharts wrapper: creates the chart for the current light/dark theme, follows
 * the container's size, re-applies the option when it changes and disposes on unmount.
 * Tooltip and label formatters must escape data (see escape.ts).
 */
export function EChart({ option, height = 280, onEvents, ariaLabel, className, testId, ref }: Props) {
  const host = useRef<HTMLDivElement | null>(null);
  const chart = useRef<ECharts | null>(null);
  const scheme = useColorScheme();

  // One instance per theme: dark is ECharts' built-in theme; the page background shows through.
  // The option is applied by the next effect, which also runs when the theme changes.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const instance = init(el, scheme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      if (!instance.isDisposed()) instance.resize();
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option, scheme]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || !onEvents) return;
    const entries = Object.entries(onEvents);
    for (const [name, handler] of entries) instance.on(name, handler);
    return () => {
      if (instance.isDisposed()) return;
      for (const [name, handler] of entries) instance.off(name, handler);
    };
  }, [onEvents, scheme]);

  useImperativeHandle(
    ref,
    () => ({
      toPng: (options) => {
        const instance = chart.current;
        if (!instance) return null;
        const bg =
          getComputedStyle(document.documentElement).getPropertyValue('--bg').trim() || (scheme === 'dark' ? '#1e1f22' : '#ffffff');
        return instance.getDataURL({ type: 'png', pixelRatio: options?.pixelRatio ?? 2, backgroundColor: bg });
      },
    }),
    [scheme],
  );

  return (
    <div
      ref={host}
      className={className ? `echart ${className}` : 'echart'}
      style={{ height, width: '100%' }}
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
    />
  );
}
