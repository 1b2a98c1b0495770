import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StorageApi } from '../../../shared/api/contract';
import { WorkbenchError } from '../../../shared/api/errors';
import type { DatasetStats, HotTableSize, StorageOverview } from '../../../shared/api/storage';
import type { ConversionHistory } from '../convert/history';
import type { Engine } from '../engine/engine';
import { leafRelationsSql } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import type { JobRunner } from '../jobs/runner';
import { runCodecLab } from '../parquet/codecLab';
import { compactDataset } from '../parquet/compact';
import { inspectParquet, listParquetFiles, partitionCalendar, sqlFileList } from '../parquet/inspect';

export interface StorageServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  history: ConversionHistory;
  lakeRoot: string;
  scratchDir: string;
  hotStore: () => Promise<HotStore>;
  onLakeChanged: () => Promise<void>;
}

/** Lake datasets are the folders at the lake root; `_manifests` and other `_`/`.` folders are bookkeeping. */
async function lakeDatasets(lakeRoot: string): Promise<string[]> {
  try {
    return (await readdir(lakeRoot, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

async function withConnection<T>(engine: Engine, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const conn = await engine.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

async function hotSizes(hot: HotStore): Promise<HotTableSize[]> {
  return hot.withClient(async (c) => {
    const res = await c.query<{ table: string; bytes: string; rows: string }>(
      // A day-partitioned table counts with all its partitions; the partitions are not listed on their own.
      `SELECT c.relname AS table, t.bytes::text AS bytes, t.rows::bigint::text AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
       LATERAL (SELECT coalesce(sum(pg_total_relation_size(l.relid)), 0) AS bytes, coalesce(sum(greatest(pc.reltuples, 0)), 0) AS rows
                FROM ${leafRelationsSql('c.oid')} l(relid) JOIN pg_class pc ON pc.oid = l.relid) t
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       ORDER BY t.bytes DESC`,
    );
    return res.rows.map((r) => ({ table: r.table, bytes: Number(r.bytes), rows: Number(r.rows) }));
  });
}

/** storage.*: what every dataset costs where it lives, the Parquet inspector, the codec lab and compaction. */
export function createStorageService(deps: StorageServiceDeps): StorageApi {
  const resolveTarget = (t: { dataset?: string; path?: string }): string => (t.dataset !== undefined ? join(deps.lakeRoot, t.dataset) : resolve(t.path as string));

  return {
    overview: async () => {
      const sources = await deps.history.sourceBytesByOutput();
      const datasets: DatasetStats[] = [];
      await withConnection(deps.engine, async (conn) => {
        for (const name of await lakeDatasets(deps.lakeRoot)) {
          const dir = join(deps.lakeRoot, name);
          const files = await listParquetFiles(dir);
          if (files.length === 0) continue;
          const r = (await conn.runAndReadAll(`SELECT sum(num_rows)::BIGINT AS rows, sum(file_size_bytes)::BIGINT AS bytes FROM parquet_file_metadata(${sqlFileList(files)})`)).getRowObjectsJS()[0];
          const known = files.map((f) => sources.get(f)).filter((x): x is number => x !== undefined);
          const sourceBytes = known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
          const parquetBytes = Number(r.bytes);
          datasets.push({
            dataset: name,
            files: files.length,
            rows: Number(r.rows),
            parquetBytes,
            sourceBytes,
            ratio: sourceBytes !== null && parquetBytes > 0 ? sourceBytes / parquetBytes : null,
            partitions: (await partitionCalendar(dir))?.present.length ?? 0,
          });
        }
      });
      let hot: StorageOverview['hot'] = null;
      let hotError: string | null = null;
      try {
        const tables = await hotSizes(await deps.hotStore());
        hot = { bytes: tables.reduce((a, t) => a + t.bytes, 0), tables };
      } catch (err) {
        hotError = err instanceof Error ? err.message : String(err);
      }
      return {
        lakePath: deps.lakeRoot,
        datasets,
        cold: {
          bytes: datasets.reduce((a, d) => a + d.parquetBytes, 0),
          rows: datasets.reduce((a, d) => a + d.rows, 0),
          files: datasets.reduce((a, d) => a + d.files, 0),
        },
        hot,
        hotError,
      };
    },
    inspect: async (req) => {
      const sources = await deps.history.sourceBytesByOutput();
      return withConnection(deps.engine, (conn) => inspectParquet(conn, resolveTarget(req), { sourceBytes: (p) => sources.get(p) ?? null }));
    },
    codecLab: async (req) => {
      const target = resolveTarget(req.target);
      const files = (await inspectTargetFiles(target)).slice(0, 200);
      if (files.length === 0) throw new WorkbenchError('NOT_FOUND', `No Parquet files in ${target}.`);
      const results = await withConnection(deps.engine, (conn) =>
        runCodecLab(conn, files, req.sampleRows, req.codecs.map((c) => (c.level === undefined ? { codec: c.codec } : { codec: c.codec, level: c.level })), deps.scratchDir),
      );
      return { source: target, sampleRows: req.sampleRows, results };
    },
    compact: async (req) => {
      const dir = join(deps.lakeRoot, req.dataset);
      if ((await listParquetFiles(dir).catch(() => [])).length === 0) throw new WorkbenchError('NOT_FOUND', `The lake has no dataset "${req.dataset}".`);
      const { jobId } = deps.jobs.start(
        'compact',
        async (ctx) =>
          withConnection(deps.engine, async (conn) => {
            const report = await compactDataset(conn, dir, {
              signal: ctx.signal,
              onProgress: (done, total, rows) => ctx.progress({ phase: 'compact', fraction: total > 0 ? done / total : 1, rows, message: `${done} of ${total} partitions` }),
            });
            await deps.onLakeChanged();
            return report;
          }),
        { exclusive: true, phase: 'compact' },
      );
      return { jobId };
    },
  };
}

async function inspectTargetFiles(target: string): Promise<string[]> {
  if (target.endsWith('.parquet')) return [target];
  return listParquetFiles(target);
}
