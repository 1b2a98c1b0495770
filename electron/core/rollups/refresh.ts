import type { CalcRefreshReport } from '../calc/calc-refresh';
import { LakeCatalog } from '../lake/lake-catalog';
import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import { INGEST_COLUMN } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, insertObjects, queryRows } from '../engine/duck-query';
import type { Lake } from '../lake/lake';
import { HOT_MIRROR_SCHEMA, getSplits } from '../mirror/meta';
import { adoptGoldLayout, forgetLayoutSql, keepGoldClustered, noteUnorderedSql, type ClusterReport } from './gold-layout';
import {
  FAMILIES,
  GRAIN_MS,
  JAR_FIRST_DAYS,
  SIBLING_HOURLY,
  STATE,
  ensureGoldSchema,
  emptyGoldTableSql,
  retiredDaysSql,
  rollupTable,
  type RollupFamily,
} from './gold-schema';
import { rebuildDailyFromHourlySql, rebuildFirstDaysSql, rebuildHourlyFromRawSql, rebuildSiblingSql, rebuildSiteSql } from './rollup-sql';

const HOUR = GRAIN_MS.hourly;
const HOURS_PER_DAY = 24;
/** After every instant a rollup can hold: `[0, FAR_FUTURE_MS)` is the whole history. */
const FAR_FUTURE_MS = Date.UTC(10_000, 0, 1);
/** Hours recomputed per transaction (a week): bounds memory and gives progress. */
const CHUNK_HOURS = 7 * HOURS_PER_DAY;

export interface RollupRefreshOptions {
  /** Rebuild every rollup from scratch instead of the changed hours only. */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { fraction: number; message: string }) => void;
}

export interface RollupRefreshReport {
  full: boolean;
  /** Hours recomputed per source dataset. */
  hours: { telemetry: number; string_telemetry: number };
  /** Hour ranges [lo, hi) recomputed, as ISO-8601 pairs (first 20). */
  ranges: [string, string][];
  /** Segments rewritten in (key, bucket) order after the refresh. */
  clustered: ClusterReport;
  elapsedMs: number;
  /** The calculated metrics brought up to date in the same job (see calc/calc-refresh.ts), when they were. */
  calc?: CalcRefreshReport;
}

interface Source {
  dataset: 'telemetry' | 'string_telemetry';
  family: RollupFamily;
}

const SOURCES: readonly Source[] = [
  { dataset: 'telemetry', family: FAMILIES.jar },
  { dataset: 'string_telemetry', family: FAMILIES.string },
];

export type HourSet = Set<number> | 'all';

interface Pending {
  source: Source;
  hours: HourSet;
  /** Statements that record what was seen, run after the rollups are recomputed. */
  commit: () => Promise<void>;
}

/**
 * Brings the gold rollups up to date with the unified views, recomputing only the UTC hours that changed:
 * hours whose hot-mirror fingerprint (row count and sum of ingest ids) moved, the days of lake files that
 * appeared, changed or disappeared, and the hours between an old and a new tier split. A recomputed hour is
 * the same aggregate on the unified view as a full rebuild would produce (rows counted once across tiers).
 * Each hour range is replaced in one transaction; what was seen is recorded only afterwards, so an
 * interrupted refresh is simply redone by the next one.
 */
