import { useMemo, type Ref } from 'react';
import type { PanelCell, PanelData, Scope } from '../../../shared/api/dashboard';
import type { EChartHandle } from '../../lib/echarts/EChart';
import { EChart } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
import { barOption } from './barOption';
import { ANOMALY_LABELS, durationText, EVENT_COLORS, EVENT_LABELS, scoreText, timelineOption, zScoreOption } from './eventsOption';
import { JarLink } from './JarLink';
import { PanelBox } from './PanelBox';
import { fixed, records, text } from './panelData';
import { SeriesChart } from './ScopeView';
import type { Marker } from './seriesOption';
import { formatTime } from './timeFormat';
import { TimeChart } from './TimeChart';

interface PanelProps {
  scope: Scope | null;
  fromMs: number;
  toMs: number;
  zone: string;
}

function EventsTimeline({
  data,
  zone,
  fromMs,
  toMs,
  chartRef,
}: {
  data: PanelData;
  zone: string;
  fromMs: number;
  toMs: number;
  chartRef: Ref<EChartHandle>;
}) {
  const option = useMemo(() => timelineOption(records(data), { zone, fromMs, toMs }), [data, zone, fromMs, toMs]);
  return (
    <div>
      <TimeChart
        option={option}
        height={180}
        ariaLabel="Charge, discharge, float and rest periods over time"
        testId="chart-events"
        chartRef={chartRef}
      />
      <ul className="events-legend" aria-label="Period kinds">
        {Object.entries(EVENT_LABELS).map(([k, label]) => (
          <li key={k}>
            <span className="swatch" style={{ background: EVENT_COLORS[k] }} /> {label}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DischargeTable({ data, zone }: { data: PanelData; zone: string }) {
  const rows = records(data);
  return (
    <div className="dash-table-wrap">
      <table className="dash-table" data-testid="discharge-table">
        <thead>
          <tr>
            <th>Start</th>
            <th>End</th>
            <th>Duration</th>
            <th className="num">Depth (Ah)</th>
            <th className="num">Depth (%)</th>
            <th className="num">Energy (Wh)</th>
            <th className="num">Min voltage (V)</th>
            <th>Weakest jar (V at the end)</th>
            <th className="num">EFC so far</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={text(r.start)} data-testid="discharge-row">
              <td>{typeof r.start === 'number' ? formatTime(r.start, zone) : '—'}</td>
              <td>{typeof r.end === 'number' ? formatTime(r.end, zone) : '—'}</td>
              <td>{durationText(r.duration_s)}</td>
              <td className="num">{fixed(r.ah, 1)}</td>
              <td className="num">{fixed(r.depth_pct, 1)}</td>
              <td className="num">{fixed(r.energy_wh, 0)}</td>
              <td className="num">{fixed(r.min_voltage_v, 2)}</td>
              <td>
                {r.weakest_battery_id === null ? (
                  '—'
                ) : (
                  <>
                    <JarLink id={r.weakest_battery_id} name={r.weakest_jar} testId="weakest-jar" />{' '}
                    <span className="dim">{fixed(r.weakest_voltage_v, 3)}</span>
                  </>
                )}
              </td>
              <td className="num">{fixed(r.efc_cumulative, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EfcChart({ data, chartRef }: { data: PanelData; chartRef: Ref<EChartHandle> }) {
  const rows = records(data);
  const string = rows.find((r) => r.battery_id === null);
  const jars = rows.filter((r) => r.battery_id !== null);
  const option = barOption({
    categories: jars.map((r) => `J${text(r.position)}`),
    valueName: 'EFC',
    digits: 3,
    details: (i) => [
      ['Jar', text(jars[i]?.jar)],
      ['Discharged', `${fixed(jars[i]?.discharged_ah, 1)} Ah of ${fixed(jars[i]?.rated_ah, 0)} Ah rated`],
    ],
    series: [{ name: 'EFC', values: jars.map((r) => (typeof r.efc === 'number' ? r.efc : null)), color: EVENT_COLORS.discharge }],
  });
  // 24 bars are too close for a value label each: the tooltip has it.
  const unlabelled = { ...option, series: (option.series as Record<string, unknown>[]).map((x) => ({ ...x, label: { show: false } })) };
  return (
    <div>
      <p className="efc-string" data-testid="efc-string">
        String: <strong>{fixed(string?.efc, 3)}</strong> equivalent full cycles ({fixed(string?.discharged_ah, 1)} Ah discharged,{' '}
        {fixed(string?.rated_ah, 0)} Ah rated)
      </p>
      <EChart
        option={unlabelled as ChartOption}
        height={200}
        ariaLabel="Equivalent full cycles per jar"
        testId="chart-efc"
        ref={chartRef}
      />
    </div>
  );
}

/** #/string/<id>: the string's periods over time, its discharge events, its EFC and its voltage spread. */
export function StringEventPanels({
  scope,
  fromMs,
  toMs,
  zone,
  markers,
  stringName,
}: PanelProps & { markers: Marker[]; stringName: (k: PanelCell, row: readonly PanelCell[]) => string }) {
  const p = { scope, fromMs, toMs };
  return (
    <>
      <PanelBox
        panel="string.events"
        {...p}
        title="Charge and discharge periods"
        subtitle="from the string current (sign per site)"
        wide
        emptyText="No string readings in this range."
      >
        {(data, { chartRef }) => <EventsTimeline data={data} zone={zone} fromMs={fromMs} toMs={toMs} chartRef={chartRef} />}
      </PanelBox>
      <PanelBox
        panel="string.discharges"
        {...p}
        title="Discharge events"
        subtitle="outages and capacity tests"
        wide
        emptyText="No discharge in this range."
      >
        {(data) => <DischargeTable data={data} zone={zone} />}
      </PanelBox>
      <PanelBox
        panel="string.spread"
        {...p}
        title="Voltage spread"
        wide
        subtitle="max − min jar voltage, V (hourly means beyond 3 days)"
        emptyText="No jar readings in this range."
      >
        {(data, { chartRef }) => (
          <SeriesChart
            data={data}
            quantity="Spread"
            unit="V"
            digits={3}
            zone={zone}
            fromMs={fromMs}
            toMs={toMs}
            markers={markers}
            nameOf={stringName}
            testId="chart-spread"
            chartRef={chartRef}
          />
        )}
      </PanelBox>
      <PanelBox
        panel="string.efc"
        {...p}
        title="Equivalent full cycles"
        subtitle="in range, string and per jar"
        emptyText="No string readings in this range."
      >
        {(data, { chartRef }) => <EfcChart data={data} chartRef={chartRef} />}
      </PanelBox>
    </>
  );
}

function ZChart({
  data,
  zone,
  fromMs,
  toMs,
  chartRef,
}: {
  data: PanelData;
  zone: string;
  fromMs: number;
  toMs: number;
  chartRef: Ref<EChartHandle>;
}) {
  const rows = useMemo(() => records(data), [data]);
  const option = useMemo(() => zScoreOption(rows, { zone, fromMs, toMs }), [rows, zone, fromMs, toMs]);
  const r = rows[0];
  const peaks = ['voltage', 'temperature', 'resistance'].map((m) => {
    const zs = rows.filter((x) => x.metric === m && typeof x.z === 'number').map((x) => Number(x.z));
    const peak = zs.reduce((a, z) => (Math.abs(z) > Math.abs(a) ? z : a), 0);
    return { m, peak, n: zs.length };
  });
  return (
    <div>
      <TimeChart option={option} ariaLabel="The jar's z-scores against its siblings over time" testId="chart-zscore" chartRef={chartRef} />
      <p className="dim z-facts" data-testid="z-facts">
        Persistent outlier: |z| ≥ {text(r?.z_threshold)} for at least {text(r?.min_hours)} h. Largest |z| in range:{' '}
        {peaks.map((x) => `${x.m} ${x.n === 0 ? '—' : x.peak.toFixed(1)}`).join(', ')}.
      </p>
    </div>
  );
}

/** #/battery/<id>: the jar against its siblings, per moment and metric, with the outlier threshold. */
export function JarZPanel({ scope, fromMs, toMs, zone }: PanelProps) {
  return (
    <PanelBox
      panel="battery.zscore"
      scope={scope}
      fromMs={fromMs}
      toMs={toMs}
      title="Against its siblings"
      subtitle="z-score of voltage, temperature and resistance vs the other jars of its string"
      wide
      emptyText="No readings of this jar or its siblings in this range."
    >
      {(data, { chartRef }) => <ZChart data={data} zone={zone} fromMs={fromMs} toMs={toMs} chartRef={chartRef} />}
    </PanelBox>
  );
}

function AnomaliesTable({ data, zone }: { data: PanelData; zone: string }) {
  const rows = records(data);
  return (
    <div className="dash-table-wrap">
      <table className="dash-table" data-testid="anomalies-table">
        <thead>
          <tr>
            <th>Jar</th>
            <th>Site</th>
            <th>Kind</th>
            <th className="num">Score</th>
            <th className="num">Mean</th>
            <th>From</th>
            <th>To</th>
            <th>Lasted</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${text(r.battery_id)}-${text(r.kind)}-${text(r.start)}`} data-testid="anomaly-row">
              <td>
                <JarLink id={r.battery_id} name={r.jar} testId="anomaly-jar-link" />
              </td>
              <td>{text(r.site)}</td>
              <td>{ANOMALY_LABELS[text(r.kind)] ?? text(r.kind)}</td>
              <td className="num">{scoreText(r.kind, r.score)}</td>
              <td className="num">{r.kind === 'hotspot' ? `+${fixed(r.mean, 1)} °C` : `z ${fixed(r.mean, 2)}`}</td>
              <td>{typeof r.start === 'number' ? formatTime(r.start, zone) : '—'}</td>
              <td>{typeof r.end === 'number' ? formatTime(r.end, zone) : '—'}</td>
              <td>{typeof r.start === 'number' && typeof r.end === 'number' ? durationText((r.end - r.start) / 1000) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** #/fleet: persistent sibling outliers and hotspots across the fleet, highest score first, each linking to its jar. */
export function AnomaliesNowPanel({ scope, fromMs, toMs, zone }: PanelProps) {
  return (
    <PanelBox
      panel="fleet.anomalies"
      scope={scope}
      fromMs={fromMs}
      toMs={toMs}
      title="Anomalies now"
      subtitle="persistent sibling outliers and hotspots in range, highest score first, top 50 (the export has all)"
      wide
      emptyText="No persistent outlier or hotspot in this range."
    >
      {(data) => <AnomaliesTable data={data} zone={zone} />}
    </PanelBox>
  );
}
