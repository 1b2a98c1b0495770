import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { FeatureMaterializeReport, FeatureSetMaterialized } from '../../../shared/api/features';
import { datasetSpec, tierSource, type DatasetSpec } from '../../../shared/domain/datasets';
import {
  ENTITY_KEYS,
  FEATURE_DAY_COLUMN,
  FEATURE_TIME_COLUMN,
  featureColumns,
  featureFolder,
  featureLatestName,
  featureViewName,
  type FeatureSetDefinition,
  type FeatureSetVersion,
} from '../../../shared/domain/features';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { inTransaction, insertObjects, queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';
import type { LakeIntents } from '../lake/intents';
import { partitionKey, writerTurn, type Lake, type StagedFile } from '../lake/lake';
import { LakeCatalog } from '../lake/lake-catalog';
import { sha256File, type BatchManifest, type ManifestFile } from '../lake/manifest';
import { PublishSet } from '../lake/publish-set';
import { getTierState, HOT_MIRROR_SCHEMA, type Statement } from '../mirror/meta';
import { coldSelectSql, coldViewFiles, groupBySignature, hotVisibleSql } from '../mirror/views';
import { FEATURES_DATASET } from './feature-views';
import { ensureVersion } from './registry';

const DAY_MS = 86_400_000;
/**
 * Days computed per query (one temp table, then one file per day, published as one batch). A chunk reads its
 * `lookbackDays` before it again, so it spans four times the lookback and at least four weeks: a rebuild reads at
 * most a quarter more than its days (jar_daily_stats, 6 lookback days: 34 days read per 28 computed instead of 13
 * per 7, 127 against 216 ms a day on the year demo). At most half a year (a lookback over 46 days reads more), so
 * the temp table, the gap between progress reports and cancellation checks, and what a killed run redoes stay
 * bounded.
 */
export function chunkDays(lookbackDays: number): number {
  return Math.min(184, Math.max(28, 4 * lookbackDays));
}

/** Per set version and UTC day: the fingerprint of the inputs the day was computed from. */
export const FEATURE_DAYS = qualifiedName(INTERNAL_SCHEMA, 'feature_days');
/** Per input lake file (and its size and time) and UTC day: its rows and their hashes' sum, read once per file. */
export const FEATURE_FILE_DAYS = qualifiedName(INTERNAL_SCHEMA, 'feature_file_days');

export interface FeatureDeps {
  /** The job's own workspace connection. */
  conn: DuckDBConnection;
  lake: Lake;
  intents: LakeIntents;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
}

export interface MaterializeOptions {
  /** First and last UTC day (YYYY-MM-DD, inclusive); default: every day the inputs hold. */
  from?: string;
  to?: string;
  /** Recompute every day in range whatever the fingerprints say. */
  full?: boolean;
  /** Days computed per query; default chunkDays(lookbackDays). */
  chunkDays?: number;
  signal?: AbortSignal;
  onProgress?: (p: { fraction: number; message: string; rows?: number }) => void;
}

export type MaterializeReport = FeatureSetMaterialized;

export async function ensureFeatureState(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${FEATURE_FILE_DAYS} (dataset VARCHAR NOT NULL, key VARCHAR NOT NULL, ident VARCHAR NOT NULL, d BIGINT, n BIGINT NOT NULL, h HUGEINT NOT NULL)`,
  );
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${FEATURE_DAYS} (set_name VARCHAR, version INTEGER, day DATE, fp VARCHAR NOT NULL, PRIMARY KEY (set_name, version, day))`,
  );
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const tstz = (ms: number): DuckDBTimestampTZValue => new DuckDBTimestampTZValue(BigInt(ms) * 1000n);

function checkDay(day: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? dayMs(day) : Number.NaN;
  if (Number.isNaN(ms)) throw new WorkbenchError('BAD_INPUT', `${field} "${day.slice(0, 40)}" is not a day; write it as YYYY-MM-DD.`);
  return ms;
}

/**
 * Per input and UTC day in [loMs, hiMs): `<rows>:<sum of the rows' hashes>` over the unified view. Both are sums, so
 * a time series' days are added up from parts instead of read whole: below the split's day, each lake file's sums
 * per day (what its `cold` view branch gives, read once per file and kept in FEATURE_FILE_DAYS) plus the hot rows
 * the view shows; from the split's day on, the view itself. A day archived unchanged keeps its fingerprint, and a run
 * reads only the files it has not seen and the hot mirror.
 */
export async function inputDays(
  conn: DuckDBConnection,
  lake: Lake,
  def: FeatureSetDefinition,
  loMs: number,
  hiMs: number,
): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  const tiers = await getTierState(conn);
  for (const input of def.inputs) {
    const spec = datasetSpec(input);
    if (!spec) throw new WorkbenchError('INTERNAL', `No dataset ${input}`);
    const hashed = `hash(${spec.columns.map((c) => quoteIdent(c.name)).join(', ')})`;
    const perDay = (from: string, where: string): string =>
      `SELECT CAST(floor(epoch(ts) / 86400) AS BIGINT) AS d, count(*) AS n, sum(${hashed}) AS h FROM ${from} WHERE ${where} GROUP BY 1`;
    const tier = tiers.get(tierSource(spec)) ?? null;
    const splitMs = tier === null ? NaN : Date.parse(tier.split);
    const sums = new Map<number, { n: bigint; h: bigint }>();
    const add = (rows: Record<string, unknown>[]): void => {
      for (const r of rows) {
        const d = Number(r.d);
        const prev = sums.get(d) ?? { n: 0n, h: 0n };
        sums.set(d, { n: prev.n + BigInt(String(r.n)), h: prev.h + BigInt(String(r.h ?? 0)) });
      }
    };
    if (spec.kind !== 'timeseries' || spec.splitColumn !== 'ts' || !Number.isFinite(splitMs)) {
      add(await queryRows(conn, perDay(qualifiedName('main', input), 'ts >= $1 AND ts < $2'), [tstz(loMs), tstz(hiMs)]));
    } else {
      const splitDayMs = Math.floor(splitMs / DAY_MS) * DAY_MS;
      const below = Math.min(hiMs, splitDayMs);
      if (loMs < below) {
        add(await fileDaySums(conn, lake, spec, hashed, loMs, below));
        add(
          await queryRows(
            conn,
            perDay(qualifiedName(HOT_MIRROR_SCHEMA, input), `${hotVisibleSql(spec, tier, 'duckdb')} AND ts >= $1 AND ts < $2`),
            [tstz(loMs), tstz(below)],
          ),
        );
      }
      const from = Math.max(loMs, splitDayMs);
      if (from < hiMs) add(await queryRows(conn, perDay(qualifiedName('main', input), 'ts >= $1 AND ts < $2'), [tstz(from), tstz(hiMs)]));
    }
    out.set(input, new Map([...sums].filter(([, v]) => v.n > 0n).map(([d, v]) => [d, `${v.n}:${v.h}`])));
  }
  return out;
}

