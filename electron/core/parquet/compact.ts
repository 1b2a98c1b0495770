import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import type { CompactionReport } from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { fsyncDir, publishFile, tempPathFor } from '../files/atomic';
import { listParquetFiles, sqlFileList } from './inspect';

export interface CompactOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rows: number) => void;
}

/**
 * Rewrites every folder of a dataset that holds two or more Parquet files into one file
 * (zstd, 122,880-row groups), verifying the row count before the old files go. The swap moves
 * the old files to temp names (invisible to lake globs) and publishes the new one right after.
 */
export async function compactDataset(conn: DuckDBConnection, datasetDir: string, opts: CompactOptions = {}): Promise<CompactionReport> {
  const files = await listParquetFiles(datasetDir);
  const byDir = new Map<string, string[]>();
  for (const f of files) byDir.set(dirname(f), [...(byDir.get(dirname(f)) ?? []), f]);
  const groups = [...byDir.entries()].filter(([, fs]) => fs.length > 1);
  const report: CompactionReport = { partitions: groups.length, filesBefore: 0, filesAfter: 0, rows: 0, bytesBefore: 0, bytesAfter: 0 };
  let done = 0;
  for (const [dir, group] of groups) {
    if (opts.signal?.aborted) throw new WorkbenchError('CANCELLED', `Compaction was cancelled after ${done} of ${groups.length} partitions; each finished partition is complete.`);
    const list = sqlFileList(group);
    const before = (await conn.runAndReadAll(`SELECT sum(num_rows)::BIGINT AS rows, sum(file_size_bytes)::BIGINT AS bytes FROM parquet_file_metadata(${list})`)).getRowObjectsJS()[0];
    const expectRows = Number(before.rows);
    const finalPath = join(dir, `part-compacted-${randomUUID().slice(0, 12)}.parquet`);
    const tmp = tempPathFor(finalPath);
    try {
      await conn.run(`COPY (SELECT * FROM read_parquet(${list})) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
      const got = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT FROM read_parquet(${quoteLiteral(tmp)})`)).getRowsJS()[0][0]);
      if (got !== expectRows) throw new WorkbenchError('LAKE_ERROR', `Compacted file in ${dir} has ${got} rows, expected ${expectRows}; the originals were kept.`);
      // Hide the originals (temp names), publish the merged file, then drop the originals.
      const hidden: string[] = [];
      for (const f of group) {
        const h = tempPathFor(f);
        await rename(f, h);
        hidden.push(h);
      }
      try {
        await publishFile(tmp, finalPath);
      } catch (err) {
        for (let i = 0; i < group.length; i++) await rename(hidden[i], group[i]);
        throw err;
      }
      for (const h of hidden) await unlink(h);
      await fsyncDir(dir);
    } finally {
      await rm(tmp, { force: true });
    }
    const after = (await readdir(dir)).filter((n) => n.endsWith('.parquet')).length;
    report.filesBefore += group.length;
    report.filesAfter += after;
    report.rows += expectRows;
    report.bytesBefore += Number(before.bytes);
    report.bytesAfter += Number((await conn.runAndReadAll(`SELECT file_size_bytes::BIGINT FROM parquet_file_metadata(${quoteLiteral(finalPath)})`)).getRowsJS()[0][0]);
    done++;
    opts.onProgress?.(done, groups.length, report.rows);
  }
  return report;
}
