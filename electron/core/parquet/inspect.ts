import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import type {
  ColumnChunkStats,
  ParquetFileInfo,
  ParquetInspection,
  PartitionCalendar,
  RowGroupInfo,
  SmallFileWarning,
} from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { TEMP_PREFIX } from '../files/atomic';
import { sqlPathList } from '../lake/lake-sql';

/** Files under ~16 MB or row groups under 100k rows read slowly in every engine; the inspector says so. */
export const SMALL_FILE_BYTES = 16 * 1024 * 1024;
export const SMALL_ROW_GROUP_ROWS = 100_000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Every published .parquet file under a folder (temp files and hidden folders are skipped). */
export async function listParquetFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.startsWith(TEMP_PREFIX) || e.name.startsWith('_')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.parquet')) out.push(p);
    }
  };
  await walk(root);
  return out.sort();
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/i;

function pickExtreme(a: string | null, b: string | null, type: string, wantMin: boolean): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (NUMERIC.test(type)) {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return (wantMin ? x <= y : x >= y) ? a : b;
  }
  return (wantMin ? a <= b : a >= b) ? a : b;
}

export interface InspectOptions {
  /** CSV bytes per published Parquet path, from conversion history. */
  sourceBytes?: (absolutePath: string) => number | null;
}

/** What to inspect: a set of local Parquet files, how each is named in the report, and their partition calendar. */
export interface InspectTarget {
  /** Shown as the inspection's target (a path, or `lake:<dataset>`). */
  label: string;
  files: string[];
  name(path: string): string;
  partitions: PartitionCalendar | null;
}

/** A Parquet file, or every Parquet file in a (partitioned) folder, outside the lake. */
export async function pathTarget(target: string): Promise<InspectTarget> {
  const abs = resolve(target);
  let s;
  try {
    s = await stat(abs);
  } catch {
    throw new WorkbenchError('NOT_FOUND', `${abs} does not exist.`, 'Pick a .parquet file or a folder of them.');
  }
  if (!s.isDirectory()) return { label: abs, files: [abs], name: (p) => basename(p), partitions: null };
  return { label: abs, files: await listParquetFiles(abs), name: (p) => relative(abs, p), partitions: await partitionCalendar(abs) };
}

