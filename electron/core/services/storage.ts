import type { DuckDBConnection } from '@duckdb/node-api';
import type { StorageApi } from '../../../shared/api/contract';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { DatasetStats, HotTableSize, LakePin, LakePullReport, StorageOverview } from '../../../shared/api/storage';
import type { ConversionHistory } from '../convert/history';
import type { Engine } from '../engine/engine';
import { leafRelationsSql } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import type { JobContext, JobRunner } from '../jobs/runner';
import { runCodecLab } from '../parquet/codec-lab';
import type { BatchRecord } from '../archive/state';
import { checkLake } from '../lake/check';
import { compactDataset } from '../lake/compact';
import type { Lake } from '../lake/lake';
import { sqlPathList } from '../lake/lake-sql';
import { getHiddenFiles, type Statement } from '../mirror/meta';
import { lakeJobDeps, startLakeWriterJob } from './lake-writer-job';
import { calendarOf, inspectParquet, pathTarget, type InspectTarget } from '../parquet/inspect';

export interface StorageServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  history: ConversionHistory;
  lake: Lake;
  scratchDir: string;
  hotStore: () => Promise<HotStore>;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
  /** Archive batches a killed run left between steps. */
  unfinishedArchive(): Promise<BatchRecord[]>;
  onLakeChanged: () => Promise<void>;
  /** The workspace's lake catalog made again from the whole lake, then every view (DataPlatform.rebuildCatalog). */
  rebuildCatalog(): Promise<unknown>;
  /** The lake's files in scope into the local cache, then the cold views over them (DataPlatform.pullLake). */
  pullLake(scope: { dataset?: string; from?: string; to?: string }, ctx: JobContext): Promise<LakePullReport>;
}

/** A pin as the lake keeps it: open ends are null. */
function pinOf(req: { dataset: string; from?: string; to?: string }): LakePin {
  return { dataset: req.dataset, from: req.from ?? null, to: req.to ?? null };
}

/** A lake dataset as the inspector sees it: the files its view reads, named by their key in the dataset. */
async function lakeTarget(conn: DuckDBConnection, lake: Lake, dataset: string): Promise<InspectTarget> {
  const hidden = await getHiddenFiles(conn);
  // The files with a local copy (an S3 lake's cached ones); the overview adds the object listing's sizes.
  const files = (await lake.readable(dataset)).filter((f) => !hidden.has(f.key) && !hidden.has(lake.localPath(f.key)));
  const names = new Map(files.map((f) => [lake.localPath(f.key), f.key.slice(dataset.length + 1)]));
  return {
    label: `lake:${dataset}`,
    files: files.map((f) => lake.localPath(f.key)),
    name: (p) => names.get(p) ?? p,
    // The folder each file sits in: `date=…` right under the dataset, or under a feature set's version (`features/<set>/v1/date=…`).
    partitions: calendarOf(files.map((f) => f.key.split('/').at(-2) ?? '')),
  };
}

