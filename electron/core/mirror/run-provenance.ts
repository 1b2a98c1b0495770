import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../engine/duck-query';
import type { TableRef } from '../engine/fingerprint';
import { COLD_SCHEMA, getMirrorStates } from './meta';

/** What a run read besides its SQL: the lake days its cold views cover and how far the hot mirror was synced. */
export interface RunProvenance {
  coldDays: Record<string, string[]>;
  hotWatermark: Record<string, number>;
}

/** Consecutive UTC days folded into `first..last` runs (a lone day stays `YYYY-MM-DD`); input sorted, unique. */
export function foldDays(days: readonly string[]): string[] {
  const out: string[] = [];
  const dayMs = 86_400_000;
  let first: string | null = null;
  let prev: string | null = null;
  const flush = (): void => {
    if (first !== null && prev !== null) out.push(first === prev ? first : `${first}..${prev}`);
  };
  for (const day of days) {
    if (prev !== null && Date.parse(`${day}T00:00:00Z`) - Date.parse(`${prev}T00:00:00Z`) === dayMs) {
      prev = day;
      continue;
    }
    flush();
    first = day;
    prev = day;
  }
  flush();
  return out;
}

/**
 * The lake days of every cold view a query names, directly (`cold.telemetry`) or through its unified view
 * (`telemetry`): the `date=YYYY-MM-DD` folders of the files the view lists. Views list their live files (see
 * views.ts), so these are the days the query could read, before its own filters prune them.
 */
export async function coldDaysOf(conn: DuckDBConnection, tables: readonly TableRef[]): Promise<Record<string, string[]>> {
  const names = [
    ...new Set(
      tables
        .filter((t) => t.schema === '' || t.schema.toLowerCase() === COLD_SCHEMA || t.schema.toLowerCase() === 'main')
        .map((t) => t.table.toLowerCase()),
    ),
  ];
  if (names.length === 0) return {};
  const rows = await queryRows(
    conn,
    `SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = $1 AND lower(view_name) IN (SELECT unnest(from_json($2, '["VARCHAR"]')))`,
    [COLD_SCHEMA, JSON.stringify(names)],
  );
  const out: Record<string, string[]> = {};
  for (const row of rows) {
    const days = new Set<string>();
    for (const m of String(row.sql).matchAll(/[\\/]date=(\d{4}-\d{2}-\d{2})[\\/]/g)) days.add(m[1]);
    if (days.size > 0) out[String(row.view_name)] = foldDays([...days].sort());
  }
  return out;
}

/** The mirror's watermark per dataset now ({} before the first sync, or in a workspace without a mirror). */
export async function hotWatermarks(conn: DuckDBConnection): Promise<Record<string, number>> {
  try {
    const states = await getMirrorStates(conn);
    return Object.fromEntries([...states.values()].map((s) => [s.dataset, s.watermark]));
  } catch {
    return {};
  }
}
