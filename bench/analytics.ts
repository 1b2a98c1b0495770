import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SOH_SETTINGS } from '../shared/api/soh';
import { DEFAULT_ANOMALY_THRESHOLDS, DEFAULT_EVENT_THRESHOLDS, DEFAULT_SIGN_SETTINGS } from '../shared/domain/analytics';
import { runAnomalies, runEvents } from '../electron/core/analytics/analytics';
import type { AnomalyResolution } from '../electron/core/analytics/anomalies-sql';
import { runSoh } from '../electron/core/analytics/soh-analysis';
import type { SohQuery } from '../electron/core/analytics/soh-sql';
import type { Workbench } from '../electron/core/workbench';
import { median, p95, time } from './panel-timing';
import { openScaleWorkspace } from './scale-kit';
import { dataEnd } from './scale-panels';

const DAY_MS = 86_400_000;
/** Timed runs of each analysis (after one warm-up), and of its raw-telemetry counterpart (minutes each at full scale). */
const RUNS = 10;
const RAW_RUNS = 1;
/** The string whose events are timed: every string of a site sees the site's seeded outages. */
const EVENTS_STRING = 1;

const TARGETS = { anomaliesP95Ms: 1000, eventsP95Ms: 300, sohP95Ms: 2000 };

/** The same aggregates as gold.jar_daily / gold.jar_hourly, computed from raw telemetry: SoH's raw counterpart. */
const RAW_SOH_SOURCES: NonNullable<SohQuery['sources']> = {
  daily: `(SELECT battery_id, date_trunc('day', ts) AS bucket, avg(resistance_mohm) AS resistance_mean, count(*) AS n
    FROM telemetry GROUP BY ALL)`,
  hourly: `(SELECT battery_id, date_trunc('hour', ts) AS bucket, avg(voltage_v) AS voltage_mean, min(voltage_v) AS voltage_min
    FROM telemetry GROUP BY ALL)`,
};

/** Timings of `runs` calls after a warm-up (none for the raw counterparts: one run is minutes). */
async function timings(wb: Workbench, label: string, runs: number, fn: (conn: DuckDBConnection) => Promise<unknown>, warmUp = true) {
  const ms: number[] = [];
  for (let i = warmUp ? 0 : 1; i < runs + 1; i++) {
    const t = await time(() => wb.engine.withConnection(fn));
    if (i > 0) ms.push(t);
    process.stderr.write(`  ${label}: ${Math.round(t)} ms\n`);
  }
  return { p50: Math.round(median(ms) * 10) / 10, p95: p95(ms), runs: ms.map((m) => Math.round(m)) };
}

/**
 * Issue 18's analyses on `demo --scale full` (90 days, 2,376 jars; the scale benchmark's cached workspace): sibling
 * anomalies of the whole fleet over 90 days, the events of one string over 90 days, SoH and knee of every jar. Each
 * p95 against its target, and against the same computation over raw telemetry in the same process (anomalies at raw
 * resolution, SoH over daily and hourly aggregates of raw rows). Events read raw string rows either way (an hourly
 * mean would smear a 10-minute outage), so their counterpart is the whole fleet's events.
 */
export async function benchAnalytics(): Promise<Record<string, unknown>> {
  const { wb, builtMs } = await openScaleWorkspace('90d');
  try {
    const toMs = await dataEnd(wb);
    const fromMs = toMs - 90 * DAY_MS;
    const anomalies = (resolution: AnomalyResolution) => (conn: DuckDBConnection) =>
      runAnomalies(conn, { fromMs, toMs, thresholds: DEFAULT_ANOMALY_THRESHOLDS, resolution });
    const events = (stringId: number | undefined) => (conn: DuckDBConnection) =>
      runEvents(conn, { fromMs, toMs, stringId, kinds: ['discharge'], thresholds: DEFAULT_EVENT_THRESHOLDS, sign: DEFAULT_SIGN_SETTINGS });
    const soh = (sources?: SohQuery['sources']) => (conn: DuckDBConnection) =>
      runSoh(conn, { settings: { ...DEFAULT_SOH_SETTINGS }, toMs, ...(sources ? { sources } : {}) });

    process.stderr.write('  the analyses once, for what they find\n');
    const found = await wb.engine.withConnection(async (conn) => ({
      anomalies: (await anomalies('hourly')(conn)).anomalies.length,
      events: (await events(EVENTS_STRING)(conn)).events.length,
      knees: (await soh()(conn)).rows.filter((r) => r.knee_date !== null).length,
    }));
    const a = await timings(wb, 'anomalies, fleet, 90 days, rollups', RUNS, anomalies('hourly'));
    const aRaw = await timings(wb, 'anomalies, fleet, 90 days, raw', RAW_RUNS, anomalies('raw'), false);
    const e = await timings(wb, 'events, one string, 90 days', RUNS, events(EVENTS_STRING));
    const eFleet = await timings(wb, 'events, fleet, 90 days', RAW_RUNS, events(undefined), false);
    const s = await timings(wb, 'soh, every jar, rollups', RUNS, soh());
    const sRaw = await timings(wb, 'soh, every jar, raw', RAW_RUNS, soh(RAW_SOH_SOURCES), false);
    const ratio = (x: { p50: number }, y: { p50: number }) => Math.round((x.p50 / y.p50) * 100) / 100;
    const figures = {
      workspace: { scale: 'full', days: 90, builtMs },
      found,
      anomaliesFleet90d: {
        ...a,
        targetP95Ms: TARGETS.anomaliesP95Ms,
        pass: a.p95 <= TARGETS.anomaliesP95Ms,
        source: 'gold.jar_hourly, gold.string_hourly',
      },
      anomaliesFleet90dRaw: { ...aRaw, source: 'telemetry, string_telemetry (raw 5-minute rows)' },
      anomaliesRawOverRollupP50: ratio(aRaw, a),
      eventsOneString90d: {
        ...e,
        targetP95Ms: TARGETS.eventsP95Ms,
        pass: e.p95 <= TARGETS.eventsP95Ms,
        source: 'string_telemetry, telemetry (raw)',
      },
      eventsFleet90d: { ...eFleet, strings: 'all' },
      sohAllJars: { ...s, targetP95Ms: TARGETS.sohP95Ms, pass: s.p95 <= TARGETS.sohP95Ms, source: 'gold.jar_daily, gold.jar_hourly' },
      sohAllJarsRaw: { ...sRaw, source: 'telemetry (raw, aggregated per day and hour in the query)' },
      sohRawOverRollupP50: ratio(sRaw, s),
    };
    return { ...figures, pass: figures.anomaliesFleet90d.pass && figures.eventsOneString90d.pass && figures.sohAllJars.pass };
  } finally {
    await wb.close();
  }
}
