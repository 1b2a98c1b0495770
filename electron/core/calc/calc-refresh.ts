import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, INGEST_COLUMN } from '../../../shared/domain/datasets';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, queryNumber, queryRows } from '../engine/duck-query';
import type { Lake, StagedFile } from '../lake/lake';
import { partitionKey, writerTurn } from '../lake/lake';
import { sha256File, type ManifestFile } from '../lake/manifest';
import { PublishSet, finishPublishSets, type PublishSetDeps } from '../lake/publish-set';
import { getTierState } from '../mirror/meta';
import { TIER_COLUMN, hotVisibleSql } from '../mirror/views';
import { detectChangedHours, toRanges } from '../rollups/refresh';
import { GRAIN_MS } from '../rollups/gold-schema';
import {
  BASELINE_DAYS,
  CALC,
  CALC_BASELINE,
  CALC_COLUMNS,
  CALC_CONTEXT_FP_SQL,
  CALC_HOT,
  CALC_STATE,
  calcInputSql,
  calcRowsSql,
  calcTierReadingsSql,
} from './calc-sql';

const DAY = GRAIN_MS.daily;
const HOURS_PER_DAY = 24;

export interface CalcRefreshOptions {
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { fraction: number; message: string }) => void;
  /** Cold days per journaled publish (default PUBLISH_DAYS, four weeks). */
  publishDays?: number;
}

export interface CalcRefreshReport {
  full: boolean;
  /** UTC days recomputed. */
  days: number;
  /** Lake files of calc_telemetry published and withdrawn. */
  published: number;
  withdrawn: number;
  /** What a killed earlier run left and this one finished or undid. */
  recovered: string[];
}

