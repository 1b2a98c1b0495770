import type { PanelCell } from '../../../shared/api/dashboard';
import { EVENT_KINDS } from '../../../shared/domain/analytics';
import { tooltipHtml } from '../../lib/echarts/escape';
import type { DashboardOption } from './chartParts';
import { HEALTH_COLORS } from './palette';
import { markFirstSeries, referenceLines, seriesOption } from './seriesOption';
import { axisLabel, formatTime } from './timeFormat';

/** Discharge-event and sibling-anomaly charts and texts (pure: tested without a browser). */

export const EVENT_LABELS: Readonly<Record<string, string>> = { charge: 'Charge', discharge: 'Discharge', float: 'Float', rest: 'Rest' };
export const EVENT_COLORS: Readonly<Record<string, string>> = {
  charge: '#2f6fdb',
  discharge: '#cf222e',
  float: '#2da44e',
  rest: '#8c959f',
};

export const ANOMALY_LABELS: Readonly<Record<string, string>> = {
  voltage_outlier: 'Voltage outlier',
  temperature_outlier: 'Temperature outlier',
  resistance_outlier: 'Resistance outlier',
  hotspot: 'Hotspot',
};

/** "2 h 05 min", "45 min", "3 d 4 h": a duration in seconds as people read it. */
export function durationText(seconds: PanelCell | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  const min = Math.round(seconds / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** What an anomaly's score means: the largest |z| of an outlier, or the largest excess over ambient of a hotspot. */
export function scoreText(kind: PanelCell | undefined, score: PanelCell | undefined): string {
  if (typeof score !== 'number') return '—';
  return kind === 'hotspot' ? `+${score.toFixed(1)} °C` : `|z| ${score.toFixed(1)}`;
}

interface Range {
  zone: string;
  fromMs: number;
  toMs: number;
}

/**
 * The events timeline: one lane per kind (charge, discharge, float, rest), each period a thick bar from its start to
 * its end, with a mark at each end so a ten-minute outage in a month still shows. Tooltips name the period (escaped).
 */
export function timelineOption(events: Record<string, PanelCell>[], range: Range): DashboardOption {
  const lanes = [...EVENT_KINDS].reverse();
  const series = EVENT_KINDS.map((kind) => {
    const mine = events.filter((e) => e.kind === kind && typeof e.start === 'number' && typeof e.end === 'number');
    // Three points per period: its start, its end, and a gap (so periods are not joined).
    const data: unknown[] = [];
    for (const e of mine) data.push([e.start, kind], [e.end, kind], '-');
    return {
      type: 'line' as const,
      name: EVENT_LABELS[kind],
      data,
      color: EVENT_COLORS[kind],
      connectNulls: false,
      showSymbol: true,
      symbol: 'rect',
      symbolSize: [3, 16],
      lineStyle: { width: 16, cap: 'butt' as const },
      emphasis: { disabled: true },
      tooltip: {
        formatter: (p: unknown) => {
          const e = mine[Math.floor(((p as { dataIndex?: number }).dataIndex ?? 0) / 3)];
          if (!e) return '';
          const rows: [string, string][] = [
            ['From', formatTime(Number(e.start), range.zone)],
            ['To', formatTime(Number(e.end), range.zone)],
            ['Duration', durationText(e.duration_s)],
          ];
          if (kind === 'discharge' || kind === 'charge')
            rows.push(['Ah', Number(e.ah).toFixed(1)], ['Depth', `${Number(e.depth_pct).toFixed(1)} %`]);
          if (kind === 'discharge') rows.push(['Minimum voltage', `${Number(e.min_voltage_v).toFixed(2)} V`]);
          return tooltipHtml(EVENT_LABELS[kind], rows);
        },
      },
    };
  });
  const span = range.toMs - range.fromMs;
  return {
    animation: false,
    useUTC: true,
    grid: { left: 80, right: 24, top: 12, bottom: 28 },
    legend: { show: false },
    tooltip: { trigger: 'item', confine: true },
    xAxis: {
      type: 'time',
      min: range.fromMs,
      max: range.toMs,
      axisLabel: {
        hideOverlap: true,
        formatter: (v: number, _i: number, extra?: { time?: { lowerTimeUnit?: string } }) =>
          axisLabel(v, range.zone, span, extra?.time?.lowerTimeUnit),
      },
      splitLine: { show: false },
    },
    yAxis: { type: 'category', data: lanes, axisLabel: { formatter: (k: string) => EVENT_LABELS[k] ?? k }, axisTick: { show: false } },
    series,
  } as DashboardOption;
}

/**
 * A jar's z-scores against its siblings, one line per metric, with the persistent-outlier threshold drawn at +|z| and
 * -|z| (the rows carry it: the workspace's setting when they were read).
 */
export function zScoreOption(rows: Record<string, PanelCell>[], range: Range): DashboardOption {
  const threshold = typeof rows[0]?.z_threshold === 'number' ? rows[0].z_threshold : 3;
  const option = seriesOption({
    rows: rows.map((r) => [r.metric, r.ts, r.z]),
    nameOf: (k) => `${String(k).charAt(0).toUpperCase()}${String(k).slice(1)}`,
    quantity: 'z-score',
    unit: 'σ',
    digits: 2,
    ...range,
  });
  const label = `|z| ≥ ${threshold}`;
  const marked = markFirstSeries(option, {
    markLine: referenceLines(HEALTH_COLORS.replace, 1.2, label, [
      { yAxis: threshold, name: label },
      { yAxis: -threshold, name: `-${label}` },
    ]),
  });
  // The threshold stays in view even when the jar never comes near it.
  const peak = Math.max(threshold, ...rows.map((r) => (typeof r.z === 'number' ? Math.abs(r.z) : 0)));
  const bound = peak + 0.5 > 5 ? Math.ceil((peak + 0.5) / 5) * 5 : Math.ceil(peak + 0.5);
  const yAxis = { ...(option.yAxis as Record<string, unknown>), scale: false, min: -bound, max: bound };
  return { ...marked, yAxis } as DashboardOption;
}
