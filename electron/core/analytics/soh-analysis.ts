import type { DuckDBConnection } from '@duckdb/node-api';
import type { SohJarRow, SohResult, SohSettings, SohSource, TableRul } from '../../../shared/api/soh';
import { queryRows } from '../engine/duck-query';
import { computeRul, type SegmentFit } from './soh-rul';
import { SOH_SOURCE, sohSql, type SohQuery } from './soh-sql';

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
const iso = (v: unknown): string | null => {
  const ms = num(v);
  return ms === null ? null : new Date(ms).toISOString();
};
/** `n` to `digits` decimals; a value that rounds to zero is 0, never -0 (which JSON, and so the CLI and the web host, write as 0). */
const round = (n: number | null, digits: number): number | null => (n === null ? null : Number(n.toFixed(digits)) || 0);

/** The fit RUL reads, from a row of sohSql; null when the jar has no daily rows in the range. */
function segmentOf(r: Record<string, unknown>): SegmentFit | null {
  const slope = num(r.seg_slope);
  const intercept = num(r.seg_intercept);
  const points = num(r.points);
  const x0 = num(r.x0);
  const xn = num(r.xn);
  if (points === null || x0 === null || xn === null) return null;
  return {
    slope: slope ?? 0,
    intercept: intercept ?? 0,
    slopeSe: slope === null ? null : num(r.seg_se),
    points: slope === null ? Math.min(points, 1) : points,
    lastX: xn,
    historyDays: xn - x0,
  };
}

/** The conservative SoH: the lower of the capacity-test share and the resistance figure, and which it is. */
function sohOf(capacity: number | null, resistance: number | null): { pct: number | null; source: SohSource | null } {
  if (capacity === null && resistance === null) return { pct: null, source: null };
  if (resistance === null || (capacity !== null && capacity <= resistance)) return { pct: capacity, source: 'capacity_test' };
  return { pct: resistance, source: 'resistance' };
}

export function sohRowOf(r: Record<string, unknown>, settings: SohSettings): SohJarRow {
  const capacity = round(num(r.soh_capacity_pct), 1);
  const resistance = round(num(r.soh_resistance_pct), 1);
  const soh = sohOf(capacity, resistance);
  const first = num(r.first_ms);
  const last = num(r.last_ms);
  const tableSource = r.table_model_version;
  const tablePredicted = iso(r.table_predicted_ms);
  const rulTable: TableRul | null =
    tablePredicted === null
      ? null
      : {
          source: typeof tableSource === 'string' && tableSource !== '' ? tableSource : 'rul_prediction',
          days: num(r.table_rul_days),
          predictedAt: tablePredicted,
          confidence: num(r.table_confidence),
        };
  return {
    battery_id: Number(r.battery_id),
    soh_pct: soh.pct,
    soh_source: soh.source,
    soh_capacity_pct: capacity,
    capacity_tested_at: iso(r.capacity_tested_ms),
    soh_resistance_pct: resistance,
    baseline_mohm: round(num(r.baseline_mohm), 3),
    current_mohm: round(num(r.current_mohm), 3),
    drift_pct: round(num(r.drift_pct), 2),
    first_day: iso(first),
    last_day: iso(last),
    history_days: first !== null && last !== null ? Math.round((last - first) / 86_400_000) : 0,
    points: num(r.points) ?? 0,
    knee_date: iso(r.knee_ms),
    slope_pct_per_day: round(num(r.seg_slope), 4),
    slope_se: round(num(r.seg_se), 4),
    rul: computeRul(segmentOf(r), settings),
    rul_table: rulTable,
  };
}

/** SoH, knee and RUL of every jar (or one): one query over the rollups, then the RUL arithmetic per jar. */
export async function runSoh(conn: DuckDBConnection, q: SohQuery): Promise<SohResult> {
  const started = performance.now();
  const sql = sohSql(q);
  const rows = await queryRows(conn, sql);
  return {
    rows: rows.map((r) => sohRowOf(r, q.settings)),
    settings: q.settings,
    sql,
    source: SOH_SOURCE,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}