export async function refreshRollups(conn: DuckDBConnection, lake: Lake, options: RollupRefreshOptions = {}): Promise<RollupRefreshReport> {
  const started = Date.now();
  await ensureGoldSchema(conn);
  await adoptGoldLayout(conn);
  await backfillSiblings(conn);
  await backfillFirstDays(conn);
  const splits = await getSplits(conn);
  const pending: Pending[] = [];
  for (const source of SOURCES)
    pending.push(await detectChanges(conn, lake, source, splits.get(source.dataset) ?? null, options.full ?? false));

  const report: RollupRefreshReport = {
    full: options.full ?? false,
    hours: { telemetry: 0, string_telemetry: 0 },
    ranges: [],
    clustered: { segments: [], rows: 0 },
    elapsedMs: 0,
  };
  const plans: { source: Source; ranges: [number, number][] }[] = [];
  for (const p of pending) {
    let ranges: [number, number][];
    if (p.hours === 'all') {
      await clearFamily(conn, p.source);
      ranges = await extentRanges(conn, p.source);
    } else {
      ranges = toRanges(p.hours);
    }
    // Days whose raw rows retention deleted keep their rollups as they are.
    ranges = withoutDays(ranges, await retiredDays(conn, p.source.dataset));
    plans.push({ source: p.source, ranges: chunk(ranges, CHUNK_HOURS) });
  }
  const totalHours = plans.reduce((a, p) => a + p.ranges.reduce((b, [lo, hi]) => b + hi - lo, 0), 0);
  let doneHours = 0;
  const jarDays = new Set<number>();
  const jarHourRanges: [number, number][] = [];
  for (const plan of plans) {
    const { family } = plan.source;
    const days = new Set<number>();
    for (const [lo, hi] of plan.ranges) {
      if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The rollup refresh was cancelled; finished hours are kept.');
      options.onProgress?.({
        fraction: totalHours === 0 ? 1 : doneHours / totalHours,
        message: `${family.name} rollups: ${new Date(lo * HOUR).toISOString().slice(0, 13)}h to ${new Date(hi * HOUR).toISOString().slice(0, 13)}h`,
      });
      await transaction(conn, [
        ...rebuildHourlyFromRawSql(family, qualifiedName('main', plan.source.dataset), lo * HOUR, hi * HOUR),
        noteUnorderedSql(family, 'hourly', lo * HOUR, hi * HOUR),
        // The jars' sibling statistics change with their hours, in the same transaction.
        ...(family.name === 'jar' ? rebuildSiblingSql(lo * HOUR, hi * HOUR) : []),
      ]);
      for (let h = lo; h < hi; h++) days.add(Math.floor(h / HOURS_PER_DAY));
      doneHours += hi - lo;
      report.hours[plan.source.dataset] += hi - lo;
      if (report.ranges.length < 20) report.ranges.push([new Date(lo * HOUR).toISOString(), new Date(hi * HOUR).toISOString()]);
      if (family.name === 'jar') jarHourRanges.push([lo, hi]);
    }
    for (const [lo, hi] of toRanges(days)) {
      await transaction(conn, [
        ...rebuildDailyFromHourlySql(family, lo * GRAIN_MS.daily, hi * GRAIN_MS.daily),
        noteUnorderedSql(family, 'daily', lo * GRAIN_MS.daily, hi * GRAIN_MS.daily),
      ]);
    }
    if (family.name === 'jar') for (const d of days) jarDays.add(d);
  }
  // Sites from the jars: the same hours and days.
  for (const [lo, hi] of jarHourRanges) {
    await transaction(conn, [
      ...rebuildSiteSql(FAMILIES.site, FAMILIES.jar, 'hourly', lo * HOUR, hi * HOUR),
      noteUnorderedSql(FAMILIES.site, 'hourly', lo * HOUR, hi * HOUR),
    ]);
  }
  for (const [lo, hi] of toRanges(jarDays)) {
    const [a, b] = [lo * GRAIN_MS.daily, hi * GRAIN_MS.daily];
    await transaction(conn, [
      ...rebuildSiteSql(FAMILIES.site, FAMILIES.jar, 'daily', a, b),
      noteUnorderedSql(FAMILIES.site, 'daily', a, b),
    ]);
  }
  for (const p of pending) await p.commit();
  // Segments that drifted out of (key, bucket) order are rewritten in it (see gold-layout.ts).
  options.onProgress?.({ fraction: 1, message: 'Ordering the rollups by key' });
  report.clustered = await keepGoldClustered(conn, options.signal);
  report.elapsedMs = Date.now() - started;
  await conn.run(`INSERT INTO ${STATE.runs} VALUES (now(), $1, $2, $3, NULL)`, [report.full, doneHours, report.elapsedMs]);
  options.onProgress?.({ fraction: 1, message: `Rollups refreshed: ${doneHours} hours recomputed` });
  return report;
}

async function detectChanges(conn: DuckDBConnection, lake: Lake, source: Source, split: string | null, full: boolean): Promise<Pending> {
  return { source, ...(await detectChangedHours(conn, lake, source.dataset, split, full)) };
}

/**
 * The UTC hours (epoch hours) of `dataset` that changed since `commit()` last recorded what was seen under `stateKey`
 * (default: the dataset, the rollups' own record; another consumer of the same changes keeps its own key): hours whose
 * hot-mirror fingerprint moved, the days of lake files that appeared, changed or went, and the hours between an old
 * and a new split. 'all' when nothing was recorded comparably (or `full`).
 */