/** The lake files' rows per UTC day in [loMs, hiMs) for inputDays: each file summed once (by key, size and time), then added up. */
async function fileDaySums(
  conn: DuckDBConnection,
  lake: Lake,
  spec: DatasetSpec,
  hashed: string,
  loMs: number,
  hiMs: number,
): Promise<Record<string, unknown>[]> {
  const files = await coldViewFiles(conn, lake, spec.name);
  const ident = (f: { size: number; modifiedMs: number }): string => `${f.size}:${f.modifiedMs}`;
  const known = new Map(
    (await queryRows(conn, `SELECT DISTINCT key, ident FROM ${FEATURE_FILE_DAYS} WHERE dataset = $1`, [spec.name])).map((r) => [
      String(r.key),
      String(r.ident),
    ]),
  );
  const live = new Set(files.map((f) => f.key));
  const gone = [...known.keys()].filter((k) => !live.has(k));
  const fresh = files.filter((f) => known.get(f.key) !== ident(f));
  for (const f of fresh) {
    const rows = await queryRows(
      conn,
      `SELECT CAST(floor(epoch(ts) / 86400) AS BIGINT) AS d, count(*) AS n, sum(${hashed}) AS h ` +
        `FROM (${coldSelectSql(spec, groupBySignature([f]))}) GROUP BY 1`,
    );
    await inTransaction(conn, async () => {
      await conn.run(`DELETE FROM ${FEATURE_FILE_DAYS} WHERE dataset = $1 AND key = $2`, [spec.name, f.key]);
      for (const r of rows)
        await conn.run(`INSERT INTO ${FEATURE_FILE_DAYS} VALUES ($1, $2, $3, $4, $5, CAST($6 AS HUGEINT))`, [
          spec.name,
          f.key,
          ident(f),
          Number(r.d),
          Number(r.n),
          String(r.h),
        ]);
      // A file with no rows is remembered too (read once).
      if (rows.length === 0)
        await conn.run(`INSERT INTO ${FEATURE_FILE_DAYS} VALUES ($1, $2, $3, NULL, 0, 0)`, [spec.name, f.key, ident(f)]);
    });
  }
  for (const k of gone) await conn.run(`DELETE FROM ${FEATURE_FILE_DAYS} WHERE dataset = $1 AND key = $2`, [spec.name, k]);
  if (files.length === 0) return [];
  await conn.run(`CREATE OR REPLACE TEMP TABLE feature_live_files (key VARCHAR)`);
  await insertObjects(
    conn,
    'temp.main.feature_live_files',
    ['key'],
    files.map((f) => ({ key: f.key })),
  );
  return queryRows(
    conn,
    `SELECT d, sum(n) AS n, sum(h) AS h FROM ${FEATURE_FILE_DAYS} JOIN temp.main.feature_live_files USING (key) ` +
      `WHERE dataset = $1 AND d >= $2 AND d < $3 GROUP BY d`,
    [spec.name, Math.floor(loMs / DAY_MS), Math.floor(hiMs / DAY_MS)],
  );
}