async function hotSizes(hot: HotStore): Promise<HotTableSize[]> {
  return hot.withClient('reader', async (c) => {
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

/** storage.*: what every dataset costs where it lives, the Parquet inspector, the codec lab, compaction and the lake check. */
export function createStorageService(deps: StorageServiceDeps): StorageApi {
  const { lake } = deps;
  const targetOf = (conn: DuckDBConnection, t: { dataset?: string; path?: string }): Promise<InspectTarget> =>
    t.dataset !== undefined ? lakeTarget(conn, lake, t.dataset) : pathTarget(t.path as string);

  return {
    overview: async () => {
      const sources = await deps.history.sourceBytesByOutput();
      const datasets: DatasetStats[] = [];
      await deps.engine.withConnection(async (conn) => {
        for (const name of await lake.datasets()) {
          const t = await lakeTarget(conn, lake, name);
          const listed = await lake.list(name);
          // Every object the lake holds counts (an S3 lake's by the listing's sizes and the manifests' rows), cached or not.
          const fromListing = lake.kind === 's3' && listed.every((f) => f.rows !== undefined);
          if (t.files.length === 0 && !fromListing) continue;
          const r = (
            await conn.runAndReadAll(
              fromListing
                ? `SELECT ${listed.reduce((a, f) => a + (f.rows ?? 0), 0)}::BIGINT AS rows, ${listed.reduce((a, f) => a + f.size, 0)}::BIGINT AS bytes`
                : `SELECT sum(num_rows)::BIGINT AS rows, sum(file_size_bytes)::BIGINT AS bytes FROM parquet_file_metadata(${sqlPathList(t.files)})`,
            )
          ).getRowObjectsJS()[0];
          const known = t.files.map((f) => sources.get(f)).filter((x): x is number => x !== undefined);
          const sourceBytes = known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
          const parquetBytes = Number(r.bytes);
          datasets.push({
            dataset: name,
            files: fromListing ? listed.length : t.files.length,
            rows: Number(r.rows),
            parquetBytes,
            sourceBytes,
            ratio: sourceBytes !== null && parquetBytes > 0 ? sourceBytes / parquetBytes : null,
            partitions: t.partitions?.present.length ?? 0,
          });
        }
      });
      let hot: StorageOverview['hot'] = null;
      let hotError: string | null = null;
      try {
        const tables = await hotSizes(await deps.hotStore());
        hot = { bytes: tables.reduce((a, t) => a + t.bytes, 0), tables };
      } catch (err) {
        hotError = errorMessage(err);
      }
      return {
        lakePath: lake.location,
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
      return deps.engine.withConnection(async (conn) =>
        inspectParquet(conn, await targetOf(conn, req), { sourceBytes: (p) => sources.get(p) ?? null }),
      );
    },
    codecLab: async (req) => {
      return deps.engine.withConnection(async (conn) => {
        const target = await targetOf(conn, req.target);
        const files = target.files.slice(0, 200);
        if (files.length === 0) throw new WorkbenchError('NOT_FOUND', `No Parquet files in ${target.label}.`);
        const results = await runCodecLab(
          conn,
          files,
          req.sampleRows,
          req.codecs.map((c) => (c.level === undefined ? { codec: c.codec } : { codec: c.codec, level: c.level })),
          deps.scratchDir,
        );
        return { source: target.label, sampleRows: req.sampleRows, results };
      });
    },
    checkLake: async (req) => {
      const { jobId } = deps.jobs.start(
        'lake-check',
        async (ctx) =>
          deps.engine.withConnection(async (conn) => {
            const report = await checkLake(
              {
                ...lakeJobDeps(deps, conn, ctx.signal),
                unfinishedArchive: () => deps.unfinishedArchive(),
                conversionOutputs: async () => new Set((await deps.history.sourceBytesByOutput()).keys()),
                rebuildCatalog: () => deps.rebuildCatalog(),
                onStep: (fraction, message) => ctx.progress({ phase: 'check', fraction, message }),
              },
              { ...(req.dataset !== undefined ? { dataset: req.dataset } : {}), repair: req.repair },
            );
            if (report.repaired.length > 0) await deps.onLakeChanged();
            return report;
          }),
        { exclusive: true, phase: 'check' },
      );
      return { jobId };
    },
    lakeStatus: (req) => lake.status({ coverageOnly: req.coverageOnly }),
    pullLake: async (req) => {
      // The same job kind as the background pull of an S3 lake: one pull at a time.
      const { jobId } = deps.jobs.start('lake-pull', (ctx) => deps.pullLake(req, ctx), { exclusive: true, phase: 'pull' });
      return { jobId };
    },
    pinLake: async (req) => {
      await lake.pin(pinOf(req));
      return { pins: (await lake.status()).cache?.pins ?? [] };
    },
    unpinLake: async (req) => {
      await lake.unpin(pinOf(req));
      return { pins: (await lake.status()).cache?.pins ?? [] };
    },
    compact: async (req) => {
      if ((await lake.list(req.dataset)).length === 0) throw new WorkbenchError('NOT_FOUND', `The lake has no dataset "${req.dataset}".`);
      return startLakeWriterJob(deps, 'compact', `a compaction of ${req.dataset}`, async (jobDeps, ctx) => {
        const report = await compactDataset(
          {
            ...jobDeps,
            onProgress: (done, total, rows) =>
              ctx.progress({ phase: 'compact', fraction: total > 0 ? done / total : 1, rows, message: `${done} of ${total} partitions` }),
          },
          req.dataset,
        );
        await deps.onLakeChanged();
        return report;
      });
    },
  };
}
