import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../../shared/sql';
import { PSI_DEFAULT_BINS, psiFromCounts } from '../../../shared/domain/psi';
import { queryRows } from '../engine/duck-query';

/** One week's drift of one column against the reference window. */
export interface WeekDrift {
  /** Monday of the week (ISO, UTC), `YYYY-MM-DD`. */
  week: string;
  /** Non-null values that week. */
  rows: number;
  /** Null when the week or the reference has no values. */
  psi: number | null;
}

export interface DriftRequest {
  /** The relation to read, already quoted (a view or table name). */
  relation: string;
  /** Event-time column: a TIMESTAMPTZ, or a DATE (a UTC day) with `timeType: 'date'`. */
  timeColumn: string;
  timeType?: 'timestamptz' | 'date';
  /** Numeric columns to measure. */
  columns: readonly string[];
  /** The reference window, `[from, to)`, UTC: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`. */
  reference: { from: string; to: string };
  /** Equal-frequency bins cut from the reference window (deciles by default). */
  bins?: number;
}

/**
 * The population stability index by week for each column, against a reference window. The bin edges are the
 * reference's quantiles (so each reference bin holds about the same share); DuckDB counts rows per week and bin in one
 * pass per column, and the index is computed from those counts (shared/domain/psi.ts), so the figure can be checked by
 * hand from the counts.
 */
export async function weeklyPsi(conn: DuckDBConnection, req: DriftRequest): Promise<Map<string, WeekDrift[]>> {
  const bins = req.bins ?? PSI_DEFAULT_BINS;
  if (!Number.isInteger(bins) || bins < 2 || bins > 100) throw new Error(`bins must be a whole number from 2 to 100, not ${bins}`);
  const cuts = Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
  // Weeks and the reference window in UTC, whatever the session's time zone: naive UTC timestamps.
  const t =
    req.timeType === 'date' ? `CAST(${quoteIdent(req.timeColumn)} AS TIMESTAMP)` : `(${quoteIdent(req.timeColumn)} AT TIME ZONE 'UTC')`;
  const out = new Map<string, WeekDrift[]>();
  for (const column of req.columns) {
    const v = quoteIdent(column);
    // Distinct edges only: a column with few distinct values gets fewer bins rather than empty twins.
    const rows = await queryRows(
      conn,
      `WITH src AS (SELECT ${t} AS t, ${v}::DOUBLE AS v FROM ${req.relation} WHERE ${v} IS NOT NULL), ` +
        `edges AS (SELECT list_sort(list_distinct(quantile_cont(v, [${cuts.join(', ')}]))) AS e ` +
        `  FROM src WHERE t >= $1::TIMESTAMP AND t < $2::TIMESTAMP), ` +
        `binned AS (SELECT t, len(list_filter(e, x -> v > x)) AS bin FROM src, edges) ` +
        `SELECT 'ref' AS side, NULL::VARCHAR AS week, bin, count(*)::BIGINT AS n FROM binned ` +
        `  WHERE t >= $1::TIMESTAMP AND t < $2::TIMESTAMP GROUP BY bin ` +
        `UNION ALL SELECT 'cur', strftime(date_trunc('week', t), '%Y-%m-%d'), bin, count(*)::BIGINT ` +
        `  FROM binned GROUP BY ALL ORDER BY side, week, bin`,
      [req.reference.from, req.reference.to],
    );
    const width = Math.max(0, ...rows.map((r) => Number(r.bin))) + 1;
    const ref = new Array<number>(width).fill(0);
    const weeks = new Map<string, number[]>();
    for (const r of rows) {
      const n = Number(r.n);
      const bin = Number(r.bin);
      if (r.side === 'ref') ref[bin] = n;
      else {
        const week = String(r.week);
        let counts = weeks.get(week);
        if (!counts) weeks.set(week, (counts = new Array<number>(width).fill(0)));
        counts[bin] = n;
      }
    }
    out.set(
      column,
      [...weeks].map(([week, counts]) => ({ week, rows: counts.reduce((s, n) => s + n, 0), psi: psiFromCounts(ref, counts) })),
    );
  }
  return out;
}