/** The UTC days the inputs hold, as [first, last] day numbers; null when they are empty. */
async function inputExtent(conn: DuckDBConnection, def: FeatureSetDefinition): Promise<[number, number] | null> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const input of def.inputs) {
    const r = await queryRows(
      conn,
      `SELECT CAST(floor(epoch(min(ts)) / 86400) AS BIGINT) AS lo, CAST(floor(epoch(max(ts)) / 86400) AS BIGINT) AS hi FROM ${qualifiedName('main', input)}`,
    );
    if (r[0]?.lo === null || r[0]?.lo === undefined) continue;
    lo = Math.min(lo, Number(r[0].lo));
    hi = Math.max(hi, Number(r[0].hi));
  }
  return lo === Infinity ? null : [lo, hi];
}

/** The SELECT of a set's rows for [window_start, window_end): its SQL, cast to the declared columns, only the window's days. */
export function featureRowsSql(def: FeatureSetDefinition): string {
  const cols = featureColumns(def)
    .map((c) => `CAST(q.${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`)
    .join(', ');
  const day = `q.${quoteIdent(FEATURE_DAY_COLUMN)}`;
  return (
    `SELECT ${cols} FROM (${def.sql}\n) q ` +
    `WHERE ${day} >= CAST(timezone('UTC', $window_start) AS DATE) AND ${day} < CAST(timezone('UTC', $window_end) AS DATE)`
  );
}

/**
 * Brings a feature set's current version up to date in the lake, one UTC day per file
 * (`features/<set>/v<N>/date=D/part-<id>.parquet`): a day is recomputed when the fingerprint of the input days it
 * reads (that day and `lookbackDays` before it, per input: row count and the sum of every row's hash, over the unified
 * views, so a day that moved between tiers unchanged is not recomputed while a late row or a changed value is) differs
 * from the one it was last computed from. Each run of days is computed in one query into a temp table and published
 * as one batch whose manifest replaces the days' previous files (PublishSet: journaled, a killed run is finished or
 * undone by the next one or `lake check --repair`). The fingerprints are recorded after the batch is published, so an
 * interrupted run redoes its days. Ends by rebuilding the version's serving table (the latest row per entity).
 */
