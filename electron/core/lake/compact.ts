import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { WorkbenchError } from '../../../shared/api/errors';
import type { CompactionReport } from '../../../shared/api/storage';
import { datasetSpec } from '../../../shared/domain/datasets';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { getHiddenFiles, hideFilesSql, unhideFilesSql, type Statement } from '../mirror/meta';
import { killPoint } from '../system/kill-switch';
import { folderOfKey, type Lake, type LakeFile } from './lake';
import type { LakeIntent, LakeIntents } from './intents';
import { lakeFilesSql, sqlPathList } from './lake-sql';
import { sha256File, writeManifest } from './manifest';

export interface CompactDeps {
  /** The job's own workspace connection. */
  conn: DuckDBConnection;
  lake: Lake;
  intents: LakeIntents;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rows: number) => void;
}

/** What a compaction intent records. */
interface CompactPayload {
  folder: string;
  originals: { key: string; rows: number; bytes: number }[];
  merged: string;
  staged: string | null;
  rows: number;
  bytes: number;
}

type CompactIntent = LakeIntent<CompactPayload>;

/** Rows and a content checksum over every column (by name, in one order) of a list of files. */
async function contentDigest(
  conn: DuckDBConnection,
  list: string,
  columns: readonly string[],
): Promise<{ rows: number; checksum: string }> {
  const cols = columns.map(quoteIdent).join(', ');
  const r = (
    await conn.runAndReadAll(
      `SELECT count(*)::BIGINT AS n, coalesce(sum(hash(${cols}))::HUGEINT, 0)::VARCHAR AS h FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)`,
    )
  ).getRowObjectsJS()[0];
  return { rows: Number(r.n), checksum: String(r.h) };
}

