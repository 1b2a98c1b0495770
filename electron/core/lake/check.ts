import type { DuckDBConnection } from '@duckdb/node-api';
import { rm, stat } from 'node:fs/promises';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { LakeCheckReport, LakeProblem } from '../../../shared/api/storage';
import { datasetSpec, lakeDatasets, tierSource, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { BatchRecord } from '../archive/state';
import { COLD_SCHEMA, getHiddenFiles, getTierState, HOT_MIRROR_SCHEMA, unhideFilesSql } from '../mirror/meta';
import { hotVisibleSql, monthBoundColumn } from '../mirror/views';
import { finishCompactions, type CompactDeps } from './compact';
import { confirmObject, datasetOfKey, folderOfKey, partitionOf, writerTurn, type Lake, type LakeEntry, type LakeWriterLock } from './lake';
import { sqlPathList } from './lake-sql';
import { LakeCatalog } from './lake-catalog';
import { DEMO_MARKER_KEY, liveFiles, MANIFESTS_FOLDER, sha256File } from './manifest';
import { rowsPresentElsewhere, strayTemps, sweepStrayTemps } from './sweep';
import { finishPublishSets } from './publish-set';
import { finishRetentions } from '../lifecycle/retention';
import { finishTierMoves } from '../lifecycle/tiers';

export interface CheckDeps extends CompactDeps {
  /** Archive batches a killed run left between steps (the next archive run finishes them). */
  unfinishedArchive(): Promise<BatchRecord[]>;
  /** Local paths of Parquet files conversions wrote before conversions recorded manifests. */
  conversionOutputs(): Promise<Set<string>>;
  /** `--repair`: the workspace's lake catalog made again from the whole lake, then every view (DataPlatform.rebuildCatalog). */
  rebuildCatalog(): Promise<unknown>;
  onStep?: (fraction: number, message: string) => void;
}

export interface CheckOptions {
  dataset?: string;
  repair?: boolean;
}

/**
 * `lake check`: reads every manifest and every file of the lake (or of one dataset) and says, per problem, what
 * is wrong where. It proves: every live file (per the manifests) is present with its recorded sha256 and row
 * count; no visible Parquet file is unknown; no key is visible from two files, nor from the lake and the hot
 * tier; no temp or hidden file is left over; no journaled job was left half done. `repair` does only what
 * loses nothing: it finishes journaled compactions and conversions (under the lake-writer lock), removes temp
 * and hidden files whose rows are proven present elsewhere, and forgets hidden marks of files that are gone.
 */
export async function checkLake(deps: CheckDeps, options: CheckOptions = {}): Promise<LakeCheckReport> {
  const started = Date.now();
  const { lake, conn } = deps;
  const scope = options.dataset;
  const inScope = (key: string): boolean => scope === undefined || datasetOfKey(key) === scope;
  const problems: LakeProblem[] = [];
  const repaired: string[] = [];
  const problem = (kind: LakeProblem['kind'], key: string, detail: string): void => {
    problems.push({
      kind,
      dataset: key.startsWith(`${MANIFESTS_FOLDER}/`) ? (key.split('/')[1] ?? '') : datasetOfKey(key),
      path: key,
      detail,
    });
  };

  // Its turn among the lake's writers: a job writing now would show as unfinished, its files half-published.
  const writer = await checkTurn(deps, options.repair === true);
  try {
    if (options.repair) {
      repaired.push(
        ...(await finishCompactions(deps)),
        ...(await finishPublishSets(deps)),
        ...(await finishRetentions(deps)),
        ...(await finishTierMoves(deps)),
      );
    }
    // Journaled work left by a killed job (after a repair only archive batches can be left: they need PostgreSQL).
    const pendingKeys = new Set<string>();
    const pendingTemps = new Set<string>();
    for (const i of await deps.intents.unfinished()) {
      for (const k of i.keys) pendingKeys.add(k);
      for (const t of i.temps) pendingTemps.add(t);
      if (!scope || i.dataset === scope)
        problem('unfinished-job', i.dataset, `${i.job} ${i.id} stopped at "${i.state}": run \`lake check --repair\` to finish it`);
    }
    for (const b of await deps.unfinishedArchive()) {
      pendingKeys.add(b.fileKey);
      if (b.stagedPath) pendingTemps.add(b.stagedPath);
      if (!scope || b.dataset === scope)
        problem(
          'unfinished-job',
          b.fileKey,
          `archive batch ${b.batchId} (${b.day}) stopped at "${b.state}": run the archive again to finish it`,
        );
    }

    // 1. Manifests: what should be there.
    const manifests = (await lake.manifests()).filter(
      (m) => m.key !== DEMO_MARKER_KEY && (m.manifest.source !== 'unreadable' || inScope(m.key.split('/')[1] ?? '')),
    );
    for (const m of manifests)
      if (m.manifest.source === 'unreadable') problem('unreadable-manifest', m.key, 'not a readable batch manifest');
    const live = [...liveFiles(manifests).entries()].filter(([key]) => inScope(key));
    // What the lake holds (an S3 lake: the object listing; its local copies are checked where present).
    deps.onStep?.(0, 'Listing the lake');
    const allEntries = await lake.listEntries();
    const stored = new Set(allEntries.map((e) => e.key));
    let files = 0;
    let rows = 0;
    let bytes = 0;
    const present = new Set<string>();
    for (let i = 0; i < live.length; i++) {
      const [key, { file, batchId }] = live[i];
      deps.onStep?.(live.length > 0 ? (0.8 * i) / live.length : 0, `Checking ${key}`);
      if (deps.signal?.aborted) throw new Error('cancelled');
      const path = lake.localPath(key);
      if (!stored.has(key)) {
        problem('missing-file', key, `manifest ${batchId} names it (${file.rows} rows) but the file is absent`);
        continue;
      }
      const s = await stat(path).catch(() => null);
      if (!s) {
        // An S3 object without a local copy: its size and SHA-256 as the store reports them.
        files++;
        bytes += file.bytes;
        rows += file.rows;
        if (!(await confirmObject(lake, key, { bytes: file.bytes, sha256: file.sha256 })))
          problem('checksum-mismatch', key, `the stored object's size or SHA-256 differs from manifest ${batchId}`);
        continue;
      }
      present.add(key);
      files++;
      bytes += s.size;
      let actualRows: number | null = null;
      try {
        actualRows = Number(
          (await conn.runAndReadAll(`SELECT num_rows::BIGINT AS n FROM parquet_file_metadata(${quoteLiteral(path)})`)).getRowObjectsJS()[0]
            ?.n ?? 0,
        );
        rows += actualRows;
      } catch (err) {
        problem('checksum-mismatch', key, `not a readable Parquet file: ${errorMessage(err)}`);
        continue;
      }
      const sha = await sha256File(path);
      if (
        file.sha256 &&
        sha !== file.sha256 &&
        lake.kind === 's3' &&
        (await confirmObject(lake, key, { bytes: file.bytes, sha256: file.sha256 }))
      ) {
        // The object is sound and the local copy is not: a corrupted cache file. Repair fetches it again.
        if (options.repair) {
          await rm(path, { force: true });
          await lake.fetch([key]);
          repaired.push(`fetched ${key} again: its cached copy had sha256 ${sha}, the manifest ${file.sha256}`);
        } else
          problem(
            'checksum-mismatch',
            key,
            `the cached copy has sha256 ${sha} but manifest ${batchId} recorded ${file.sha256} (the object in S3 is sound; --repair fetches it again)`,
          );
      } else if (file.sha256 && sha !== file.sha256)
        problem('checksum-mismatch', key, `sha256 ${sha} but manifest ${batchId} recorded ${file.sha256}`);
      else if (actualRows !== file.rows)
        problem('checksum-mismatch', key, `${actualRows} rows but manifest ${batchId} recorded ${file.rows}`);
      const outside = await rowsOutsidePartition(conn, key, path);
      if (outside > 0)
        problem('outside-partition', key, `${outside} row(s) fall outside the UTC day of their date= folder: the views do not show them`);
    }

    // 2. What is there: unknown Parquet files, leftover temps, hidden files nobody works on.
    deps.onStep?.(0.8, 'Listing the lake');
    const legacy = await deps.conversionOutputs();
    const hidden = await getHiddenFiles(conn);
    const isHidden = (key: string): boolean => hidden.has(key) || hidden.has(lake.localPath(key));
    const liveKeys = new Set(live.map(([k]) => k));
    const entries = allEntries.filter((e) => inScope(e.key) && !e.key.startsWith(`${MANIFESTS_FOLDER}/`) && !e.key.startsWith('_locks/'));
    if (options.repair) {
      const swept = await sweepStrayTemps(conn, lake, pendingTemps, inScope);
      for (const r of swept.removed) repaired.push(`removed ${r.key}: ${r.why}`);
      for (const k of swept.kept) problem('stray-temp', k.key, `kept: ${k.why}`);
    } else {
      for (const e of await strayTemps(lake, pendingTemps, inScope)) {
        problem(
          'stray-temp',
          e.key,
          `a temp ${(await stat(lake.localPath(e.key)).catch(() => null))?.isDirectory() ? 'folder' : 'file'} (${e.size} bytes) left by a writer that is gone`,
        );
      }
    }
    // A file in two tiers (a local lake's move that copied it and was stopped before dropping the warmer copy).
    const firstTier = new Set(entries.filter((e) => e.kind === 'data' && e.tier === undefined).map((e) => e.key));
    const liveByKey = new Map(live);
    for (const e of entries) {
      if (e.kind !== 'data' || e.tier === undefined || !firstTier.has(e.key) || pendingKeys.has(e.key)) continue;
      const want = liveByKey.get(e.key)?.file;
      const sound = want !== undefined && (await sha256File(lake.localPath(e.key))) === want.sha256;
      if (options.repair && sound) {
        await lake.settleTier(e.key);
        repaired.push(`dropped the ${lake.tiers[0]} copy of ${e.key}: its ${e.tier} copy matches the manifest`);
      } else
        problem(
          'two-tiers',
          e.key,
          sound
            ? `in the lake folder and in the ${e.tier} tier, with no move under way (--repair drops the lake folder's copy)`
            : `in the lake folder and in the ${e.tier} tier, and the ${e.tier} copy (which the views read) does not match the manifest: compare both copies with it and remove the wrong one by hand`,
        );
    }
    for (const e of entries) {
      if (e.kind === 'data') {
        if (isHidden(e.key)) {
          if (pendingKeys.has(e.key)) continue;
          await strayHidden(deps, e, options.repair === true, problem, repaired);
        } else if (!liveKeys.has(e.key) && !legacy.has(lake.localPath(e.key)) && !pendingKeys.has(e.key)) {
          problem('unlisted-file', e.key, `${e.size} bytes; no manifest names it`);
        }
      }
    }
    if (options.repair) {
      // Hidden marks of files that are gone (a withdrawn or compacted-away file) hide nothing: forget them.
      // Read again: the marks of hidden files withdrawn just above are forgotten already (and reported as such).
      const gone: string[] = [];
      for (const h of await getHiddenFiles(conn))
        if (!h.startsWith('/') && inScope(h) && !pendingKeys.has(h) && !(await lake.exists(h))) gone.push(h);
      if (gone.length > 0) {
        await deps.commitViews(unhideFilesSql(gone), []);
        repaired.push(`forgot ${gone.length} hidden mark(s) of files that no longer exist`);
      }
    }

    // 3. Overlaps: a key in two visible files of a dataset (in one folder or in two), or in the lake and the hot tier.
    deps.onStep?.(0.9, 'Looking for rows visible twice');
    const visible = [...present].filter((k) => !isHidden(k));
    const byDataset = new Map<string, string[]>();
    for (const k of visible) byDataset.set(datasetOfKey(k), [...(byDataset.get(datasetOfKey(k)) ?? []), k]);
    for (const [dataset, keys] of byDataset) {
      const spec = datasetSpec(dataset);
      if (!spec || keys.length < 2 || spec.kind === 'master') continue;
      const pk = spec.primaryKey.map(quoteIdent).join(', ');
      for (const group of await filesThatMayShareKeys(conn, lake, spec, keys)) {
        const dup = await conn.runAndReadAll(
          `SELECT count(*)::BIGINT AS n FROM (SELECT ${pk} FROM read_parquet(${sqlPathList(group.map((k) => lake.localPath(k)))}, union_by_name = true, hive_partitioning = false) GROUP BY ${pk} HAVING count(*) > 1)`,
        );
        const n = Number(dup.getRowObjectsJS()[0]?.n ?? 0);
        if (n > 0)
          problem('overlap', commonFolder(group), `${n} key(s) of ${spec.name} are in two or more of its ${group.length} visible files`);
      }
    }
    // 4. The workspace's catalog of the lake (what the views are made from) against the manifests' live set.
    deps.onStep?.(0.95, 'Comparing the catalog with the manifests');
    // A repair's own writes (withdrawals, finished jobs) are taken into the catalog first, as every writer's are.
    if (options.repair) await deps.commitViews([], [...new Set((await lake.manifestKeys(scope)).map((k) => k.split('/')[1] ?? ''))]);
    const drift = await new LakeCatalog(conn, lake).drift(scope);
    if (drift.missing.length > 0 || drift.extra.length > 0) {
      if (options.repair) {
        await deps.rebuildCatalog();
        repaired.push(
          `rebuilt the lake catalog: ${drift.missing.length} live file(s) were missing from it, ${drift.extra.length} it listed are not live`,
        );
      } else {
        for (const k of drift.missing)
          problem('catalog-stale', k, 'live per the manifests but not in the workspace catalog: the views do not read it');
        for (const k of drift.extra)
          problem('catalog-stale', k, 'in the workspace catalog but not live per the manifests: the views read it');
      }
    }
    const tiers = await getTierState(conn);
    for (const spec of datasetsInScope(scope)) {
      const tier = tiers.get(tierSource(spec));
      if (!tier || spec.splitColumn === null) continue;
      const n = await tierOverlap(conn, spec, tier);
      if (n > 0) problem('overlap', spec.name, `${n} row(s) of ${spec.name} are visible from both the lake and the hot tier`);
    }
    return {
      ok: problems.length === 0,
      location: lake.location,
      dataset: scope ?? null,
      problems,
      files,
      rows,
      bytes,
      repaired,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await writer?.release();
  }
}

/**
 * The sets (two or more) of a dataset's visible files that may hold a common key. A time series' key includes its
 * time, so files whose time ranges do not meet cannot share one: day folders are compared on their own, and a file
 * elsewhere (a conversion into the dataset's top folder) with every file its rows' times reach. Other datasets'
 * keys say nothing about where a row lives: all their files are compared together.
 */
async function filesThatMayShareKeys(conn: DuckDBConnection, lake: Lake, spec: DatasetSpec, keys: readonly string[]): Promise<string[][]> {
  const time =
    spec.kind === 'timeseries' && spec.splitColumn !== null && spec.primaryKey.includes(spec.splitColumn) ? spec.splitColumn : null;
  if (time === null) return [[...keys]];
  const keyOf = new Map(keys.map((k) => [lake.localPath(k), k]));
  let ranges: { key: string; lo: bigint; hi: bigint }[];
  try {
    const col = quoteIdent(time);
    const r = await conn.runAndReadAll(
      `SELECT filename AS f, epoch_us(min(${col})) AS lo, epoch_us(max(${col})) AS hi FROM read_parquet(${sqlPathList([...keyOf.keys()])}, union_by_name = true, hive_partitioning = false, filename = true) ` +
        `WHERE ${col} IS NOT NULL GROUP BY filename ORDER BY lo, hi, f`,
    );
    ranges = r
      .getRowObjectsJS()
      .map((x) => ({ key: keyOf.get(String(x.f)) ?? String(x.f), lo: BigInt(x.lo as bigint), hi: BigInt(x.hi as bigint) }));
  } catch {
    // A time column that is not a time everywhere: compare every file with every other.
    return [[...keys]];
  }
  const groups: string[][] = [];
  let current: string[] = [];
  let reach = 0n;
  for (const f of ranges) {
    if (current.length > 0 && f.lo <= reach) {
      current.push(f.key);
      if (f.hi > reach) reach = f.hi;
    } else {
      if (current.length > 1) groups.push(current);
      current = [f.key];
      reach = f.hi;
    }
  }
  if (current.length > 1) groups.push(current);
  return groups;
}

/** The deepest folder holding all of `keys` (`telemetry/date=2024-05-01`, or `telemetry` for files in two folders). */
function commonFolder(keys: readonly string[]): string {
  const parts = keys.map((k) => folderOfKey(k).split('/'));
  const out: string[] = [];
  for (let i = 0; i < parts[0].length && parts.every((p) => p[i] === parts[0][i]); i++) out.push(parts[0][i]);
  return out.join('/');
}

function datasetsInScope(scope: string | undefined): DatasetSpec[] {
  if (scope === undefined) return lakeDatasets();
  const spec = datasetSpec(scope);
  return spec !== undefined && spec.partitionColumn !== null ? [spec] : [];
}

/** Rows with the same key seen from the lake (below the split) and from the hot tier (its visible rows). */
async function tierOverlap(conn: DuckDBConnection, spec: DatasetSpec, tier: { split: string; archivedIngest: number }): Promise<number> {
  const pk = spec.primaryKey.map(quoteIdent).join(', ');
  const col = quoteIdent(spec.splitColumn as string);
  const split = `CAST(${quoteLiteral(tier.split)} AS TIMESTAMPTZ)`;
  // Time series keys include the time: only hot rows below the split (late rows) can meet the lake's.
  const hotBelow = spec.kind === 'timeseries' ? ` AND ${col} < ${split}` : '';
  const r = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n FROM (SELECT ${pk} FROM ${qualifiedName(HOT_MIRROR_SCHEMA, spec.name)} WHERE ${hotVisibleSql(spec, tier, 'duckdb')}${hotBelow}) h ` +
      `JOIN (SELECT ${pk} FROM ${qualifiedName(COLD_SCHEMA, spec.name)} WHERE ${col} < ${split}) c USING (${pk})`,
  );
  return Number(r.getRowObjectsJS()[0]?.n ?? 0);
}

async function strayHidden(
  deps: CheckDeps,
  e: LakeEntry,
  repair: boolean,
  problem: (k: LakeProblem['kind'], key: string, d: string) => void,
  repaired: string[],
): Promise<void> {
  if (!repair) {
    problem('stray-temp', e.key, 'hidden from the views and no job is working on it');
    return;
  }
  const proof = await rowsPresentElsewhere(deps.conn, datasetOfKey(e.key), deps.lake.localPath(e.key));
  if (proof.proven) {
    await deps.lake.withdraw(
      datasetOfKey(e.key),
      [e.key],
      `lake repair: a hidden file whose rows are all visible elsewhere (${proof.why})`,
    );
    await deps.commitViews(unhideFilesSql([e.key]), []);
    repaired.push(`withdrew hidden ${e.key}: ${proof.why}`);
  } else {
    problem('stray-temp', e.key, `hidden, kept: ${proof.why}`);
  }
}

/**
 * Rows of a time series file whose time column is not on the UTC day of its `date=` folder. The cold views bound
 * each month's files to that month (views.ts, monthBoundColumn), so such rows would be silently missing from them.
 */
export async function rowsOutsidePartition(conn: DuckDBConnection, key: string, path: string): Promise<number> {
  const spec = datasetSpec(datasetOfKey(key));
  const col = spec === undefined ? null : monthBoundColumn(spec);
  const day = partitionOf(key).date;
  if (col === null || day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return 0;
  const rows = await queryRows(
    conn,
    `SELECT count(*) AS n FROM read_parquet(${quoteLiteral(path)}) WHERE ${col} IS NOT NULL AND ` +
      `(${col} < CAST(${quoteLiteral(`${day}T00:00:00Z`)} AS TIMESTAMPTZ) OR ${col} >= CAST(${quoteLiteral(`${day}T00:00:00Z`)} AS TIMESTAMPTZ) + INTERVAL 1 DAY)`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The writer lock for the check's duration, waiting for a running writer (told through onStep). A check without
 * repair of an S3 lake that cannot be reached goes on without it (it reads the cache; nothing can write from here).
 */
async function checkTurn(deps: CheckDeps, repair: boolean): Promise<LakeWriterLock | null> {
  try {
    return await writerTurn(deps.lake, repair ? 'a lake repair' : 'a lake check', {
      ...(deps.signal ? { signal: deps.signal } : {}),
      onWait: (message) => deps.onStep?.(0, `Waiting for the lake: ${message}`),
    });
  } catch (err) {
    if (!repair && err instanceof WorkbenchError && err.code === 'LAKE_OFFLINE') return null;
    throw err;
  }
}