export async function detectChangedHours(
  conn: DuckDBConnection,
  lake: Lake,
  ds: string,
  split: string | null,
  full: boolean,
  stateKey: string = ds,
): Promise<{ hours: HourSet; commit: () => Promise<void> }> {
  const mirror = qualifiedName(HOT_MIRROR_SCHEMA, ds);
  const fp = quoteIdent(`rollup_fp_${stateKey}`);
  const splitCond = split === null ? 'true' : `ts >= CAST($1 AS TIMESTAMPTZ)`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${fp} AS SELECT CAST(floor(epoch(ts) / 3600) AS BIGINT) AS hour, count(*) AS n, ` +
      `CAST(sum(${quoteIdent(INGEST_COLUMN)}) AS HUGEINT) AS s FROM ${mirror} WHERE ${splitCond} GROUP BY 1`,
    split === null ? [] : [split],
  );
  // From the workspace's lake catalog (no listing of the lake; see lake-catalog.ts): the files the views read.
  const files = (await new LakeCatalog(conn, lake).files(ds)).filter((f) => f.sig !== null);
  const commit = async (): Promise<void> => {
    await transaction(conn, [
      `DELETE FROM ${STATE.hotHours} WHERE dataset = ${quoteLiteral(stateKey)}`,
      `INSERT INTO ${STATE.hotHours} SELECT ${quoteLiteral(stateKey)}, hour, n, s FROM ${fp}`,
      `DELETE FROM ${STATE.lakeFiles} WHERE dataset = ${quoteLiteral(stateKey)}`,
    ]);
    await insertObjects(
      conn,
      STATE.lakeFiles,
      ['dataset', 'key', 'size', 'mtime_ms'],
      files.map((f) => ({ dataset: stateKey, key: f.key, size: f.size, mtime_ms: f.modifiedAt.getTime() })),
    );
    await conn.run(`INSERT OR REPLACE INTO ${STATE.splits} VALUES ($1, $2)`, [stateKey, split]);
    await conn.run(`DROP TABLE IF EXISTS temp.main.${fp}`);
  };
  if (full) return { hours: 'all', commit };

  const hours = new Set<number>();
  const changed = await queryRows(
    conn,
    `SELECT hour FROM ${fp} a FULL OUTER JOIN (SELECT hour, n, s FROM ${STATE.hotHours} WHERE dataset = $1) b USING (hour) ` +
      'WHERE a.n IS DISTINCT FROM b.n OR a.s IS DISTINCT FROM b.s',
    [stateKey],
  );
  for (const r of changed) hours.add(Number(r.hour));

  const seen = await queryRows(conn, `SELECT key, size, mtime_ms FROM ${STATE.lakeFiles} WHERE dataset = $1`, [stateKey]);
  // A published key is never written again (publish is no-clobber), so key and size tell a changed file; the time
  // is not compared: the catalog records its manifest's time, a writer feeding the rollups its file's.
  const before = new Map(seen.map((r) => [String(r.key), String(r.size)]));
  const now = new Map(files.map((f) => [f.key, String(f.size)]));
  const touched: string[] = [];
  for (const [key, sig] of now) if (before.get(key) !== sig) touched.push(key);
  for (const key of before.keys()) if (!now.has(key)) touched.push(key);
  for (const key of touched) {
    const m = /(?:^|\/)date=(\d{4}-\d{2}-\d{2})(?:\/|$)/.exec(key);
    if (!m) return { hours: 'all', commit };
    const day = Date.parse(`${m[1]}T00:00:00Z`) / HOUR;
    for (let h = day; h < day + HOURS_PER_DAY; h++) hours.add(h);
  }

  const splitRows = await queryRows(conn, `SELECT split_at FROM ${STATE.splits} WHERE dataset = $1`, [stateKey]);
  if (splitRows.length > 0) {
    const old = splitRows[0].split_at === null ? null : String(splitRows[0].split_at);
    if (old !== split) {
      if (old === null || split === null) return { hours: 'all', commit };
      const a = Math.floor(Date.parse(old) / HOUR);
      const b = Math.floor(Date.parse(split) / HOUR);
      for (let h = Math.min(a, b); h <= Math.max(a, b); h++) hours.add(h);
    }
  }
  return { hours, commit };
}

async function clearFamily(conn: DuckDBConnection, source: Source): Promise<void> {
  const families = source.family.name === 'jar' ? [source.family, FAMILIES.site] : [source.family];
  const tables = families.flatMap((f) => (['hourly', 'daily'] as const).map((g) => [f, g] as const));
  // The rollups of retired days stay: they are all that is left of those days. Without any, each table is made
  // again rather than emptied row by row (emptyGoldTableSql).
  const retired = (await retiredDays(conn, source.dataset)).size > 0;
  const kept = `WHERE CAST(floor(epoch(bucket) / 86400) AS BIGINT) NOT IN (${retiredDaysSql(source.dataset)})`;
  const empty = (table: string): string[] => (retired ? [`DELETE FROM ${table} ${kept}`] : emptyGoldTableSql(table));
  await transaction(conn, [
    ...tables.flatMap(([f, g]) => empty(rollupTable(f, g))),
    ...(source.family.name === 'jar' ? [...empty(SIBLING_HOURLY), ...rebuildFirstDaysSql(0, FAR_FUTURE_MS)] : []),
    ...tables.flatMap(([f, g]) => forgetLayoutSql(f, g)),
    // Forget what was seen: an interrupted rebuild is then redone in full by the next refresh.
    `DELETE FROM ${STATE.hotHours} WHERE dataset = ${quoteLiteral(source.dataset)}`,
    `DELETE FROM ${STATE.lakeFiles} WHERE dataset = ${quoteLiteral(source.dataset)}`,
    `DELETE FROM ${STATE.splits} WHERE dataset = ${quoteLiteral(source.dataset)}`,
  ]);
}

/**
 * A workspace whose jar rollups were built before the sibling statistics existed gets them from its jar rollups
 * once, in one statement (about 2 s for 90 days of the full fleet): when it opens, or else at its next refresh.
 */
export async function backfillSiblings(conn: DuckDBConnection): Promise<void> {
  const rows = await queryRows(
    conn,
    `SELECT (SELECT count(*) FROM ${SIBLING_HOURLY}) AS s, (SELECT count(*) FROM (SELECT 1 FROM ${rollupTable(FAMILIES.jar, 'hourly')} LIMIT 1)) AS j`,
  );
  if (Number(rows[0]?.s) > 0 || Number(rows[0]?.j) === 0) return;
  await transaction(conn, rebuildSiblingSql(0, FAR_FUTURE_MS));
}

/**
 * A workspace whose jar rollups were built before gold.jar_first_days existed gets it from gold.jar_daily once (a
 * fraction of a second for a year of the full fleet): when it opens, or else at its next refresh.
 */
export async function backfillFirstDays(conn: DuckDBConnection): Promise<void> {
  const rows = await queryRows(
    conn,
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${JAR_FIRST_DAYS} LIMIT 1)) AS f, (SELECT count(*) FROM (SELECT 1 FROM ${rollupTable(FAMILIES.jar, 'daily')} LIMIT 1)) AS j`,
  );
  if (Number(rows[0]?.f) > 0 || Number(rows[0]?.j) === 0) return;
  await transaction(conn, rebuildFirstDaysSql(0, FAR_FUTURE_MS));
}