export async function ensureCalcSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${CALC_BASELINE} (battery_id INTEGER PRIMARY KEY, first_ts TIMESTAMPTZ NOT NULL, ` +
      'r_sum DECIMAL(38,2) NOT NULL, n BIGINT NOT NULL, frozen BOOLEAN NOT NULL)',
  );
  await conn.run(`CREATE TABLE IF NOT EXISTS ${CALC_STATE} (name VARCHAR PRIMARY KEY, value VARCHAR)`);
}

/**
 * Brings `calc_telemetry` up to date with `telemetry`, one UTC day at a time, for the days whose inputs changed
 * (detected as the rollups detect theirs, under their own keys: the hot mirror's hour fingerprints, the lake's
 * telemetry files, the split; a changed room reading recomputes its day and the next): each day's readings are
 * computed from the unified view's rows, the hot ones replace the day in `hot.calc_telemetry` (with their ingest id,
 * so the unified view shows them exactly when `telemetry` shows theirs), the cold ones are written as that day's
 * Parquet file through a journaled publish set whose manifest replaces the day's previous file. What was seen is
 * recorded only at the end: an interrupted run is redone by the next, which first finishes or undoes its publish.
 */
export async function refreshCalc(
  conn: DuckDBConnection,
  lake: Lake,
  deps: PublishSetDeps,
  options: CalcRefreshOptions = {},
): Promise<CalcRefreshReport> {
  // One writer per lake: an archive run, a compaction or a lake check going on is waited for.
  const writer = await writerTurn(lake, 'the calculated metrics refresh', {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: (message) => options.onProgress?.({ fraction: 0, message: `calculated metrics waiting: ${message}` }),
  });
  try {
    return await refreshCalcLocked(conn, lake, deps, options);
  } finally {
    await writer.release();
  }
}

async function refreshCalcLocked(
  conn: DuckDBConnection,
  lake: Lake,
  deps: PublishSetDeps,
  options: CalcRefreshOptions,
): Promise<CalcRefreshReport> {
  await ensureCalcSchema(conn);
  const report: CalcRefreshReport = { full: options.full ?? false, days: 0, published: 0, withdrawn: 0, recovered: [] };
  report.recovered = await finishPublishSets(deps, ['calc']);
  const tier = (await getTierState(conn)).get('telemetry') ?? null;
  const split = tier?.split ?? null;
  const tele = await detectChangedHours(conn, lake, 'telemetry', split, report.full, 'calc:telemetry');
  const env = await detectChangedHours(
    conn,
    lake,
    'environmental_telemetry',
    (await getTierState(conn)).get('environmental_telemetry')?.split ?? null,
    report.full,
    'calc:environmental_telemetry',
  );
  const ctx = (await queryRows(conn, CALC_CONTEXT_FP_SQL))[0];
  const ctxFp = `${String(ctx?.fp)}:${String(ctx?.n)}`;
  const seenFp = (await queryRows(conn, `SELECT value FROM ${CALC_STATE} WHERE name = 'context'`))[0]?.value;
  const all = report.full || tele.hours === 'all' || env.hours === 'all' || seenFp !== ctxFp;

  const days = new Set<number>();
  /** A full rebuild knows, per day, which tiers show readings and whether hot.calc_telemetry holds rows: see computeDay. */
  let known: KnownDays | null = null;
  if (all) {
    await conn.run(`DELETE FROM ${CALC_BASELINE}`);
    // Every day replaced one by one (an interrupted rebuild leaves each day whole, old or new): the days with
    // readings, and those with calculated rows or files that have no readings any more.
    known = { readings: await readingDays(conn), calcHot: new Set(await telemetryDays(conn, CALC_HOT)) };
    for (const d of known.readings.keys()) days.add(d);
    for (const d of known.calcHot) days.add(d);
    for (const f of await lake.list(CALC.name)) {
      const date = f.partition.date;
      if (date) days.add(Date.parse(`${date}T00:00:00Z`) / DAY);
    }
  } else {
    for (const h of tele.hours as Set<number>) days.add(Math.floor(h / HOURS_PER_DAY));
    for (const h of env.hours as Set<number>) {
      const d = Math.floor(h / HOURS_PER_DAY);
      days.add(d);
      days.add(d + 1);
    }
  }
  // Baselines before the days: a baseline that is still forming changes the drift of its jar's first days.
  for (const d of await updateBaselines(conn, [...days], all)) days.add(d);

  const hotVisible = hotVisibleSql(DATASETS.telemetry, tier, 'duckdb');
  const sorted = [...days].sort((a, b) => a - b);
  const existing = await lake.list(CALC.name);
  // The cold days go to the lake a week at a time: one journaled publish (its view switches and manifest) per
  // PUBLISH_DAYS files instead of per file. An interrupted run leaves each day whole, old or new.
  let batch: CalcBatch | null = null;
  try {
    for (let i = 0; i < sorted.length; i++) {
      if (options.signal?.aborted)
        throw new WorkbenchError('CANCELLED', 'The calculated metrics refresh was cancelled; finished days are kept.');
      const day = sorted[i];
      const date = new Date(day * DAY).toISOString().slice(0, 10);
      options.onProgress?.({ fraction: i / sorted.length, message: `calculated metrics: ${date}` });
      const previous = existing.filter((f) => f.partition.date === date).map((f) => f.key);
      batch ??= { set: null, staged: [], files: [], replaces: [], dates: [] };
      if (await computeDay(conn, lake, deps, batch, { day, split, hotVisible, previous, known })) report.withdrawn += previous.length;
      report.days++;
      if (batch.staged.length >= (options.publishDays ?? PUBLISH_DAYS) || i === sorted.length - 1) {
        report.published += await publishBatch(batch);
        batch = null;
      }
    }
  } finally {
    if (batch?.set) await batch.set.abandon();
  }
  await tele.commit();
  await env.commit();
  await conn.run(`INSERT OR REPLACE INTO ${CALC_STATE} VALUES ('context', $1)`, [ctxFp]);
  options.onProgress?.({ fraction: 1, message: `Calculated metrics refreshed: ${report.days} day(s)` });
  return report;
}

/** What a full rebuild learns of every day up front (one scan each) instead of asking per day. */
interface KnownDays {
  /** Per UTC day with readings in `main.telemetry`: whether its cold and its hot tier show any. */
  readings: Map<number, { cold: boolean; hot: boolean }>;
  /** The days hot.calc_telemetry holds rows on. */
  calcHot: Set<number>;
}

/**
 * The UTC day (epoch day) of a TIMESTAMPTZ expression. By epoch_us, not epoch: the latter costs a second more over a
 * year's readings. The quotient is exact enough that floor gives the day (1 µs before midnight is 1e-11 of a day off a
 * whole number, far above a double's error there).
 */
function epochDaySql(expr: string): string {
  return `CAST(floor(epoch_us(${expr}) / 86400000000) AS BIGINT)`;
}

/** Per UTC day (epoch day) of the unified `telemetry`: whether each tier shows readings on it. */
async function readingDays(conn: DuckDBConnection): Promise<KnownDays['readings']> {
  const rows = await queryRows(
    conn,
    `SELECT DISTINCT ${epochDaySql('ts')} AS d, ${quoteIdent(TIER_COLUMN)} = 'hot' AS hot FROM main.telemetry`,
  );
  const out: KnownDays['readings'] = new Map();
  for (const r of rows) {
    const d = Number(r.d);
    const tiers = out.get(d) ?? { cold: false, hot: false };
    if (r.hot === true) tiers.hot = true;
    else tiers.cold = true;
    out.set(d, tiers);
  }
  return out;
}

/** The UTC days (epoch days) a relation has rows on. */
async function telemetryDays(conn: DuckDBConnection, relation: string): Promise<number[]> {
  const rows = await queryRows(conn, `SELECT DISTINCT ${epochDaySql('ts')} AS d FROM ${relation}`);
  return rows.map((r) => Number(r.d));
}

/**
 * The jars' resistance baselines (see the data dictionary, calc_telemetry.resistance_drift_pct): the mean resistance
 * of a jar's readings in the BASELINE_DAYS from its first reading. Jars seen on `days` without one get it; one still
 * forming (its jar has no reading past its window yet) is recomputed, and once a reading past the window exists it
 * is frozen: kept as it is from then on. Returns the days whose drift changed with a baseline (its window's days).
 */
async function updateBaselines(conn: DuckDBConnection, days: readonly number[], all: boolean): Promise<number[]> {
  if (days.length === 0) return [];
  const window = `INTERVAL ${BASELINE_DAYS} DAY`;
  const inDays = (ds: Iterable<number>, col: string): string =>
    toRanges(ds)
      .map(([lo, hi]) => `(${col} >= to_timestamp(${lo * 86400}) AND ${col} < to_timestamp(${hi * 86400}))`)
      .join(' OR ');
  const dayRanges = inDays(days, 'ts');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE calc_seen AS SELECT battery_id, min(ts) AS lo, max(ts) AS hi FROM main.telemetry WHERE ${dayRanges} GROUP BY ALL`,
  );
  const before = await queryRows(conn, `SELECT battery_id, CAST(r_sum AS VARCHAR) AS r, n FROM ${CALC_BASELINE} WHERE NOT frozen`);
  const was = new Map(before.map((r) => [Number(r.battery_id), `${String(r.r)}/${String(r.n)}`]));
  await inTransaction(conn, async () => {
    // New jars: their first reading. A full rebuild's days are every day with readings, so calc_seen holds it
    // already; otherwise one scan of their history, once per jar.
    await conn.run(
      all
        ? `INSERT INTO ${CALC_BASELINE} SELECT battery_id, lo, 0, 0, false FROM calc_seen`
        : `INSERT INTO ${CALC_BASELINE} SELECT battery_id, min(ts), 0, 0, false FROM main.telemetry WHERE battery_id IN ` +
            `(SELECT battery_id FROM calc_seen WHERE battery_id NOT IN (SELECT battery_id FROM ${CALC_BASELINE})) GROUP BY ALL`,
    );
    // Only the days some forming baseline's window covers are read: a jar's window lies within the BASELINE_DAYS + 2
    // UTC days from the day of its first reading (one more than its length: `+ INTERVAL n DAY` follows the session's
    // calendar, an hour longer over a DST change). Jars mostly begin on a few days: a year's fleet reads about 40 days,
    // not the year.
    const windowDays = new Set<number>();
    for (const r of await queryRows(conn, `SELECT DISTINCT ${epochDaySql('first_ts')} AS d FROM ${CALC_BASELINE} WHERE NOT frozen`)) {
      for (let d = Number(r.d); d <= Number(r.d) + BASELINE_DAYS + 1; d++) windowDays.add(d);
    }
    if (windowDays.size === 0) return;
    await conn.run(
      `UPDATE ${CALC_BASELINE} b SET r_sum = x.r_sum, n = x.n FROM (
         SELECT t.battery_id, CAST(sum(t.resistance_mohm) AS DECIMAL(38,2)) AS r_sum, count(*) AS n
         FROM main.telemetry t JOIN ${CALC_BASELINE} f ON f.battery_id = t.battery_id AND NOT f.frozen
         WHERE t.ts >= f.first_ts AND t.ts < f.first_ts + ${window} AND (${inDays(windowDays, 't.ts')})
         GROUP BY ALL) x WHERE b.battery_id = x.battery_id AND NOT b.frozen`,
    );
  });
  const after = await queryRows(
    conn,
    `SELECT battery_id, CAST(r_sum AS VARCHAR) AS r, n, epoch(first_ts) AS f FROM ${CALC_BASELINE} WHERE NOT frozen`,
  );
  const out: number[] = [];
  for (const r of after) {
    if (was.get(Number(r.battery_id)) === `${String(r.r)}/${String(r.n)}`) continue;
    const first = Math.floor(Number(r.f) / 86400);
    for (let d = first; d <= first + BASELINE_DAYS; d++) out.push(d);
  }
  // A reading past its window freezes a baseline.
  await conn.run(
    `UPDATE ${CALC_BASELINE} b SET frozen = true FROM calc_seen s WHERE s.battery_id = b.battery_id AND NOT b.frozen AND s.hi >= b.first_ts + ${window}`,
  );
  await conn.run('DROP TABLE IF EXISTS temp.main.calc_seen');
  return out;
}

