import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { quoteLiteral } from '../../../shared/sql';
import { LocalLake } from '../lake/local-lake';
import { sha256File, writeManifest, type ManifestFile } from '../lake/manifest';

/**
 * Records Parquet files a test wrote straight into a local lake in one manifest, as a writer would: the views
 * read the manifests' live set, so a file no manifest names is never read. `files`: lake keys, or every
 * `.parquet` under `<lakeRoot>/<dataset>` when omitted.
 */
export async function recordLakeFiles(
  conn: DuckDBConnection,
  lakeRoot: string,
  dataset: string,
  batchId: string,
  files?: readonly string[],
): Promise<void> {
  const keys = files ?? (await parquetKeys(lakeRoot, dataset));
  const entries: ManifestFile[] = [];
  for (const key of keys) {
    const path = join(lakeRoot, ...key.split('/'));
    const rows = Number(
      (await conn.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${quoteLiteral(path)})`)).getRows()[0]?.[0] ?? 0,
    );
    entries.push({ key, rows, bytes: (await stat(path)).size, sha256: await sha256File(path), minTime: null, maxTime: null });
  }
  await writeManifest(new LocalLake(lakeRoot), {
    batchId,
    dataset,
    source: 'test',
    writtenAt: new Date().toISOString(),
    rows: entries.reduce((a, f) => a + f.rows, 0),
    files: entries,
  });
}

async function parquetKeys(lakeRoot: string, dataset: string): Promise<string[]> {
  const root = join(lakeRoot, dataset);
  const found = await readdir(root, { recursive: true });
  return found
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => relative(lakeRoot, join(root, f)).split(sep).join('/'))
    .sort();
}