async function extentRanges(conn: DuckDBConnection, source: Source): Promise<[number, number][]> {
  const rows = await queryRows(
    conn,
    `SELECT CAST(floor(epoch(min(ts)) / 3600) AS BIGINT) AS lo, CAST(floor(epoch(max(ts)) / 3600) AS BIGINT) AS hi FROM ${qualifiedName('main', source.dataset)}`,
  );
  const lo = rows[0]?.lo;
  const hi = rows[0]?.hi;
  if (lo === null || lo === undefined || hi === null || hi === undefined) return [];
  return [[Number(lo), Number(hi) + 1]];
}

/** The UTC days (epoch days) of `dataset` whose raw rows retention deleted. */
async function retiredDays(conn: DuckDBConnection, dataset: string): Promise<Set<number>> {
  return new Set((await queryRows(conn, retiredDaysSql(dataset))).map((r) => Number(r.day)));
}

/** Hour ranges without the hours of these days. */
export function withoutDays(ranges: readonly [number, number][], days: ReadonlySet<number>): [number, number][] {
  if (days.size === 0) return [...ranges];
  const out: [number, number][] = [];
  for (const [lo, hi] of ranges) {
    let start = lo;
    for (let h = lo; h < hi; h++) {
      if (!days.has(Math.floor(h / HOURS_PER_DAY))) continue;
      if (h > start) out.push([start, h]);
      start = h + 1;
    }
    if (hi > start) out.push([start, hi]);
  }
  return out;
}

/** Sorted integer set → maximal runs [lo, hi). */
export function toRanges(values: Iterable<number>): [number, number][] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[1] = v + 1;
    else out.push([v, v + 1]);
  }
  return out;
}

function chunk(ranges: [number, number][], size: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of ranges) for (let a = lo; a < hi; a += size) out.push([a, Math.min(hi, a + size)]);
  return out;
}

async function transaction(conn: DuckDBConnection, statements: string[]): Promise<void> {
  await inTransaction(conn, async () => {
    for (const sql of statements) await conn.run(sql);
  });
}
