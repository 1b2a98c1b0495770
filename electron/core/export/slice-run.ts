import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import type { SliceColumn, SliceFile, SliceManifest, SliceReport, SliceSplitInfo } from '../../../shared/api/slice';
import { dictionaryMetadata } from '../../../shared/domain/dictionary';
import { BDF_EXTENSION, SLICE_MANIFEST_KIND, type SliceSpec } from '../../../shared/domain/slice-spec';
import { quoteLiteral } from '../../../shared/sql';
import { fsyncDir, fsyncPath, sweepStaleTempsIn, TEMP_PREFIX, writeFileAtomic } from '../files/atomic';
import type { Lake } from '../lake/lake';
import { sha256File } from '../lake/manifest';
import { killPoint } from '../system/kill-switch';
import { CONTENT_HASH_ALGORITHM, contentHash, digestParquet, type SplitDigest } from './content-hash';
import { downloadIdFor, timestampTag } from './export-paths';
import { withKvMetadata } from './parquet-kv';
import { bdfSourceSelect, writeBdfSplit } from './slice-bdf';
import { enableProgress, runWithProgress } from './run-copy';
import { collectSources } from './slice-sources';
import {
  ALL_SPLIT,
  assignmentSelect,
  assignUnits,
  sliceCrossesSplit,
  sliceSelect,
  timeCuts,
  type SliceSelectOptions,
  type SplitPart,
} from './slice-sql';
import { getSplits } from '../mirror/meta';
import { resolveSliceFeatures } from '../features/slice-features';
import { dropFeatureLookups, lookupSelect, prepareFeatureLookups, type FeatureLookup } from './slice-feature-lookup';

/** Parquet options of slice files: zstd, row groups of 122,880 rows. */
export const SLICE_PARQUET_OPTIONS = 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880';
export const MANIFEST_FILE = 'manifest.json';

export interface PlannedSplit {
  name: string;
  fraction: number;
  part: SplitPart;
  /** The SELECT written for this split. */
  sql: string;
  info: Omit<SliceSplitInfo, 'rows'>;
}

export interface SlicePlan {
  splits: PlannedSplit[];
  assignmentSql: string | null;
}

/** A connection's settings for slices: times in UTC, DuckDB progress tracked. */
export async function prepareSliceConnection(conn: DuckDBConnection): Promise<void> {
  await conn.run("SET TimeZone = 'UTC'");
  await enableProgress(conn);
}

/** The splits of a slice with their SQL. A split by battery ranks the units first (one small query). */
export async function planSlice(conn: DuckDBConnection, spec: SliceSpec, options: SliceSelectOptions = {}): Promise<SlicePlan> {
  const split = spec.split;
  if (!split) {
    const part: SplitPart = { kind: 'all' };
    return {
      splits: [{ name: ALL_SPLIT, fraction: 1, part, sql: sliceSelect(spec, part, options), info: { name: ALL_SPLIT, fraction: 1 } }],
      assignmentSql: null,
    };
  }
  if (split.by === 'time') {
    return {
      splits: timeCuts(spec).map((c) => {
        const part: SplitPart = { kind: 'time', from: c.from, to: c.to };
        return {
          name: c.name,
          fraction: c.fraction,
          part,
          sql: sliceSelect(spec, part, options),
          info: { name: c.name, fraction: c.fraction, from: c.from, to: c.to },
        };
      }),
      assignmentSql: null,
    };
  }
  const assignmentSql = assignmentSelect(spec);
  const reader = await conn.runAndReadAll(assignmentSql);
  const ranked = reader.getRowsJS().map((r) => Number(r[0]));
  return {
    splits: assignUnits(ranked, split.fractions).map((a) => {
      const part: SplitPart = { kind: 'entities', entities: a.entities };
      return {
        name: a.name,
        fraction: a.fraction,
        part,
        sql: sliceSelect(spec, part, options),
        info: { name: a.name, fraction: a.fraction, entities: a.entities },
      };
    }),
    assignmentSql,
  };
}