/** Cold days computed and staged, published together (publishBatch). */
interface CalcBatch {
  /** Begun with the first staged day. */
  set: PublishSet | null;
  staged: StagedFile[];
  files: ManifestFile[];
  replaces: string[];
  dates: string[];
}

/**
 * Cold days per publish (four weeks): each publish costs two view switches and a manifest, whatever its size (about
 * 0.14 s on a year's lake, 52 of them in a full rebuild of a year at a week per publish). An interrupted run keeps
 * the sets it published and redoes the rest.
 */
const PUBLISH_DAYS = 28;

/** The day computeDay computes, with what the refresh knows of it. */
interface CalcDay {
  /** Epoch day. */
  day: number;
  split: string | null;
  /** Which mirror rows the hot tier shows (hotVisibleSql). */
  hotVisible: string;
  /** The day's lake files of calc_telemetry, replaced by its new one. */
  previous: string[];
  /** A full rebuild's knowledge of every day (else the day's tiers are asked for). */
  known: KnownDays | null;
}

/**
 * One UTC day: its hot rows replace the day's in hot.calc_telemetry; its cold rows become the day's file, staged in
 * `batch` (replacing `previous`). A day with no cold rows any more has its previous files withdrawn: returns true then.
 *
 * A day the hot tier shows no reading of (every lake day: the hot tier holds the recent days and late rows) is written
 * straight from the calculation to its file and counted there; a day with hot readings is calculated into a temp table
 * first, which both tiers are taken from. Writing straight saves holding the day and reading it again (about a tenth of
 * a lake day's time). A day with no cold reading writes no file.
 */
