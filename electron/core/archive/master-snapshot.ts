import type { DuckDBConnection } from '@duckdb/node-api';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import { DATASETS } from '../../../shared/domain/datasets';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { HotStore } from '../hot/hot-store';
import { copyColumns, copyFormatFor, copyOut, readCopySql } from '../hot/pg-copy';
import type { Lake } from '../lake/lake';
import { manifestKey, sha256File, writeManifest } from '../lake/manifest';
import { hotUnavailable } from './fetch';
import { hotTable } from './plan';

/** The tables whose snapshot goes to `<lake>/master/<table>/snapshot=<date>/` so cold data stays interpretable. */
export const MASTER_TABLES = ['location', 'battery_model', 'battery_system', 'battery_string', 'battery'] as const;

/** What a snapshot needs of the archiver's deps. */
export interface SnapshotDeps {
  duck: DuckDBConnection;
  hot: HotStore;
  lake: Lake;
  tmpDir: string;
  now?: () => Date;
}

/** `<lake>/master/<table>/snapshot=<date>/part-0.parquet`, once per day, with a manifest. */
export async function snapshotMaster(deps: SnapshotDeps, cutoff: Date): Promise<string[]> {
  const day = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  const out: string[] = [];
  for (const name of MASTER_TABLES) {
    const spec = DATASETS[name];
    const key = `master/${name}/snapshot=${day}/part-0.parquet`;
    if (await deps.lake.exists(key)) {
      // A run killed between the publish and the manifest left the snapshot published but named by no manifest.
      if (!(await deps.lake.exists(manifestKey('master', snapshotBatchId(name, day))))) await recordSnapshot(deps, key, name, day);
      out.push(key);
      continue;
    }
    const format = copyFormatFor(spec);
    const csv = join(deps.tmpDir, `master-${name}-${process.pid}.${format}`);
    const staged = await deps.lake.stage(key);
    try {
      await deps.hot.withClient('archiver', (c) =>
        copyOut(
          c,
          `SELECT ${spec.columns.map((c2) => quoteIdent(c2.name)).join(', ')} FROM ${hotTable(spec)} ORDER BY ${spec.primaryKey.map(quoteIdent).join(', ')}`,
          csv,
          format,
        ),
      );
      await deps.duck.run(
        `COPY (SELECT * FROM ${readCopySql(csv, copyColumns(spec, false), format)}) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {archive_cutoff: ${quoteLiteral(cutoff.toISOString())}})`,
      );
      const file = await deps.lake.publish(staged);
      await recordSnapshot(deps, file.key, name, day);
      out.push(key);
    } catch (err) {
      await deps.lake.discard(staged);
      throw err instanceof WorkbenchError ? err : hotUnavailable(err, `snapshotting ${name}`);
    } finally {
      await rm(csv, { force: true });
    }
  }
  return out;
}

/** The snapshot's manifest under `_manifests/master/`, so the lake check knows the file. */
async function recordSnapshot(deps: SnapshotDeps, key: string, table: string, day: string): Promise<void> {
  // An S3 lake may have evicted the cached copy of a snapshot published by an earlier run: fetched (and checked) again.
  await deps.lake.fetch([key]);
  const path = deps.lake.localPath(key);
  const rows = Number(
    (await deps.duck.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteLiteral(path)})`)).getRowObjectsJS()[0].n,
  );
  await writeManifest(deps.lake, {
    batchId: snapshotBatchId(table, day),
    dataset: 'master',
    source: 'snapshot',
    writtenAt: new Date().toISOString(),
    rows,
    files: [{ key, rows, bytes: (await stat(path)).size, sha256: await sha256File(path), minTime: null, maxTime: null }],
  });
}

const snapshotBatchId = (table: string, day: string): string => `snapshot-${table}-${day}`;