/** Column names and types of a SELECT, without running it. */
export async function describeSelect(conn: DuckDBConnection, sql: string): Promise<SliceColumn[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${sql}`);
  return reader.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The slice folder: the path given (must not exist, or be an empty folder), else `<exports>/<dataset>-slice-<time>`. */
export async function resolveSliceDir(spec: SliceSpec, path: string | undefined, exportsDir: string): Promise<string> {
  const dir = path === undefined ? join(exportsDir, `${spec.dataset}-slice-${timestampTag()}`) : resolve(path);
  let entries: string[] | null = null;
  try {
    const s = await stat(dir);
    if (!s.isDirectory())
      throw new WorkbenchError(
        'CONFLICT',
        `${dir} is a file; a slice is written to a folder.`,
        'Choose a folder that does not exist yet, or an empty one.',
      );
    entries = await readdir(dir);
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (entries !== null && entries.length > 0) {
    throw new WorkbenchError(
      'CONFLICT',
      `${dir} already exists and is not empty; a slice never overwrites files.`,
      'Choose a new folder (it is created), or empty this one.',
    );
  }
  return dir;
}

export interface SliceRunOptions {
  lake: Lake;
  exportsDir: string;
  appVersion: string;
  duckdbVersion: string;
  signal?: AbortSignal;
  onProgress?: (p: { phase: string; fraction: number | null; rows?: number; bytes?: number; message?: string }) => void;
}

/**
 * Writes a slice: every split with COPY ... TO parquet (in key order) into a temp folder next to `dir`,
 * digests and checksums every file, writes the manifest last, then renames the whole folder into place.
 * Cancelled or failed, it leaves nothing behind.
 */
export async function writeSlice(conn: DuckDBConnection, spec: SliceSpec, dir: string, options: SliceRunOptions): Promise<SliceReport> {
  const started = performance.now();
  const { signal } = options;
  const progress = options.onProgress ?? (() => undefined);
  const cancelled = (): WorkbenchError => new WorkbenchError('CANCELLED', 'The slice export was cancelled; no file was left behind.');
  await prepareSliceConnection(conn);
  progress({ phase: 'plan', fraction: 0, message: 'Planning the splits' });
  const features = await resolveSliceFeatures(conn, options.lake, spec);
  const splits = await getSplits(conn);
  const materialize = sliceCrossesSplit(spec, splits);
  const plan = await planSlice(conn, spec, { features, materialize });
  const schema = await describeSelect(conn, plan.splits[0].sql);
  const sources = await collectSources(conn, options.lake, spec, splits);
  // Every file carries the data dictionary of its columns (quantity, unit, sign, description) as key-value metadata.
  const parquetOptions = withKvMetadata(
    SLICE_PARQUET_OPTIONS,
    dictionaryMetadata(
      spec.dataset,
      schema.map((c) => c.name),
      spec.labels?.from,
    ),
  );
  if (signal?.aborted) throw cancelled();

  // What killed exports left next to this one goes first; then this one's temp folder.
  await sweepStaleTempsIn(dirname(dir));
  const temp = join(dirname(dir), `${TEMP_PREFIX}${process.pid}-${randomUUID().slice(0, 8)}-${basename(dir)}`);
  await mkdir(temp, { recursive: true });
  let lookups: FeatureLookup[] | null = null;
  try {
    const files: SliceFile[] = [];
    const digests: SplitDigest[] = [];
    const splits: SliceSplitInfo[] = [];
    let rowsDone = 0;
    const n = plan.splits.length;
    const bdf = spec.format === 'bdf';
    let bdfSchema: SliceColumn[] = [];
    // Feature sets are looked up instead of joined where they can be: the same file as the ASOF join the manifest records.
    if (!bdf) lookups = await prepareFeatureLookups(conn, spec, features);
    for (let i = 0; i < n; i++) {
      const s = plan.splits[i];
      if (bdf) {
        // BDF: one file per jar; each file is digested as a split of its own (`<split>/battery-<id>`), in jar order.
        const written = await writeBdfSplit(conn, spec, s.part, s.name, temp, SLICE_PARQUET_OPTIONS, {
          signal,
          onProgress: (f, r) => progress({ phase: 'write', fraction: (0.9 * (i + f)) / n, rows: rowsDone + r }),
        });
        bdfSchema = written.schema;
        let splitRows = 0;
        for (const f of written.files) {
          const [digest, sha256, bytes] = await Promise.all([
            digestParquet(conn, f.rel.replace(BDF_EXTENSION, ''), f.path, written.schema),
            sha256File(f.path),
            stat(f.path).then((st) => st.size),
            fsyncPath(f.path),
          ]);
          digests.push(digest);
          files.push({ path: f.rel, split: s.name, rows: f.rows, bytes, sha256 });
          splitRows += f.rows;
        }
        rowsDone += splitRows;
        splits.push({ ...s.info, rows: splitRows });
        if (signal?.aborted) throw cancelled();
        continue;
      }
      const rel = `${s.name}/part-0000.parquet`;
      const file = join(temp, s.name, 'part-0000.parquet');
      await mkdir(dirname(file), { recursive: true });
      progress({ phase: 'write', fraction: (0.9 * i) / n, message: `Writing ${rel}` });
      const run = lookups === null ? s.sql : lookupSelect(spec, sliceSelect(spec, s.part, { ordered: false }), lookups, materialize);
      const rows = await runWithProgress(conn, `COPY (${run}) TO ${quoteLiteral(file)} (${parquetOptions})`, {
        signal,
        onProgress: (p) =>
          progress({ phase: 'write', fraction: (0.9 * (i + Math.max(0, p.percentage) / 100)) / n, rows: rowsDone + p.rowsProcessed }),
      });
      rowsDone += rows;
      if (signal?.aborted) throw cancelled();
      progress({ phase: 'checksum', fraction: (0.9 * (i + 1)) / n, rows: rowsDone, message: `Checksumming ${rel}` });
      // DuckDB hashes the rows on its threads while Node checksums the file and the OS flushes it to disk.
      const [digest, sha256, bytes] = await Promise.all([
        digestParquet(conn, s.name, file, schema),
        sha256File(file),
        stat(file).then((st) => st.size),
        fsyncPath(file),
      ]);
      if (digest.rows !== rows) throw new WorkbenchError('INTERNAL', `${rel} holds ${digest.rows} rows, but ${rows} were written.`);
      digests.push(digest);
      files.push({ path: rel, split: s.name, rows, bytes, sha256 });
      splits.push({ ...s.info, rows });
    }
    if (signal?.aborted) throw cancelled();
    // Fault-test steps (BW_KILL_AT=export:<step>): `manifest`: every split file written and checksummed in the temp
    // folder, no manifest yet; `publish`: the temp folder complete (manifest written, everything fsynced), not yet
    // renamed into place. Killed at either, `dir` does not exist.
    killPoint('export', 'manifest');
    progress({ phase: 'manifest', fraction: 0.95, rows: rowsDone, message: 'Writing the manifest' });
    const manifest: SliceManifest = {
      kind: SLICE_MANIFEST_KIND,
      version: 1,
      createdAt: new Date().toISOString(),
      appVersion: options.appVersion,
      duckdbVersion: options.duckdbVersion,
      spec,
      sql: {
        splits: Object.fromEntries(plan.splits.map((s) => [s.name, bdf ? bdfSourceSelect(spec, s.part) : s.sql])),
        assignment: plan.assignmentSql,
      },
      sources,
      schema: bdf ? bdfSchema : schema,
      splits,
      files,
      rows: rowsDone,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      contentHash: contentHash(bdf ? bdfSchema : schema, digests),
      contentHashAlgorithm: CONTENT_HASH_ALGORITHM,
      ...(features.length > 0 ? { features } : {}),
    };
    await writeFileAtomic(join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const s of plan.splits) await fsyncDir(join(temp, s.name));
    await fsyncDir(temp);
    if (signal?.aborted) throw cancelled();
    killPoint('export', 'publish');
    await publishDir(temp, dir);
    const manifestPath = join(dir, MANIFEST_FILE);
    progress({ phase: 'done', fraction: 1, rows: rowsDone, bytes: manifest.bytes, message: `Wrote ${dir}` });
    return {
      dir,
      manifestPath,
      manifestDownloadId: downloadIdFor(options.exportsDir, manifestPath),
      manifest,
      elapsedMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (signal?.aborted) throw cancelled();
    throw err;
  } finally {
    if (lookups !== null) await dropFeatureLookups(conn, lookups);
  }
}

/** Renames the finished temp folder to `dir` (an empty `dir` is replaced; a non-empty one is a conflict). */
async function publishDir(temp: string, dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  try {
    await rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new WorkbenchError(
        'CONFLICT',
        `${dir} gained files while the slice was written; nothing was replaced.`,
        'Run it again with a new folder.',
      );
    }
    if (code !== 'ENOENT') throw err;
  }
  await rename(temp, dir);
  await fsyncDir(dirname(dir));
}