export async function materializeFeatureSet(
  deps: FeatureDeps,
  def: FeatureSetDefinition,
  options: MaterializeOptions = {},
): Promise<MaterializeReport> {
  // One writer per lake: an archive run, a compaction, the calculated metrics or a lake check going on is waited for.
  const writer = await writerTurn(deps.lake, `materializing the feature set ${def.name}`, {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: (message) => options.onProgress?.({ fraction: 0, message: `${def.name} waiting: ${message}` }),
  });
  try {
    return await materializeLocked(deps, def, options);
  } finally {
    await writer.release();
  }
}

async function materializeLocked(deps: FeatureDeps, def: FeatureSetDefinition, options: MaterializeOptions): Promise<MaterializeReport> {
  const started = Date.now();
  const { conn, lake } = deps;
  const progress = options.onProgress ?? (() => undefined);
  await ensureFeatureState(conn);
  const { version, created } = await ensureVersion(lake, def);
  const report: MaterializeReport = {
    set: def.name,
    version: version.version,
    hash: version.hash,
    createdVersion: created,
    days: 0,
    recomputed: 0,
    rows: 0,
    files: 0,
    recomputedDays: [],
    elapsedMs: 0,
  };
  progress({ fraction: 0, message: `${def.name} v${version.version}: reading the inputs' days` });
  const extent = await inputExtent(conn, def);
  const stored = new Map(
    (
      await queryRows(conn, `SELECT CAST(day AS VARCHAR) AS day, fp FROM ${FEATURE_DAYS} WHERE set_name = $1 AND version = $2`, [
        def.name,
        version.version,
      ])
    ).map((r) => [String(r.day), String(r.fp)]),
  );
  let lo = extent ? extent[0] : Infinity;
  let hi = extent ? extent[1] : -Infinity;
  // Days computed before whose inputs are gone since are in range too (their files are withdrawn).
  for (const d of stored.keys()) {
    lo = Math.min(lo, dayMs(d) / DAY_MS);
    hi = Math.max(hi, dayMs(d) / DAY_MS);
  }
  if (options.from !== undefined) lo = Math.max(lo, checkDay(options.from, 'from') / DAY_MS);
  if (options.to !== undefined) hi = Math.min(hi, checkDay(options.to, 'to') / DAY_MS);
  if (lo > hi) {
    await refreshLatest(conn, def, version.version);
    report.elapsedMs = Date.now() - started;
    return report;
  }
  const inputs = await inputDays(conn, lake, def, (lo - def.lookbackDays) * DAY_MS, (hi + 1) * DAY_MS);
  const changed: { day: number; fp: string }[] = [];
  for (let d = lo; d <= hi; d++) {
    const h = createHash('sha256').update(version.hash);
    for (const input of def.inputs) {
      const per = inputs.get(input) as Map<number, string>;
      for (let k = d - def.lookbackDays; k <= d; k++) h.update(`|${input}:${k}:${per.get(k) ?? '0'}`);
    }
    const fp = h.digest('hex');
    const day = dayOf(d * DAY_MS);
    // A day without input rows that was never computed has nothing to write.
    const empty = def.inputs.every((i) => !(inputs.get(i) as Map<number, string>).has(d));
    if (options.full || (stored.has(day) ? stored.get(day) !== fp : !empty)) changed.push({ day: d, fp });
  }
  report.days = hi - lo + 1;

  const chunks: { day: number; fp: string }[][] = [];
  const perChunk = options.chunkDays ?? chunkDays(def.lookbackDays);
  for (const c of changed) {
    const last = chunks[chunks.length - 1];
    if (last && last.length < perChunk && last[last.length - 1].day === c.day - 1) last.push(c);
    else chunks.push([c]);
  }
  let done = 0;
  for (const chunk of chunks) {
    if (options.signal?.aborted)
      throw new WorkbenchError(
        'CANCELLED',
        `Materializing ${def.name} was cancelled after ${done} of ${changed.length} days; the finished days are kept.`,
      );
    progress({
      fraction: changed.length === 0 ? 1 : done / changed.length,
      message: `${def.name} v${version.version}: ${dayOf(chunk[0].day * DAY_MS)} to ${dayOf(chunk[chunk.length - 1].day * DAY_MS)}`,
      rows: report.rows,
    });
    const written = await writeChunk(deps, def, version, chunk[0].day * DAY_MS, (chunk[chunk.length - 1].day + 1) * DAY_MS);
    await inTransaction(conn, async () => {
      for (const c of chunk)
        await conn.run(`DELETE FROM ${FEATURE_DAYS} WHERE set_name = $1 AND version = $2 AND day = CAST($3 AS DATE)`, [
          def.name,
          version.version,
          dayOf(c.day * DAY_MS),
        ]);
      await insertObjects(
        conn,
        FEATURE_DAYS,
        ['set_name', 'version', 'day', 'fp'],
        chunk.map((c) => ({ set_name: def.name, version: version.version, day: dayOf(c.day * DAY_MS), fp: c.fp })),
      );
    });
    done += chunk.length;
    report.recomputed += chunk.length;
    report.rows += written.rows;
    report.files += written.files;
    for (const c of chunk) if (report.recomputedDays.length < 20) report.recomputedDays.push(dayOf(c.day * DAY_MS));
  }
  progress({ fraction: 1, message: `${def.name} v${version.version}: updating the latest values`, rows: report.rows });
  await refreshLatest(conn, def, version.version);
  report.elapsedMs = Date.now() - started;
  return report;
}