async function schemaOf(conn: DuckDBConnection, list: string): Promise<{ name: string; type: string }[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)`);
  return r.getRowObjectsJS().map((x) => ({ name: String(x.column_name), type: String(x.column_type) }));
}

/**
 * The key-value metadata the merged file carries: every pair the originals agree on, and `compacted_from`
 * (each original's key and its own pairs, e.g. an archive batch's id), so nothing they said is lost.
 */
async function mergedKv(conn: DuckDBConnection, lake: Lake, files: readonly LakeFile[]): Promise<string> {
  const byPath = new Map(files.map((f) => [lake.localPath(f.key), f.key]));
  const r = await conn.runAndReadAll(
    `SELECT file_name AS f, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${lakeFilesSql(lake, files)})`,
  );
  const per = new Map<string, Record<string, string>>(files.map((f) => [f.key, {}]));
  for (const row of r.getRowObjectsJS()) {
    const key = byPath.get(String(row.f));
    if (key) (per.get(key) as Record<string, string>)[String(row.k)] = String(row.v);
  }
  const all = [...per.values()];
  const common: Record<string, string> = {};
  for (const [k, v] of Object.entries(all[0] ?? {})) if (all.every((kv) => kv[k] === v)) common[k] = v;
  delete common.compacted_from;
  const pairs = { ...common, compacted_from: JSON.stringify([...per.entries()].map(([key, kv]) => ({ key, kv }))) };
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`)
    .join(', ')}}`;
}

/**
 * Rewrites every folder of a dataset that holds two or more visible Parquet files into one file (zstd,
 * 122,880-row groups), crash-safe at every step, journaled as an intent:
 * write (merged file staged; columns unioned by name, none added; key-value metadata kept) and verify (same
 * schema, row count and content checksum as the originals) → publish (the merged file, hidden from the views,
 * and a manifest naming the files it replaces) → switch (one DuckDB transaction: merged file shown, originals
 * hidden) → cleanup (originals removed, only now). Killed anywhere, the views show the originals or the merged
 * file, never both and never neither, and `finishCompactions` (the next compaction, or `lake check --repair`)
 * completes or undoes it. Fault tests: `BW_KILL_AT=compact:<write|publish|cleanup>`.
 */
export async function compactDataset(deps: CompactDeps, dataset: string): Promise<CompactionReport> {
  const { conn, lake } = deps;
  await finishCompactions(deps);
  const hidden = await getHiddenFiles(conn);
  const visible = (await lake.list(dataset)).filter((f) => !hidden.has(f.key) && !hidden.has(lake.localPath(f.key)));
  const byFolder = new Map<string, LakeFile[]>();
  for (const f of visible) byFolder.set(folderOfKey(f.key), [...(byFolder.get(folderOfKey(f.key)) ?? []), f]);
  const groups = [...byFolder.entries()].filter(([, fs]) => fs.length > 1);
  // An S3 lake merges from its verified local copies.
  await lake.fetch(groups.flatMap(([, fs]) => fs.map((f) => f.key)));
  const report: CompactionReport = { partitions: groups.length, filesBefore: 0, filesAfter: 0, rows: 0, bytesBefore: 0, bytesAfter: 0 };
  let done = 0;
  for (const [folder, group] of groups) {
    if (deps.signal?.aborted)
      throw new WorkbenchError(
        'CANCELLED',
        `Compaction was cancelled after ${done} of ${groups.length} partitions; each finished partition is complete.`,
      );
    const intent = await writeMerged(deps, dataset, folder, group);
    await finishCompaction(deps, intent);
    report.filesBefore += group.length;
    report.filesAfter += 1;
    report.rows += intent.payload.rows;
    report.bytesBefore += group.reduce((a, f) => a + f.size, 0);
    report.bytesAfter += intent.payload.bytes;
    done++;
    deps.onProgress?.(done, groups.length, report.rows);
  }
  return report;
}

/** The write step: the merged file, staged and verified against the originals. */
async function writeMerged(deps: CompactDeps, dataset: string, folder: string, group: readonly LakeFile[]): Promise<CompactIntent> {
  const { conn, lake } = deps;
  const id = `compact-${randomUUID().slice(0, 12)}`;
  const merged = `${folder}/part-compacted-${id.slice('compact-'.length)}.parquet`;
  const staged = await lake.stage(merged);
  const list = lakeFilesSql(lake, group);
  const originals = (
    await conn.runAndReadAll(`SELECT file_name AS f, num_rows::BIGINT AS n FROM parquet_file_metadata(${list})`)
  ).getRowObjectsJS();
  const rowsOf = new Map(originals.map((r) => [String(r.f), Number(r.n)]));
  const intent: CompactIntent = {
    id,
    job: 'compact',
    dataset,
    state: 'writing',
    keys: [merged, ...group.map((f) => f.key)],
    temps: [staged.path],
    payload: {
      folder,
      originals: group.map((f) => ({ key: f.key, rows: rowsOf.get(lake.localPath(f.key)) ?? 0, bytes: f.size })),
      merged,
      staged: staged.path,
      rows: 0,
      bytes: 0,
    },
  };
  await deps.intents.save(intent);
  killPoint('compact', 'write');
  try {
    const columns = await schemaOf(conn, list);
    const spec = datasetSpec(dataset);
    const names = new Set(columns.map((c) => c.name));
    const order = spec ? spec.primaryKey.filter((k) => names.has(k)) : [];
    await conn.run(
      `COPY (SELECT * FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)${order.length ? ` ORDER BY ${order.map(quoteIdent).join(', ')}` : ''}) ` +
        `TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA ${await mergedKv(conn, lake, group)})`,
    );
    const want = await contentDigest(
      conn,
      list,
      columns.map((c) => c.name),
    );
    const stagedList = sqlPathList([staged.path]);
    const gotColumns = await schemaOf(conn, stagedList);
    const got = await contentDigest(
      conn,
      stagedList,
      columns.map((c) => c.name),
    );
    if (JSON.stringify(gotColumns) !== JSON.stringify(columns) || got.rows !== want.rows || got.checksum !== want.checksum) {
      throw new WorkbenchError(
        'LAKE_ERROR',
        `The compacted file for ${folder} does not match its ${group.length} originals (${got.rows} rows vs ${want.rows}, columns ${gotColumns.map((c) => c.name).join(', ')} vs ${columns.map((c) => c.name).join(', ')}); the originals were kept.`,
      );
    }
    intent.payload.rows = want.rows;
    intent.payload.bytes = (await stat(staged.path)).size;
    intent.state = 'written';
    await deps.intents.save(intent);
    return intent;
  } catch (err) {
    await lake.discard(staged);
    intent.state = 'undone';
    await deps.intents.save(intent).catch(() => undefined);
    throw err;
  }
}

/**
 * Drives one compaction intent from whatever step it reached to `done` (or `undone` when the merged file was
 * never published and its staged copy is gone). Idempotent at every step.
 */
async function finishCompaction(deps: CompactDeps, intent: CompactIntent): Promise<void> {
  const { lake } = deps;
  const p = intent.payload;
  const views = [intent.dataset];
  if (intent.state === 'writing' || intent.state === 'written') {
    const published = await lake.exists(p.merged);
    const stagedThere = p.staged !== null && (await stat(p.staged).catch(() => null)) !== null;
    if (!published && (intent.state === 'writing' || !stagedThere)) {
      // Killed while writing (or the staged copy was swept): the originals never moved.
      if (p.staged) await rm(p.staged, { force: true });
      intent.state = 'undone';
      await deps.intents.save(intent);
      return;
    }
    killPoint('compact', 'publish');
    for (const s of hideFilesSql([p.merged])) await deps.conn.run(s.sql, s.values);
    if (!published) await lake.publish({ key: p.merged, path: p.staged as string });
    await writeManifest(lake, {
      batchId: intent.id,
      dataset: intent.dataset,
      source: 'compact',
      writtenAt: new Date().toISOString(),
      rows: p.rows,
      files: [
        { key: p.merged, rows: p.rows, bytes: p.bytes, sha256: await sha256File(lake.localPath(p.merged)), minTime: null, maxTime: null },
      ],
      replaces: p.originals.map((o) => o.key),
      originals: p.originals,
    });
    intent.state = 'published';
    p.staged = null;
    intent.temps = [];
    await deps.intents.save(intent);
  }
  if (intent.state === 'published') {
    // The switch: one transaction shows the merged file and hides the originals.
    intent.state = 'switched';
    await deps.commitViews(
      [...unhideFilesSql([p.merged]), ...hideFilesSql(p.originals.map((o) => o.key)), deps.intents.saveSql(intent)],
      views,
    );
  }
  if (intent.state === 'switched') {
    killPoint('compact', 'cleanup');
    for (const o of p.originals) await lake.remove(o.key);
    intent.state = 'done';
    await deps.commitViews([...unhideFilesSql(p.originals.map((o) => o.key)), deps.intents.saveSql(intent)], views);
  }
}

/**
 * The originals of compactions not switched yet: the views keep showing them (and not the merged file, hidden until
 * the switch) although the compaction's manifest, once written, no longer lists them as live.
 */
export async function originalsInFlight(intents: LakeIntents): Promise<Set<string>> {
  const out = new Set<string>();
  for (const i of await intents.unfinished('compact')) {
    if (i.state !== 'switched') for (const o of (i as CompactIntent).payload.originals) out.add(o.key);
  }
  return out;
}

/** Finishes (or undoes) every compaction a killed run left between steps. Returns what it did, one line each. */
export async function finishCompactions(deps: CompactDeps): Promise<string[]> {
  const out: string[] = [];
  for (const i of await deps.intents.unfinished('compact')) {
    const intent = i as CompactIntent;
    const from = intent.state;
    await finishCompaction(deps, intent);
    out.push(`compaction ${intent.id} of ${intent.payload.folder}: ${from} → ${intent.state}`);
  }
  return out;
}
