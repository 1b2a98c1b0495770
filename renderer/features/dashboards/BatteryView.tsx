import { useMemo } from 'react';
import type { PanelCell, Scope } from '../../../shared/api/dashboard';
import { hrefFor, useRoute } from '../../app/router';
import { EChart } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
import { DashboardHeader } from './DashboardHeader';
import { AlertTable, EventTable } from './EventTables';
import { PanelBox } from './PanelBox';
import { fixed, records, text } from './panelData';
import { HealthBadge, SeriesChart } from './ScopeView';
import { seriesOption } from './seriesOption';
import { SohTrend } from './SohPanels';
import { JarZPanel } from './EventsPanels';
import { formatTime } from './timeFormat';
import { idFromRest, useDashboard } from './useDashboard';
import { useMarkers } from './useMarkers';
import { rollupBuildText, usePanel, useRollupBuild } from './usePanel';

/** #/battery/<id>: one jar's voltage, temperature and internal resistance, alerts, maintenance, RUL, health. */
export function BatteryView() {
  const route = useRoute();
  const id = idFromRest(route.rest);
  const scope: Scope | null = useMemo(() => (id === null ? null : { kind: 'battery', id }), [id]);
  const frame = useDashboard(scope);
  const { fromMs, toMs, zone } = frame;
  const markers = useMarkers(frame.panelScope, fromMs, toMs, { alerts: 'battery.alerts', events: 'battery.events' });
  const health = usePanel('battery.health', frame.panelScope, fromMs, toMs, 1000);
  const h = health.data ? records(health.data)[0] : undefined;
  const healthBuild = useRollupBuild(health.data?.rollups);
  const jarName = useMemo(() => {
    const n = frame.entity?.name ?? 'jar';
    return (_k: PanelCell) => n;
  }, [frame.entity?.name]);

  if (id === null) {
    return (
      <div className="dash-view">
        <div className="empty">
          Open a jar from the <a href={hrefFor('fleet')}>fleet overview</a>.
        </div>
      </div>
    );
  }
  const p = { scope: frame.panelScope, fromMs, toMs };
  const badge = h ? (
    <span className="jar-health">
      <HealthBadge health={h.health ?? 'unknown'} />
      <span className="dim" data-testid="jar-drift">
        drift {fixed(h.drift_pct, 1)} % (baseline {fixed(h.baseline_mohm, 2)} mΩ → {fixed(h.current_mohm, 2)} mΩ) · RUL{' '}
        {fixed(h.rul_days, 0)} days
      </span>
    </span>
  ) : healthBuild ? (
    <span className="jar-health dim" role="status" data-testid="jar-health-building">
      Health: {rollupBuildText(healthBuild, 'Building')}
    </span>
  ) : null;
  const chart = (metric: 'voltage' | 'temperature' | 'resistance', quantity: string, unit: string, digits: number, subtitle: string) => (
    <PanelBox panel={`battery.${metric}`} {...p} title={quantity} subtitle={subtitle} wide>
      {(data, { chartRef }) => (
        <SeriesChart
          data={data}
          quantity={quantity}
          unit={unit}
          digits={digits}
          zone={zone}
          fromMs={fromMs}
          toMs={toMs}
          markers={markers}
          nameOf={jarName}
          testId={`chart-${metric}`}
          chartRef={chartRef}
        />
      )}
    </PanelBox>
  );
  return (
    <div className="dash-view" data-testid="battery-view">
      <DashboardHeader frame={frame} badge={badge} />
      <div className="dash-grid">
        {chart('voltage', 'Voltage', 'V', 3, 'V · alerts (red), maintenance (dashed), capacity tests (shaded)')}
        {chart('temperature', 'Temperature', '°C', 1, '°C')}
        {chart('resistance', 'Internal resistance', 'mΩ', 2, 'mΩ')}
        <PanelBox panel="battery.rul" {...p} title="Remaining useful life" subtitle="days, daily prediction">
          {(data, { chartRef }) => {
            const option = seriesOption({
              rows: data.rows.map((r) => ['RUL', r[0], r[1]]),
              nameOf: () => 'RUL',
              quantity: 'RUL',
              unit: 'days',
              digits: 0,
              zone,
              fromMs,
              toMs,
            });
            return (
              <EChart
                option={option as ChartOption}
                height={220}
                ariaLabel="Remaining useful life over time"
                testId="chart-rul"
                ref={chartRef}
              />
            );
          }}
        </PanelBox>
        <PanelBox panel="battery.health" {...p} title="Health" subtitle="internal resistance vs the jar's baseline">
          {(data) => {
            const r = records(data)[0];
            return (
              <dl className="health-facts">
                <dt>Class</dt>
                <dd>
                  <HealthBadge health={r.health ?? 'unknown'} />
                </dd>
                <dt>Drift vs baseline</dt>
                <dd>{fixed(r.drift_pct, 1)} %</dd>
                <dt>Baseline (first days)</dt>
                <dd>{fixed(r.baseline_mohm, 3)} mΩ</dd>
                <dt>Latest daily mean</dt>
                <dd>
                  {fixed(r.current_mohm, 3)} mΩ{' '}
                  {typeof r.current_day === 'number' ? `(${formatTime(r.current_day, 'UTC').slice(0, 11)} UTC)` : ''}
                </dd>
                <dt>Nominal (model)</dt>
                <dd>{fixed(r.nominal_resistance_mohm, 2)} mΩ</dd>
                <dt>Remaining useful life</dt>
                <dd>{r.rul_days === null ? '—' : `${text(r.rul_days)} days`}</dd>
              </dl>
            );
          }}
        </PanelBox>
        <PanelBox
          panel="battery.soh"
          {...p}
          title="State of health"
          subtitle="daily, from resistance drift · knee marked · RUL computed and from rul_prediction"
          wide
        >
          {(data, { chartRef }) => <SohTrend data={data} zone={zone} fromMs={fromMs} toMs={toMs} chartRef={chartRef} />}
        </PanelBox>
        {/* Sibling anomalies */}
        <JarZPanel scope={frame.panelScope} fromMs={fromMs} toMs={toMs} zone={zone} />
        <PanelBox panel="battery.alerts" {...p} title="Alerts in range" wide emptyText="No alerts for this jar in this range.">
          {(data) => <AlertTable data={data} zone={zone} />}
        </PanelBox>
        <PanelBox
          panel="battery.events"
          {...p}
          title="Maintenance and capacity tests"
          wide
          emptyText="No maintenance or capacity tests in this range."
        >
          {(data) => <EventTable data={data} zone={zone} />}
        </PanelBox>
      </div>
    </div>
  );
}
