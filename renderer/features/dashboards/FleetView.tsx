import { useMemo, type Ref } from 'react';
import type { PanelCell, PanelData, Scope } from '../../../shared/api/dashboard';
import { HEALTH_CLASSES, HEALTH_LABELS } from '../../../shared/domain/health';
import { hrefFor } from '../../app/router';
import { EChart, type EChartHandle } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
import { barOption, clickedIndex } from './barOption';
import { DashboardHeader } from './DashboardHeader';
import { AnomalySettings } from './AnalyticsSettings';
import { AnomaliesNowPanel } from './EventsPanels';
import { HealthSettings, driftColorFor, useThresholds } from './HealthSettings';
import { HEALTH_COLORS, SEVERITY_COLORS } from './palette';
import { PanelBox } from './PanelBox';
import { fixed, numOr, records, rulText, text } from './panelData';
import { WeakestJarsTable } from './SohPanels';
import { ago, formatTime } from './timeFormat';
import { useDashboard } from './useDashboard';

const FLEET: Scope = { kind: 'fleet' };

/** Tooltip lines of a ranked jar: its id (the name is the bar's label) and its site. */
function jarDetails(r: Record<string, PanelCell> | undefined): [string, string][] {
  return r
    ? [
        ['Jar id', text(r.battery_id)],
        ['Site', text(r.site)],
      ]
    : [];
}

function go(kind: 'location' | 'battery', id: number): void {
  window.location.hash = hrefFor(kind, String(id));
}