/** Inspects a set of Parquet files: schema, row groups, per-column statistics, key-value metadata, warnings. */
export async function inspectParquet(conn: DuckDBConnection, target: InspectTarget, opts: InspectOptions = {}): Promise<ParquetInspection> {
  const { files } = target;
  const empty: ParquetInspection = {
    target: target.label,
    files: [],
    rows: 0,
    bytes: 0,
    schema: [],
    rowGroups: [],
    columns: [],
    keyValue: [],
    partitions: null,
    warnings: [],
  };
  if (files.length === 0) return empty;
  const list = sqlPathList(files);

  let fileRows: Record<string, unknown>[];
  try {
    fileRows = (
      await conn.runAndReadAll(
        `SELECT file_name, num_rows, num_row_groups, file_size_bytes, created_by FROM parquet_file_metadata(${list})`,
      )
    ).getRowObjectsJS();
  } catch (err) {
    throw new WorkbenchError('BAD_INPUT', `Not a readable Parquet file: ${(err as Error).message}`);
  }
  const fileInfos: ParquetFileInfo[] = fileRows.map((r) => {
    const path = String(r.file_name);
    return {
      path: target.name(path),
      rows: num(r.num_rows),
      bytes: num(r.file_size_bytes),
      rowGroups: num(r.num_row_groups),
      createdBy: str(r.created_by),
      sourceBytes: opts.sourceBytes?.(path) ?? null,
    };
  });

  const schemaRows = (
    await conn.runAndReadAll(
      `SELECT name, duckdb_type, type, repetition_type FROM parquet_schema(${quoteLiteral(files[0])}) WHERE num_children IS NULL OR num_children = 0 ORDER BY column_id`,
    )
  ).getRowObjectsJS();
  const schema = schemaRows.map((r) => ({
    name: String(r.name),
    type: str(r.duckdb_type) ?? str(r.type) ?? '?',
    physicalType: str(r.type),
    repetition: str(r.repetition_type),
  }));
  const typeOf = new Map(schema.map((c) => [c.name, c.type]));

  const meta = (
    await conn.runAndReadAll(
      `SELECT file_name, row_group_id, row_group_num_rows, row_group_compressed_bytes, row_group_bytes, path_in_schema, type, compression, encodings,
              total_compressed_size, total_uncompressed_size, stats_min_value, stats_max_value, stats_null_count
       FROM parquet_metadata(${list})`,
    )
  ).getRowObjectsJS();

  const rowGroups = new Map<string, RowGroupInfo>();
  const cols = new Map<string, ColumnChunkStats & { codecSet: Set<string>; encSet: Set<string> }>();
  let totalCompressed = 0;
  for (const r of meta) {
    const file = String(r.file_name);
    const key = `${file}#${String(r.row_group_id)}`;
    const rel = target.name(file);
    let rg = rowGroups.get(key);
    if (!rg)
      rowGroups.set(
        key,
        (rg = { file: rel, id: num(r.row_group_id), rows: num(r.row_group_num_rows), compressedBytes: 0, uncompressedBytes: 0 }),
      );
    rg.compressedBytes += num(r.total_compressed_size);
    rg.uncompressedBytes += num(r.total_uncompressed_size);
    const name = String(r.path_in_schema);
    let c = cols.get(name);
    if (!c) {
      c = {
        column: name,
        physicalType: String(r.type),
        type: typeOf.get(name) ?? String(r.type),
        codecs: [],
        encodings: [],
        compressedBytes: 0,
        uncompressedBytes: 0,
        share: 0,
        min: null,
        max: null,
        nulls: 0,
        codecSet: new Set(),
        encSet: new Set(),
      };
      cols.set(name, c);
    }
    c.compressedBytes += num(r.total_compressed_size);
    c.uncompressedBytes += num(r.total_uncompressed_size);
    totalCompressed += num(r.total_compressed_size);
    c.codecSet.add(String(r.compression));
    for (const e of String(r.encodings ?? '').split(',')) if (e.trim()) c.encSet.add(e.trim());
    c.min = pickExtreme(c.min, str(r.stats_min_value), c.type, true);
    c.max = pickExtreme(c.max, str(r.stats_max_value), c.type, false);
    c.nulls = r.stats_null_count === null || c.nulls === null ? null : c.nulls + num(r.stats_null_count);
  }
  const columns: ColumnChunkStats[] = [...cols.values()].map(({ codecSet, encSet, ...c }) => ({
    ...c,
    codecs: [...codecSet].sort(),
    encodings: [...encSet].sort(),
    share: totalCompressed > 0 ? c.compressedBytes / totalCompressed : 0,
  }));

  const keyValue = (
    await conn.runAndReadAll(`SELECT file_name, key::VARCHAR AS key, value::VARCHAR AS value FROM parquet_kv_metadata(${list})`)
  )
    .getRowObjectsJS()
    .map((r) => ({ file: target.name(String(r.file_name)), key: String(r.key), value: String(r.value) }));

  const warnings: SmallFileWarning[] = [];
  const groupsByFile = new Map<string, RowGroupInfo[]>();
  for (const rg of rowGroups.values()) {
    const arr = groupsByFile.get(rg.file) ?? [];
    arr.push(rg);
    groupsByFile.set(rg.file, arr);
  }
  // Compaction merges the files of one folder (a partition), so a file alone in its folder has nothing to merge
  // with: a lake of one file a day would be flagged day after day with a button that cannot change it.
  const perFolder = new Map<string, number>();
  for (const f of fileInfos) perFolder.set(dirname(f.path), (perFolder.get(dirname(f.path)) ?? 0) + 1);
  for (const f of fileInfos) {
    if ((perFolder.get(dirname(f.path)) ?? 0) < 2) continue;
    const groups = groupsByFile.get(f.path) ?? [];
    const smallGroups = groups.filter((g, i) => g.rows < SMALL_ROW_GROUP_ROWS && i < groups.length - 1).length;
    if (f.bytes < SMALL_FILE_BYTES) {
      warnings.push({
        path: f.path,
        bytes: f.bytes,
        rows: f.rows,
        reason: `small file (${(f.bytes / 1048576).toFixed(1)} MB, under 16 MB)`,
      });
    } else if (smallGroups > 0 || (groups.length === 1 && f.rows < SMALL_ROW_GROUP_ROWS)) {
      warnings.push({ path: f.path, bytes: f.bytes, rows: f.rows, reason: 'row groups under 100k rows' });
    }
  }

  return {
    target: target.label,
    files: fileInfos,
    rows: fileInfos.reduce((a, f) => a + f.rows, 0),
    bytes: fileInfos.reduce((a, f) => a + f.bytes, 0),
    schema,
    rowGroups: [...rowGroups.values()],
    columns,
    keyValue,
    partitions: target.partitions,
    warnings,
  };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The `key=YYYY-MM-DD` folders directly under a dataset folder: which days are present, which are missing between. */
export async function partitionCalendar(datasetDir: string): Promise<PartitionCalendar | null> {
  const entries = await readdir(datasetDir, { withFileTypes: true });
  return calendarOf(entries.filter((e) => e.isDirectory()).map((e) => e.name));
}

/** The calendar of a set of `key=YYYY-MM-DD` partition folder names (the first key found counts). */
export function calendarOf(folders: readonly string[]): PartitionCalendar | null {
  const days: string[] = [];
  let key: string | null = null;
  for (const name of new Set(folders)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(name);
    if (!m || !DAY.test(m[2])) continue;
    key ??= m[1];
    if (m[1] === key) days.push(m[2]);
  }
  if (key === null) return null;
  days.sort();
  const missing: string[] = [];
  if (days.length > 0) {
    const present = new Set(days);
    for (let d = days[0]; d < days[days.length - 1]; d = addDays(d, 1)) if (!present.has(d)) missing.push(d);
  }
  return { key, first: days[0] ?? null, last: days[days.length - 1] ?? null, present: days, missing };
}
