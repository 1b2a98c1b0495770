import type { DuckDBConnection } from '@duckdb/node-api';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryNumber, queryRows } from '../engine/duck-query';
import { HOT_SCHEMA } from '../hot/hot-schema';
import { copyColumns, copyFormatFor, copyOut, readCopySql } from '../hot/pg-copy';
import { HOT_MIRROR_SCHEMA } from './meta';

export interface ReconcileScope {
  client: pg.Client;
  /** The mirror's connection. */
  duck: DuckDBConnection;
  spec: DatasetSpec;
  /** The sync's high mark: both sides are counted up to it. */
  high: number;
  /** A time series' hot rows in PostgreSQL (see views.ts), or null: every row. */
  visiblePg: string | null;
  /** Scratch folder for the CSV hand-off. */
  scratch: string;
}

export interface ReconcileResult {
  /** Days re-copied because PostgreSQL and the mirror disagreed on their count ('all' for master data). */
  repairedDays: string[];
  rows: number;
  bytes: number;
}

/**
 * The safety net for changes no trigger saw (a TRUNCATE by hand): the dataset's rows are counted on both
 * sides with the same bound (ids up to the high mark; a time series' hot rows); when the totals differ, per
 * day, and every disagreeing day is copied again whole, one transaction per day.
 */
export async function reconcileDays(scope: ReconcileScope): Promise<ReconcileResult> {
  const { client, duck, spec, high, visiblePg } = scope;
  const pgTable = qualifiedName(HOT_SCHEMA, spec.name);
  const mirror = qualifiedName(HOT_MIRROR_SCHEMA, spec.name);
  const ingest = quoteIdent(INGEST_COLUMN);
  const cols = [...spec.columns.map((c) => quoteIdent(c.name)), ingest].join(', ');
  const format = copyFormatFor(spec);
  const result: ReconcileResult = { repairedDays: [], rows: 0, bytes: 0 };

  const pgWhere = `${ingest} <= ${high}` + (visiblePg === null ? '' : ` AND ${visiblePg}`);
  const pgCount = Number(
    (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pgTable} WHERE ${pgWhere}`)).rows[0]?.n ?? 0,
  );
  const mirrorCount = await queryNumber(duck, `SELECT count(*) FROM ${mirror} WHERE ${ingest} <= ${high}`);
  if (pgCount === mirrorCount) return result;

  const pgDays = await client.query<{ day: string; n: string }>(
    `SELECT ${groupSql(spec, 'pg')} AS day, count(*)::text AS n FROM ${pgTable} WHERE ${pgWhere} GROUP BY 1`,
  );
  const duckDays = await queryRows(
    duck,
    `SELECT ${groupSql(spec, 'duck')} AS day, count(*) AS n FROM ${mirror} WHERE ${ingest} <= ${high} GROUP BY 1`,
  );
  const want = new Map(pgDays.rows.map((r) => [r.day, Number(r.n)]));
  const have = new Map(duckDays.map((r) => [String(r.day), Number(r.n)]));
  for (const day of new Set([...want.keys(), ...have.keys()])) {
    if ((want.get(day) ?? 0) !== (have.get(day) ?? 0)) result.repairedDays.push(day);
  }
  result.repairedDays.sort();
  for (const day of result.repairedDays) {
    const file = join(scope.scratch, `${spec.name}-repair-${day}.rows`);
    const out = await copyOut(client, `SELECT ${cols} FROM ${pgTable} WHERE ${pgWhere} AND ${groupWhere(spec, day, 'pg')}`, file, format);
    await inTransaction(duck, async () => {
      await duck.run(`DELETE FROM ${mirror} WHERE ${ingest} <= ${high} AND ${groupWhere(spec, day, 'duck')}`);
      await duck.run(`INSERT INTO ${mirror} (${cols}) SELECT * FROM ${readCopySql(file, copyColumns(spec, true), format)}`);
    });
    await rm(file, { force: true });
    result.rows += out.rows;
    result.bytes += out.bytes;
  }
  return result;
}
/** The reconcile's groups: the UTC day of the split column ('null' when it is empty), or 'all' for master data. */
function groupSql(spec: DatasetSpec, dialect: 'pg' | 'duck'): string {
  if (spec.splitColumn === null) return "'all'";
  const col = quoteIdent(spec.splitColumn);
  return dialect === 'pg'
    ? `coalesce(to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'null')`
    : `coalesce(strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%d'), 'null')`;
}

function groupWhere(spec: DatasetSpec, group: string, dialect: 'pg' | 'duck'): string {
  if (spec.splitColumn === null || group === 'all') return 'true';
  const col = quoteIdent(spec.splitColumn);
  if (group === 'null') return `${col} IS NULL`;
  const from = quoteLiteral(`${group}T00:00:00Z`);
  return dialect === 'pg'
    ? `${col} >= ${from}::timestamptz AND ${col} < ${from}::timestamptz + interval '1 day'`
    : `${col} >= CAST(${from} AS TIMESTAMPTZ) AND ${col} < CAST(${from} AS TIMESTAMPTZ) + INTERVAL 1 DAY`;
}
