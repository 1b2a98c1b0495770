import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { Lake, LakeFile, StagedFile } from '../lake/lake';
import { partitionKey } from '../lake/lake';
import { writeManifest, type ManifestFile } from '../lake/manifest';

// The demo's cold half: Parquet files staged and published through the Lake, with their manifest entries.

const PARQUET_OPTIONS = '(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)';

export function addManifest(manifests: Map<string, ManifestFile[]>, ds: string, f: ManifestFile): void {
  const list = manifests.get(ds) ?? [];
  list.push(f);
  manifests.set(ds, list);
}

/** A day's file written and described, not yet published: `publishColdDay` or `discardColdDay` takes it from here. */
export interface StagedColdDay {
  ds: DatasetName;
  date: string;
  staged: StagedFile;
  stats: Omit<ManifestFile, 'key' | 'bytes'>;
}

/** One UTC day of a time series, DuckDB COPY to a staged temp name in the partition folder, with its manifest figures. */
export async function stageColdDay(
  duck: DuckDBConnection,
  lake: Lake,
  ds: DatasetName,
  date: string,
  batch: string,
  select: string,
): Promise<StagedColdDay> {
  const cols = DATASETS[ds].columns.map((c) => quoteIdent(c.name)).join(', ');
  const staged = await lake.stage(partitionKey(ds, date, batch));
  try {
    await duck.run(`COPY (SELECT ${cols} FROM (${select})) TO ${quoteLiteral(staged.path)} ${PARQUET_OPTIONS}`);
    const stats = await fileStats(duck, staged.path, 'ts');
    return { ds, date, staged: { ...staged, sha256: stats.sha256 }, stats };
  } catch (err) {
    await lake.discard(staged);
    throw err;
  }
}

export function discardColdDay(lake: Lake, day: StagedColdDay): Promise<void> {
  return lake.discard(day.staged);
}

/**
 * Publish a staged day (rename), then its manifest (`<batch>-<date>`), so a run stopped between days leaves only
 * whole, recorded days.
 */
export async function publishColdDay(lake: Lake, batch: string, day: StagedColdDay): Promise<{ entry: ManifestFile; file: LakeFile }> {
  let file: LakeFile;
  try {
    file = await lake.publish(day.staged);
  } catch (err) {
    await lake.discard(day.staged);
    throw err;
  }
  const entry: ManifestFile = { key: file.key, bytes: file.size, ...day.stats };
  await writeManifest(lake, {
    batchId: `${batch}-${day.date}`,
    dataset: day.ds,
    source: 'demo',
    writtenAt: new Date().toISOString(),
    rows: entry.rows,
    files: [entry],
  });
  return { entry, file };
}

/** One UTC day of a time series into the lake: staged, then published with its manifest. */
export async function landColdDay(...args: Parameters<typeof stageColdDay>): Promise<{ entry: ManifestFile; file: LakeFile }> {
  const [, lake, , , batch] = args;
  return publishColdDay(lake, batch, await stageColdDay(...args));
}

/** Write a dataset partitioned by the UTC date of `dateColumn`: one staged folder, then publish each file. */
export async function writeColdByDate(
  duck: DuckDBConnection,
  lake: Lake,
  ds: DatasetName,
  batch: string,
  select: string,
  dateColumn: string,
  manifests: Map<string, ManifestFile[]>,
  count: (ds: DatasetName, tier: 'hot' | 'cold', n: number) => void,
): Promise<void> {
  const root = await lake.stage(`${ds}/staging-${batch}`);
  const dir = root.path;
  const cols = DATASETS[ds].columns.map((c) => quoteIdent(c.name)).join(', ');
  try {
    await duck.run(
      `COPY (SELECT ${cols}, strftime(${quoteIdent(dateColumn)}, '%Y-%m-%d') AS date FROM (${select}) ORDER BY ${quoteIdent(dateColumn)}) ` +
        `TO ${quoteLiteral(dir)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, PARTITION_BY (date))`,
    );
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch {
      entries = [];
    }
    for (const part of entries.sort()) {
      const date = part.startsWith('date=') ? part.slice(5) : null;
      if (!date) continue;
      const files = (await readdir(join(dir, part))).filter((f) => f.endsWith('.parquet')).sort();
      for (let i = 0; i < files.length; i++) {
        const src = join(dir, part, files[i]);
        const stats = await fileStats(duck, src, dateColumn);
        const staged = await lake.stage(partitionKey(ds, date, files.length > 1 ? `${batch}-${i}` : batch));
        await rename(src, staged.path);
        const published: LakeFile = await lake.publish(staged);
        addManifest(manifests, ds, { key: published.key, bytes: published.size, ...stats });
        count(ds, 'cold', stats.rows);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fileStats(duck: DuckDBConnection, path: string, timeColumn: string): Promise<Omit<ManifestFile, 'key' | 'bytes'>> {
  const reader = await duck.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, strftime(min(${quoteIdent(timeColumn)}), '%Y-%m-%dT%H:%M:%SZ') AS lo, strftime(max(${quoteIdent(timeColumn)}), '%Y-%m-%dT%H:%M:%SZ') AS hi FROM read_parquet(${quoteLiteral(path)})`,
  );
  const row = reader.getRowObjectsJson()[0] as Record<string, unknown>;
  const sha256 = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  return { rows: Number(row.n), minTime: (row.lo as string | null) ?? null, maxTime: (row.hi as string | null) ?? null, sha256 };
}