async function computeDay(
  conn: DuckDBConnection,
  lake: Lake,
  deps: PublishSetDeps,
  batch: CalcBatch,
  { day, split, hotVisible, previous, known }: CalcDay,
): Promise<boolean> {
  const lo = day * DAY;
  const hi = lo + DAY;
  const date = new Date(lo).toISOString().slice(0, 10);
  const ingest = quoteIdent(INGEST_COLUMN);
  const cols = CALC_COLUMNS.map(quoteIdent).join(', ');
  const rows = calcRowsSql(calcInputSql(lo, hi, split, hotVisible), lo, hi);
  const any = async (readings: string): Promise<boolean> =>
    (await queryNumber(conn, `SELECT count(*) FROM (SELECT 1 FROM ${readings} LIMIT 1)`)) > 0;
  const [coldSql, hotSql] = calcTierReadingsSql(lo, hi, split, hotVisible);
  const tiers = known?.readings.get(day) ?? (known ? { cold: false, hot: false } : null);
  const coldReadings = tiers ? tiers.cold : await any(coldSql);
  const hotReadings = tiers ? tiers.hot : await any(hotSql);
  const source = hotReadings ? 'calc_day' : `(${rows})`;
  if (hotReadings) await conn.run(`CREATE OR REPLACE TEMP TABLE calc_day AS ${rows}`);
  try {
    // A day with neither hot readings nor hot calculated rows has nothing to replace there (every lake day of a rebuild).
    if (hotReadings || !known || known.calcHot.has(day))
      await inTransaction(conn, async () => {
        await conn.run(`DELETE FROM ${CALC_HOT} WHERE ts >= to_timestamp($1) AND ts < to_timestamp($2)`, [lo / 1000, hi / 1000]);
        if (hotReadings)
          await conn.run(
            `INSERT INTO ${CALC_HOT} (${cols}, ${ingest}) SELECT ${cols}, ${ingest} FROM calc_day WHERE ${ingest} IS NOT NULL`,
          );
      });
    const withdraw = async (): Promise<boolean> => {
      if (previous.length === 0) return false;
      await lake.withdraw(CALC.name, previous, `calc: no cold readings on ${date} any more`);
      await deps.commitViews([], [CALC.name]);
      return true;
    };
    if (!coldReadings || (hotReadings && (await queryNumber(conn, `SELECT count(*) FROM calc_day WHERE ${ingest} IS NULL`)) === 0))
      return await withdraw();
    batch.set ??= await PublishSet.begin(deps, 'calc', CALC.name);
    const staged = await lake.stage(partitionKey(CALC.name, date, `calc-${Date.now()}-${randomUUID().slice(0, 8)}`));
    await batch.set.track(staged.path);
    await conn.run(
      `COPY (SELECT ${cols} FROM ${source} WHERE ${ingest} IS NULL ORDER BY battery_id, ts) TO ${quoteLiteral(staged.path)} ` +
        '(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)',
    );
    const written = (
      await queryRows(
        conn,
        `SELECT count(*) AS n, strftime(min(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS a, strftime(max(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS b FROM read_parquet(${quoteLiteral(staged.path)})`,
      )
    )[0];
    const cold = Number(written?.n ?? 0);
    if (cold === 0) {
      // Cold readings of no known jar only: nothing to publish (a set left with nothing in it is closed by publishBatch).
      await lake.discard(staged);
      return await withdraw();
    }
    batch.staged.push(staged);
    batch.files.push({
      key: staged.key,
      rows: cold,
      bytes: (await stat(staged.path)).size,
      sha256: await sha256File(staged.path),
      minTime: written?.a === null || written?.a === undefined ? null : String(written.a),
      maxTime: written?.b === null || written?.b === undefined ? null : String(written.b),
    });
    batch.replaces.push(...previous);
    batch.dates.push(date);
    return false;
  } finally {
    if (hotReadings) await conn.run('DROP TABLE IF EXISTS temp.main.calc_day');
  }
}

/**
 * Publishes a batch's staged days in one journaled set (their manifest replaces their days' previous files); the files
 * published. A set left with nothing staged (its days' cold readings were of no known jar) is closed instead.
 */
async function publishBatch(batch: CalcBatch): Promise<number> {
  if (!batch.set) return 0;
  if (batch.staged.length === 0) {
    await batch.set.abandon();
    return 0;
  }
  const span = batch.dates.length > 1 ? `${batch.dates[0]}..${batch.dates[batch.dates.length - 1]}` : batch.dates[0];
  await batch.set.publish(batch.staged, {
    batchId: `calc-${span}-${Date.now()}-${randomUUID().slice(0, 8)}`,
    dataset: CALC.name,
    source: 'calc',
    writtenAt: new Date().toISOString(),
    rows: batch.files.reduce((n, f) => n + f.rows, 0),
    files: batch.files,
    ...(batch.replaces.length > 0 ? { replaces: batch.replaces } : {}),
    inputs: 'telemetry',
  });
  return batch.staged.length;
}
