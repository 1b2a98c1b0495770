import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnomaliesResult, AnomalyRow, EfcRow, EventsResult, JarZRow, SpreadRow, StringEvent } from '../../../shared/api/analytics';
import type { AnomalyThresholds, EventKind, EventThresholds, SignSettings } from '../../../shared/domain/analytics';
import { quoteIdent } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { anomaliesSql, chooseAnomalyResolution, jarZSql, spreadSql, type AnomalyResolution } from './anomalies-sql';
import { efcSql, eventsSql } from './events-sql';

/** Runs the analyses' SQL and turns rows into plain values: times as ISO text, figures as numbers. */

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string => new Date(Number(v)).toISOString();

/** `sql` with the named TIMESTAMPTZ columns (names from code) as epoch milliseconds, the rest as they are. */
export function timesAsEpochMs(sql: string, times: readonly string[]): string {
  const replace = times.map((c) => `epoch_ms(${quoteIdent(c)}) AS ${quoteIdent(c)}`).join(', ');
  return `SELECT * REPLACE (${replace}) FROM (\n${sql}\n)`;
}

/** The rows of `sql` with the named TIMESTAMPTZ columns as epoch milliseconds. */
async function rowsWithTimes(conn: DuckDBConnection, sql: string, times: readonly string[]): Promise<Record<string, unknown>[]> {
  return queryRows(conn, timesAsEpochMs(sql, times));
}

export interface EventsOptions {
  fromMs: number;
  toMs: number;
  stringId?: number | undefined;
  kinds: readonly EventKind[];
  thresholds: EventThresholds;
  sign: SignSettings;
}

export async function runEvents(conn: DuckDBConnection, o: EventsOptions): Promise<EventsResult> {
  const started = performance.now();
  const sql = eventsSql(o, o.kinds);
  const events: StringEvent[] = (await rowsWithTimes(conn, sql, ['start', 'end'])).map((r) => ({
    string_id: num(r.string_id),
    kind: r.kind as EventKind,
    start: iso(r.start),
    end: iso(r.end),
    duration_s: num(r.duration_s),
    readings: num(r.readings),
    ah: num(r.ah),
    depth_pct: num(r.depth_pct),
    energy_wh: num(r.energy_wh),
    min_voltage_v: num(r.min_voltage_v),
    weakest_battery_id: numOrNull(r.weakest_battery_id),
    weakest_voltage_v: numOrNull(r.weakest_voltage_v),
    efc_cumulative: numOrNull(r.efc_cumulative),
  }));
  const efc: EfcRow[] = (await queryRows(conn, efcSql(o))).map((r) => ({
    string_id: num(r.string_id),
    battery_id: numOrNull(r.battery_id),
    discharged_ah: num(r.discharged_ah),
    rated_ah: num(r.rated_ah),
    efc: num(r.efc),
  }));
  return { events, efc, sql, elapsedMs: Math.round(performance.now() - started) };
}

export interface AnomaliesOptions {
  fromMs: number;
  toMs: number;
  stringId?: number | undefined;
  thresholds: AnomalyThresholds;
  resolution: 'auto' | AnomalyResolution;
}

export async function runAnomalies(conn: DuckDBConnection, o: AnomaliesOptions): Promise<AnomaliesResult> {
  const started = performance.now();
  const resolution = chooseAnomalyResolution(o.fromMs, o.toMs, o.resolution);
  const q = { fromMs: o.fromMs, toMs: o.toMs, stringId: o.stringId, resolution };
  const sql = anomaliesSql(q, o.thresholds);
  const anomalies: AnomalyRow[] = (await rowsWithTimes(conn, sql, ['start', 'end'])).map((r) => ({
    battery_id: num(r.battery_id),
    string_id: num(r.string_id),
    kind: r.kind as AnomalyRow['kind'],
    start: iso(r.start),
    end: iso(r.end),
    score: num(r.score),
    mean: num(r.mean),
    readings: num(r.readings),
  }));
  const spread: SpreadRow[] = (await rowsWithTimes(conn, spreadSql(q), ['max_at'])).map((r) => ({
    string_id: num(r.string_id),
    max_v: num(r.max_v),
    max_at: iso(r.max_at),
    mean_v: num(r.mean_v),
    last_v: num(r.last_v),
  }));
  return { resolution, anomalies, spread, sql, elapsedMs: Math.round(performance.now() - started) };
}

export async function runJarZ(
  conn: DuckDBConnection,
  o: { fromMs: number; toMs: number; batteryId: number; resolution: 'auto' | AnomalyResolution },
): Promise<{ resolution: AnomalyResolution; rows: JarZRow[]; sql: string }> {
  const resolution = chooseAnomalyResolution(o.fromMs, o.toMs, o.resolution);
  const sql = jarZSql({ fromMs: o.fromMs, toMs: o.toMs, batteryId: o.batteryId, resolution });
  const rows = (await rowsWithTimes(conn, sql, ['ts'])).map((r) => ({
    ts: iso(r.ts),
    metric: r.metric as JarZRow['metric'],
    value: num(r.value),
    z: numOrNull(r.z),
  }));
  return { resolution, rows, sql };
}