/**
 * Materializes the sets one after the other (materializeFeatureSet each), progress spread over them; what the
 * `features materialize` job and the demo's last step run.
 */
export async function materializeSets(
  deps: FeatureDeps,
  defs: readonly FeatureSetDefinition[],
  options: MaterializeOptions = {},
): Promise<FeatureMaterializeReport> {
  const started = Date.now();
  const report: FeatureMaterializeReport = { sets: [], elapsedMs: 0 };
  for (let i = 0; i < defs.length; i++) {
    if (options.signal?.aborted)
      throw new WorkbenchError('CANCELLED', `Materializing the feature sets was cancelled before ${defs[i].name}.`);
    const onProgress = options.onProgress;
    report.sets.push(
      await materializeFeatureSet(deps, defs[i], {
        ...options,
        ...(onProgress ? { onProgress: (p) => onProgress({ ...p, fraction: (i + p.fraction) / defs.length }) } : {}),
      }),
    );
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** Computes [loMs, hiMs) and publishes its days, replacing their previous files. */
async function writeChunk(
  deps: FeatureDeps,
  def: FeatureSetDefinition,
  version: FeatureSetVersion,
  loMs: number,
  hiMs: number,
): Promise<{ rows: number; files: number }> {
  const { conn, lake } = deps;
  const temp = 'bw_feature_chunk';
  const key = quoteIdent(ENTITY_KEYS[def.entity]);
  const dayCol = quoteIdent(FEATURE_DAY_COLUMN);
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${temp} AS ${featureRowsSql(def)}`, {
      window_start: tstz(loMs),
      window_end: tstz(hiMs),
    });
  } catch (err) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `The SQL of the feature set ${def.name} failed: ${errorMessage(err)}`,
      'Fix its definition and materialize again.',
    );
  }
  try {
    const dup = await queryRows(
      conn,
      `SELECT ${key} AS k, CAST(${dayCol} AS VARCHAR) AS d FROM temp.main.${temp} GROUP BY ALL HAVING count(*) > 1 LIMIT 1`,
    );
    if (dup.length > 0)
      throw new WorkbenchError(
        'BAD_INPUT',
        `The feature set ${def.name} gave two rows for ${ENTITY_KEYS[def.entity]} ${String(dup[0].k)} on ${String(dup[0].d)}; it must give one per ${def.entity} and day.`,
      );
    const folder = featureFolder(def.name, version.version);
    const prefix = `${folder}/`;
    const old = (await new LakeCatalog(conn, lake).files(FEATURES_DATASET)).filter((f) => f.key.startsWith(prefix));
    const set = await PublishSet.begin(deps, 'features', FEATURES_DATASET);
    const staged: StagedFile[] = [];
    const files: ManifestFile[] = [];
    const replaces: string[] = [];
    let rows = 0;
    try {
      const tag = randomUUID().slice(0, 12);
      for (let d = loMs; d < hiMs; d += DAY_MS) {
        const day = dayOf(d);
        replaces.push(...old.filter((f) => f.partition.date === day).map((f) => f.key));
        const counted = await queryRows(
          conn,
          `SELECT count(*) AS n, strftime(min(${quoteIdent(FEATURE_TIME_COLUMN)}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS lo, ` +
            `strftime(max(${quoteIdent(FEATURE_TIME_COLUMN)}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS hi FROM temp.main.${temp} WHERE ${dayCol} = CAST($1 AS DATE)`,
          [day],
        );
        const n = Number(counted[0]?.n ?? 0);
        if (n === 0) continue;
        const s = await lake.stage(partitionKey(folder, day, tag));
        await set.track(s.path);
        await conn.run(
          `COPY (SELECT * FROM temp.main.${temp} WHERE ${dayCol} = CAST(${quoteLiteral(day)} AS DATE) ORDER BY ${key}) TO ${quoteLiteral(s.path)} ` +
            `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
        );
        const sha256 = await sha256File(s.path);
        const bytes = (await stat(s.path)).size;
        staged.push({ ...s, sha256 });
        files.push({ key: s.key, rows: n, bytes, sha256, minTime: String(counted[0].lo), maxTime: String(counted[0].hi) });
        rows += n;
      }
      if (staged.length === 0 && replaces.length === 0) {
        await set.abandon();
        return { rows: 0, files: 0 };
      }
      const manifest: BatchManifest = {
        batchId: `features-${def.name}-v${version.version}-${dayOf(loMs)}-${tag}`,
        dataset: FEATURES_DATASET,
        source: 'features',
        writtenAt: new Date().toISOString(),
        rows,
        files,
        ...(replaces.length > 0 ? { replaces } : {}),
        featureSet: { name: def.name, version: version.version, hash: version.hash, from: dayOf(loMs), to: dayOf(hiMs - DAY_MS) },
      };
      await set.publish(staged, manifest);
    } catch (err) {
      await set.abandon();
      throw err;
    }
    return { rows, files: staged.length };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${temp}`);
  }
}

/**
 * The version's serving table `features.<set>_v<N>_latest`: per entity, its row with the latest event time, made
 * again from the version's view in one transaction (readers see the old or the new table).
 */
export async function refreshLatest(conn: DuckDBConnection, def: FeatureSetDefinition, version: number): Promise<void> {
  const view = qualifiedName(FEATURES_DATASET, featureViewName(def.name, version));
  const table = qualifiedName(FEATURES_DATASET, featureLatestName(def.name, version));
  const exists = await queryRows(conn, `SELECT 1 FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2`, [
    FEATURES_DATASET,
    featureViewName(def.name, version),
  ]);
  const cols = featureColumns(def);
  const source =
    exists.length > 0
      ? `SELECT * FROM ${view} QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(ENTITY_KEYS[def.entity])} ORDER BY ${quoteIdent(FEATURE_TIME_COLUMN)} DESC) = 1`
      : `SELECT ${cols.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`;
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(FEATURES_DATASET)}`);
  await inTransaction(conn, async () => {
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS ${source} ORDER BY ${quoteIdent(ENTITY_KEYS[def.entity])}`);
  });
}