function SitesChart({ data, chartRef }: { data: PanelData; chartRef: Ref<EChartHandle> }) {
  const rows = records(data);
  const option = useMemo(
    () =>
      barOption({
        categories: rows.map((r) => text(r.name)),
        horizontal: true,
        stacked: true,
        valueName: 'Jars',
        integer: true,
        series: HEALTH_CLASSES.map((c) => ({ name: HEALTH_LABELS[c], color: HEALTH_COLORS[c], values: rows.map((r) => numOr(r[c])) })),
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data],
  );
  const events = useMemo(
    () => ({
      click: (p: unknown) => {
        const id = rows[clickedIndex(p)]?.location_id;
        if (typeof id === 'number') go('location', id);
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data],
  );
  return (
    <EChart
      option={option as ChartOption}
      height={Math.max(140, 50 + rows.length * 30)}
      ariaLabel="Jars per site by health class"
      testId="chart-sites"
      onEvents={events}
      ref={chartRef}
    />
  );
}

/** #/fleet: the fleet's health at a glance; every chart drills down. */
export function FleetView() {
  const frame = useDashboard(FLEET);
  const { fromMs, toMs, siteTime } = frame;
  const p = { scope: frame.panelScope, fromMs, toMs };
  return (
    <div className="dash-view" data-testid="fleet-view">
      <DashboardHeader frame={frame} />
      <div className="dash-grid">
        <PanelBox
          panel="fleet.sites"
          {...p}
          title="Sites: jars by health class"
          subtitle="drift of internal resistance vs each jar's baseline"
          wide
        >
          {(data, { chartRef }) => (
            <>
              <SitesChart data={data} chartRef={chartRef} />
              <table className="dash-table" data-testid="sites-table">
                <thead>
                  <tr>
                    <th>Site</th>
                    <th>Code</th>
                    <th className="num">Jars</th>
                    {HEALTH_CLASSES.map((c) => (
                      <th key={c} className="num">
                        {HEALTH_LABELS[c]}
                      </th>
                    ))}
                    <th className="num">Open alerts (critical / warning)</th>
                  </tr>
                </thead>
                <tbody>
                  {records(data).map((r) => (
                    <tr key={text(r.location_id)}>
                      <td>
                        <a href={hrefFor('location', text(r.location_id))}>{text(r.name)}</a>
                      </td>
                      <td>{text(r.code)}</td>
                      <td className="num">{text(r.jars)}</td>
                      {HEALTH_CLASSES.map((c) => (
                        <td key={c} className="num">
                          {text(r[c])}
                        </td>
                      ))}
                      <td className="num">
                        {text(r.alerts_critical)} / {text(r.alerts_warning)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </PanelBox>
        <PanelBox panel="fleet.alerts" {...p} title="Active alerts by severity" emptyText="No open alerts.">
          {(data, { chartRef }) => {
            const rows = records(data);
            const types = [...new Set(rows.map((r) => text(r.alert_type)))];
            const option = barOption({
              categories: types,
              stacked: true,
              valueName: 'Open alerts',
              integer: true,
              series: ['critical', 'warning'].map((sev) => ({
                name: sev,
                color: SEVERITY_COLORS[sev],
                values: types.map((t) => numOr(rows.find((r) => r.alert_type === t && r.severity === sev)?.alerts)),
              })),
            });
            return (
              <EChart
                option={option as ChartOption}
                height={220}
                ariaLabel="Open alerts by type and severity"
                testId="chart-alerts"
                ref={chartRef}
              />
            );
          }}
        </PanelBox>
        <PanelBox panel="fleet.atRisk" {...p} title="Jars at risk (lowest RUL)" subtitle="remaining useful life, days">
          {(data, { chartRef }) => {
            const rows = records(data);
            const option = barOption({
              categories: rows.map((r) => text(r.jar)),
              horizontal: true,
              valueName: 'Remaining useful life (days)',
              valueText: rulText,
              details: (i) => jarDetails(rows[i]),
              series: [
                {
                  name: 'RUL',
                  values: rows.map((r) => numOr(r.rul_days)),
                  colors: rows.map((r) =>
                    numOr(r.rul_days) < 90 ? HEALTH_COLORS.replace : numOr(r.rul_days) < 365 ? HEALTH_COLORS.degraded : HEALTH_COLORS.watch,
                  ),
                },
              ],
            });
            return (
              <EChart
                option={option as ChartOption}
                height={Math.max(160, 30 + rows.length * 24)}
                ariaLabel="Jars with the lowest remaining useful life"
                testId="chart-at-risk"
                ref={chartRef}
                onEvents={{ click: (ev) => go('battery', numOr(rows[clickedIndex(ev)]?.battery_id)) }}
              />
            );
          }}
        </PanelBox>
        <PanelBox
          panel="fleet.weakest"
          {...p}
          title="Weakest jars"
          subtitle="lowest state of health first, top 20 (the export has every jar)"
          wide
          emptyText="No jar has readings in this range."
        >
          {(data) => <WeakestJarsTable data={data} />}
        </PanelBox>
        {/* Sibling anomalies */}
        <AnomaliesNowPanel scope={p.scope} fromMs={p.fromMs} toMs={p.toMs} zone={frame.zone} />
        <PanelBox panel="fleet.hotspots" {...p} title="Temperature hotspots" subtitle="peak jar temperature in range, °C">
          {(data, { chartRef }) => {
            const rows = records(data);
            const option = barOption({
              categories: rows.map((r) => text(r.jar)),
              horizontal: true,
              valueName: 'Peak jar temperature (°C)',
              digits: 1,
              unit: '°C',
              details: (i) => jarDetails(rows[i]),
              series: [
                {
                  name: 'Peak',
                  values: rows.map((r) => numOr(r.temperature_max)),
                  colors: rows.map((r) =>
                    numOr(r.temperature_max) >= 35
                      ? HEALTH_COLORS.replace
                      : numOr(r.temperature_max) >= 30
                        ? HEALTH_COLORS.degraded
                        : HEALTH_COLORS.watch,
                  ),
                },
              ],
            });
            return (
              <EChart
                option={option as ChartOption}
                height={Math.max(160, 30 + rows.length * 24)}
                ariaLabel="Hottest jars"
                testId="chart-hotspots"
                ref={chartRef}
                onEvents={{ click: (ev) => go('battery', numOr(rows[clickedIndex(ev)]?.battery_id)) }}
              />
            );
          }}
        </PanelBox>
        <PanelBox
          panel="fleet.drift"
          {...p}
          title="Resistance drift vs baseline"
          subtitle="% over each jar's own baseline"
          emptyText="No jar has a baseline yet (it needs more history than the baseline window)."
        >
          {(data, { chartRef }) => <DriftChart data={data} chartRef={chartRef} />}
        </PanelBox>
        <PanelBox panel="fleet.freshness" {...p} title="Data freshness per site">
          {(data) => (
            <table className="dash-table" data-testid="freshness-table">
              <thead>
                <tr>
                  <th>Site</th>
                  <th>Newest reading ({siteTime ? 'site time' : 'UTC'})</th>
                  <th>Age</th>
                  <th className="num">Jars reporting (last hour)</th>
                </tr>
              </thead>
              <tbody>
                {records(data).map((r) => {
                  const last = typeof r.last_reading === 'number' ? r.last_reading : null;
                  const stale = last === null || Date.now() - last > 3 * 3_600_000;
                  return (
                    <tr key={text(r.location_id)} className={stale ? 'stale' : undefined}>
                      <td>
                        <a href={hrefFor('location', text(r.location_id))}>{text(r.name)}</a>
                      </td>
                      <td>{last === null ? 'no data' : formatTime(last, siteTime ? text(r.time_zone) || 'UTC' : 'UTC')}</td>
                      <td>{last === null ? '—' : ago(last, Date.now())}</td>
                      <td className="num">{fixed(r.jars_last_hour, 0)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </PanelBox>
        <HealthSettings />
        <AnomalySettings />
      </div>
    </div>
  );
}

function DriftChart({ data, chartRef }: { data: PanelData; chartRef: Ref<EChartHandle> }) {
  const { thresholds } = useThresholds();
  const rows = records(data);
  const option = barOption({
    categories: rows.map((r) => `${fixed(r.bin_from, 0)}…${fixed(r.bin_to, 0)} %`),
    valueName: 'Jars',
    integer: true,
    categoryName: 'Drift (%)',
    series: [
      { name: 'Jars', values: rows.map((r) => numOr(r.jars)), colors: rows.map((r) => driftColorFor(numOr(r.bin_from), thresholds)) },
    ],
  });
  return (
    <EChart
      option={option as ChartOption}
      height={220}
      ariaLabel="Distribution of internal-resistance drift"
      testId="chart-drift"
      ref={chartRef}
    />
  );
}
