import { useMemo, type Ref } from 'react';
import type { EChartHandle } from '../../lib/echarts/EChart';
import type { PanelCell, PanelData, Scope } from '../../../shared/api/dashboard';
import { HEALTH_CLASSES, HEALTH_LABELS, type HealthClass } from '../../../shared/domain/health';
import { hrefFor, useRoute } from '../../app/router';
import { AlertTable, EventTable } from './EventTables';
import { DashboardHeader } from './DashboardHeader';
import { SiteSignSetting } from './AnalyticsSettings';
import { StringEventPanels } from './EventsPanels';
import { JarLink } from './JarLink';
import { HEALTH_COLORS } from './palette';
import { PanelBox } from './PanelBox';
import { fixed, records, text } from './panelData';
import { seriesOption, type Marker, type SeriesChartInput } from './seriesOption';
import { TimeChart } from './TimeChart';
import { idFromRest, useDashboard } from './useDashboard';
import { useMarkers } from './useMarkers';

type ScopeKindOfView = 'location' | 'system' | 'string';

/** The chart's input, with the panel's data in place of its rows. */
interface SeriesPanelProps extends Omit<SeriesChartInput, 'rows' | 'markers'> {
  data: PanelData;
  markers: Marker[];
  testId: string;
  chartRef: Ref<EChartHandle>;
}

export function SeriesChart(props: SeriesPanelProps) {
  const { data, quantity, unit, digits, zone, fromMs, toMs, markers, nameOf, testId, chartRef } = props;
  const option = useMemo(
    () => seriesOption({ rows: data.rows, nameOf, quantity, unit, digits, zone, fromMs, toMs, markers }),
    [data, nameOf, quantity, unit, digits, zone, fromMs, toMs, markers],
  );
  return <TimeChart option={option} ariaLabel={`${quantity} over time`} testId={testId} chartRef={chartRef} />;
}

/** The legend name the ambient panel gives each sensor ("Battery room temperature"). */
const sensorName = (k: PanelCell, row: readonly PanelCell[]): string => (typeof row[3] === 'string' ? row[3] : `sensor ${text(k)}`);

/** The battery rooms' temperature (left axis) and relative humidity (right axis): rows (k, t, v, name, sensor_type, unit). */
function AmbientChart(props: Omit<SeriesPanelProps, 'quantity' | 'unit' | 'digits' | 'nameOf'>) {
  const { data, zone, fromMs, toMs, markers, testId, chartRef } = props;
  const option = useMemo(() => {
    const humidity = new Set(data.rows.filter((r) => r[4] === 'humidity').map((r) => String(r[0])));
    return seriesOption({
      rows: data.rows,
      nameOf: sensorName,
      quantity: 'Temperature',
      unit: '°C',
      digits: 1,
      zone,
      fromMs,
      toMs,
      markers,
      right: { keys: humidity, quantity: 'Humidity', unit: '%RH', digits: 1 },
    });
  }, [data, zone, fromMs, toMs, markers]);
  return <TimeChart option={option} ariaLabel="Battery room temperature and humidity over time" testId={testId} chartRef={chartRef} />;
}

export function HealthBadge({ health }: { health: PanelCell }) {
  const c = (HEALTH_CLASSES as readonly string[]).includes(String(health)) ? (String(health) as HealthClass) : 'unknown';
  return (
    <span className="health-badge" style={{ borderColor: HEALTH_COLORS[c], color: HEALTH_COLORS[c] }} data-testid="health-badge">
      {HEALTH_LABELS[c]}
    </span>
  );
}

function HealthMix({ r }: { r: Record<string, PanelCell> }) {
  const total = HEALTH_CLASSES.reduce((a, c) => a + (typeof r[c] === 'number' ? r[c] : 0), 0) || 1;
  return (
    <span className="health-mix" title={HEALTH_CLASSES.map((c) => `${HEALTH_LABELS[c]}: ${text(r[c])}`).join(', ')}>
      {HEALTH_CLASSES.map((c) => {
        const n = typeof r[c] === 'number' ? r[c] : 0;
        return n > 0 ? <span key={c} style={{ width: `${(n / total) * 100}%`, background: HEALTH_COLORS[c] }} /> : null;
      })}
    </span>
  );
}

