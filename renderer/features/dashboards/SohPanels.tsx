import { useMemo, type Ref } from 'react';
import type { PanelCell, PanelData } from '../../../shared/api/dashboard';
import type { EChartHandle } from '../../lib/echarts/EChart';
import type { DashboardOption } from './chartParts';
import { JarLink } from './JarLink';
import { HEALTH_COLORS } from './palette';
import { records, text } from './panelData';
import { markFirstSeries, referenceLines, seriesOption } from './seriesOption';
import { computedRulShort, computedRulText, dayText, eolText, sohText, tableRulText } from './sohText';
import { TimeChart } from './TimeChart';

/** Where the rul_prediction figure comes from: its model_version (data, shown as text). */
function tableSource(r: Record<string, PanelCell> | undefined): string {
  return text(r?.table_source) || 'rul_prediction';
}

/** The daily SoH series with the knee marked (a vertical line and a pin on the curve), none when there is no knee. */
export function sohTrendOption(rows: Record<string, PanelCell>[], range: { zone: string; fromMs: number; toMs: number }): DashboardOption {
  const points = rows.filter((r) => typeof r.day === 'number' && typeof r.soh_resistance_day_pct === 'number');
  const option = seriesOption({
    rows: points.map((r) => ['soh', r.day, r.soh_resistance_day_pct]),
    nameOf: () => 'SoH (resistance)',
    quantity: 'State of health',
    unit: '%',
    digits: 1,
    ...range,
  });
  const knee = rows[0]?.knee_day;
  if (typeof knee !== 'number') return option;
  const atKnee = points.find((r) => r.day === knee)?.soh_resistance_day_pct;
  const label = `knee ${dayText(knee)}`;
  return markFirstSeries(option, {
    markLine: referenceLines(HEALTH_COLORS.degraded, 1.5, label, [{ xAxis: knee, name: label }]),
    ...(typeof atKnee === 'number'
      ? {
          markPoint: {
            silent: true,
            animation: false,
            symbol: 'circle',
            symbolSize: 9,
            itemStyle: { color: HEALTH_COLORS.degraded },
            label: { show: false },
            data: [{ coord: [knee, atKnee], name: label }],
          },
        }
      : {}),
  });
}

interface TrendProps {
  data: PanelData;
  zone: string;
  fromMs: number;
  toMs: number;
  chartRef: Ref<EChartHandle>;
}

/** #/battery/<id>: the jar's SoH trend with its knee, and beside it the computed RUL and the rul_prediction figure. */
export function SohTrend({ data, zone, fromMs, toMs, chartRef }: TrendProps) {
  const rows = useMemo(() => records(data), [data]);
  const option = useMemo(() => sohTrendOption(rows, { zone, fromMs, toMs }), [rows, zone, fromMs, toMs]);
  const r = rows[0];
  return (
    <div className="soh-layout">
      <div className="soh-chart">
        <TimeChart option={option} ariaLabel="State of health over time, knee marked" testId="chart-soh" chartRef={chartRef} />
      </div>
      <dl className="health-facts soh-facts">
        <dt>State of health</dt>
        <dd data-testid="soh-now">{r ? sohText(r) : '—'}</dd>
        <dt>Knee</dt>
        <dd data-testid="soh-knee">{typeof r?.knee_day === 'number' ? dayText(r.knee_day) : 'none found in this range'}</dd>
        <dt>RUL (computed)</dt>
        <dd data-testid="soh-rul">{r ? computedRulText(r) : '—'}</dd>
        <dt>RUL ({tableSource(r)})</dt>
        <dd data-testid="soh-rul-table">{r ? tableRulText(r) : '—'}</dd>
        <dt>End of life</dt>
        <dd>{r ? eolText(r) : '—'}</dd>
      </dl>
    </div>
  );
}

/** #/fleet: the jars of lowest state of health, each linking to its page. */
export function WeakestJarsTable({ data }: { data: PanelData }) {
  const rows = records(data);
  return (
    <table className="dash-table" data-testid="weakest-table">
      <thead>
        <tr>
          <th>Jar</th>
          <th>Site</th>
          <th className="num">SoH</th>
          <th>Knee</th>
          <th>RUL (computed)</th>
          <th>RUL (rul_prediction)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={text(r.battery_id)}>
            <td>
              <JarLink id={r.battery_id} name={r.jar} testId="weakest-jar-link" />
            </td>
            <td>{text(r.site)}</td>
            <td className="num">{sohText(r)}</td>
            <td>{typeof r.knee_day === 'number' ? dayText(r.knee_day) : '—'}</td>
            <td>{computedRulShort(r)}</td>
            <td title={tableSource(r)}>{tableRulText(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