function ChildrenTable({ data, kind }: { data: PanelData; kind: ScopeKindOfView }) {
  const rows = records(data);
  if (kind === 'string') {
    return (
      <table className="dash-table" data-testid="children-table">
        <thead>
          <tr>
            <th>Jar</th>
            <th>Serial</th>
            <th>Health</th>
            <th className="num">Drift (%)</th>
            <th className="num">Voltage (V)</th>
            <th className="num">Temperature (°C)</th>
            <th className="num">Resistance (mΩ)</th>
            <th className="num">RUL (days)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={text(r.id)}>
              <td>
                <JarLink id={r.id} name={r.name} testId="jar-link" />
              </td>
              <td>{text(r.detail)}</td>
              <td>
                <HealthBadge health={r.health} />
              </td>
              <td className="num">{fixed(r.drift_pct_max, 1)}</td>
              <td className="num">{fixed(r.voltage_v, 3)}</td>
              <td className="num">{fixed(r.temperature_c, 1)}</td>
              <td className="num">{fixed(r.resistance_mohm, 2)}</td>
              <td className="num">{fixed(r.rul_days, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <table className="dash-table" data-testid="children-table">
      <thead>
        <tr>
          <th>{kind === 'location' ? 'System' : 'String'}</th>
          <th>{kind === 'location' ? 'Type' : 'Model'}</th>
          <th className="num">Jars</th>
          <th>Health mix</th>
          {HEALTH_CLASSES.map((c) => (
            <th key={c} className="num">
              {HEALTH_LABELS[c]}
            </th>
          ))}
          <th className="num">Worst drift (%)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={text(r.id)}>
            <td>
              <a href={hrefFor(text(r.kind), text(r.id))}>{text(r.name)}</a>
            </td>
            <td>{text(r.detail)}</td>
            <td className="num">{text(r.jars)}</td>
            <td>
              <HealthMix r={r} />
            </td>
            {HEALTH_CLASSES.map((c) => (
              <td key={c} className="num">
                {text(r[c])}
              </td>
            ))}
            <td className="num">{fixed(r.drift_pct_max, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CHILD_TITLE: Record<ScopeKindOfView, string> = { location: 'Systems', system: 'Strings', string: 'Jars' };

/** Site, system and string dashboards: string voltage and current, balance, temperatures, ambient, alerts, maintenance. */
export function ScopeView({ kind }: { kind: ScopeKindOfView }) {
  const route = useRoute();
  const id = idFromRest(route.rest);
  const scope: Scope | null = useMemo(() => (id === null ? null : { kind, id }), [kind, id]);
  const frame = useDashboard(scope);
  const { fromMs, toMs, zone } = frame;
  const markers = useMarkers(frame.panelScope, fromMs, toMs, { alerts: 'scope.alerts', events: 'scope.events' });
  const stringName = useMemo(() => {
    const single = kind === 'string' ? frame.entity?.name : null;
    return (k: PanelCell, row: readonly PanelCell[]) => single ?? (typeof row[3] === 'string' ? row[3] : `string ${text(k)}`);
  }, [kind, frame.entity?.name]);

  if (id === null) {
    return (
      <div className="dash-view">
        <div className="empty">
          Open a {kind === 'location' ? 'site' : kind} from the <a href={hrefFor('fleet')}>fleet overview</a>.
        </div>
      </div>
    );
  }
  const p = { scope: frame.panelScope, fromMs, toMs };
  const series = (
    data: PanelData,
    chartRef: SeriesPanelProps['chartRef'],
    quantity: string,
    unit: string,
    digits: number,
    testId: string,
  ) => (
    <SeriesChart
      data={data}
      quantity={quantity}
      unit={unit}
      digits={digits}
      zone={zone}
      fromMs={fromMs}
      toMs={toMs}
      markers={markers}
      nameOf={stringName}
      testId={testId}
      chartRef={chartRef}
    />
  );
  return (
    <div className="dash-view" data-testid={`${kind}-view`}>
      <DashboardHeader frame={frame} />
      <div className="dash-grid">
        <PanelBox panel="scope.children" {...p} title={CHILD_TITLE[kind]} wide>
          {(data) => <ChildrenTable data={data} kind={kind} />}
        </PanelBox>
        <PanelBox
          panel="scope.stringVoltage"
          {...p}
          title="String voltage"
          subtitle="V · alerts (red), maintenance (dashed), capacity tests (shaded)"
        >
          {(data, { chartRef }) => series(data, chartRef, 'Voltage', 'V', 2, 'chart-string-voltage')}
        </PanelBox>
        <PanelBox panel="scope.stringCurrent" {...p} title="String current" subtitle="A · + charging, − discharging">
          {(data, { chartRef }) => series(data, chartRef, 'Current', 'A', 2, 'chart-string-current')}
        </PanelBox>
        {kind !== 'string' && (
          <PanelBox panel="scope.balance" {...p} title="Jar voltage spread (balance)" subtitle="max − min jar voltage per string, V">
            {(data, { chartRef }) => series(data, chartRef, 'Spread', 'V', 3, 'chart-balance')}
          </PanelBox>
        )}
        {/* Discharge events, EFC and the voltage spread (it stands for the balance panel here) */}
        {kind === 'string' && (
          <StringEventPanels scope={frame.panelScope} fromMs={fromMs} toMs={toMs} zone={zone} markers={markers} stringName={stringName} />
        )}
        <PanelBox panel="scope.temperature" {...p} title="Hottest jar temperature" subtitle="°C per string">
          {(data, { chartRef }) => series(data, chartRef, 'Temperature', '°C', 1, 'chart-temperature')}
        </PanelBox>
        <PanelBox
          panel="scope.ambient"
          {...p}
          title="Ambient"
          subtitle="battery room: temperature °C (left), relative humidity %RH (right)"
          emptyText="No battery-room sensor readings in this range."
        >
          {(data, { chartRef }) => (
            <AmbientChart
              data={data}
              zone={zone}
              fromMs={fromMs}
              toMs={toMs}
              markers={markers}
              testId="chart-ambient"
              chartRef={chartRef}
            />
          )}
        </PanelBox>
        <PanelBox panel="scope.alerts" {...p} title="Alerts in range" wide emptyText="No alerts in this range.">
          {(data) => <AlertTable data={data} zone={zone} />}
        </PanelBox>
        <PanelBox
          panel="scope.events"
          {...p}
          title="Maintenance and capacity tests"
          wide
          emptyText="No maintenance or capacity tests in this range."
        >
          {(data) => <EventTable data={data} zone={zone} />}
        </PanelBox>
        {kind === 'location' && <SiteSignSetting locationId={id} />}
      </div>
    </div>
  );
}

export function LocationView() {
  return <ScopeView kind="location" />;
}
export function SystemView() {
  return <ScopeView kind="system" />;
}
export function StringView() {
  return <ScopeView kind="string" />;
}
