import type * as FsPromises from 'node:fs/promises';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qualifiedName, quoteLiteral } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';
import { demoWorkspace, lakeCheck, unifiedViewDigests } from '../testing/cli-process.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { folderOfKey, partitionKey } from './lake';
import { LakeCatalog } from './lake-catalog';
import { liveFiles, sha256File, writeManifest } from './manifest';

/** Every folder the lake code lists in this process (a test seam over node:fs/promises; the calls go through). */
const listed = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const readdir = ((path: Parameters<typeof fs.readdir>[0], ...rest: unknown[]) => {
    listed.push(String(path));
    return (fs.readdir as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readdir;
  return { ...fs, readdir, default: { ...fs, readdir } };
});

const made: string[] = [];
let ws: string;
let lakeDir: string;

beforeAll(async () => {
  ws = await demoWorkspace(made);
  lakeDir = join(ws, 'lake');
}, 180_000);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function withWb<T>(dir: string, fn: (wb: Workbench) => Promise<T>, lake?: string): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'test', ...(lake ? { lakeFlag: lake } : {}) });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

/** The catalog's live keys and the manifests' live set, which must be equal. */
async function catalogAndManifests(wb: Workbench): Promise<{ catalog: string[]; manifests: string[] }> {
  return wb.engine.withConnection(async (conn) => {
    const catalog = new LakeCatalog(conn, wb.data.lake);
    const keys: string[] = [];
    for (const ds of await catalog.datasets()) keys.push(...(await catalog.files(ds)).map((f) => f.key));
    return { catalog: keys.sort(), manifests: [...liveFiles(await wb.data.lake.manifests()).keys()].sort() };
  });
}

async function coldViewSql(wb: Workbench, dataset: string): Promise<string | null> {
  return wb.engine.withConnection(async (conn) => {
    const rows = await queryRows(conn, `SELECT sql FROM duckdb_views() WHERE schema_name = 'cold' AND view_name = $1`, [dataset]);
    return rows.length > 0 ? String(rows[0].sql) : null;
  });
}

describe('the lake catalog', () => {
  it('opening an existing workspace lists no data folder and reads no Parquet footer: the views come from the catalog', async () => {
    const { telemetry, before } = await withWb(ws, async (wb) => {
      const live = (await catalogAndManifests(wb)).manifests;
      return {
        telemetry: live.find((k) => k.startsWith('telemetry/')) as string,
        before: await wb.engine.withConnection((conn) => unifiedViewDigests(conn)),
      };
    });
    const path = join(lakeDir, ...telemetry.split('/'));
    const original = await readFile(path);
    // Its footer unreadable now (a reader of footers fails), and a stray copy next to it (a listing would find it).
    await writeFile(path, Buffer.from('not a parquet file'));
    const stray = join(lakeDir, ...folderOfKey(telemetry).split('/'), 'part-stray.parquet');
    await writeFile(stray, original);
    listed.length = 0;
    try {
      const viewSql = await withWb(ws, (wb) => coldViewSql(wb, 'telemetry'));
      // The view names the catalogued file (read only when a query runs) and not the stray one.
      expect(viewSql).toContain(path);
      expect(viewSql).not.toContain('part-stray');
      // Only the manifest folders were listed under the lake.
      const underLake = listed.filter((p) => p === lakeDir || p.startsWith(lakeDir + sep));
      expect(underLake.length).toBeGreaterThan(0);
      expect(underLake.filter((p) => !p.startsWith(join(lakeDir, '_manifests')))).toEqual([]);
    } finally {
      await writeFile(path, original);
      await rm(stray, { force: true });
    }
    const after = await withWb(ws, (wb) => wb.engine.withConnection((conn) => unifiedViewDigests(conn)));
    expect(after).toEqual(before);
  });

  it("sees another workspace's writes to the shared lake at its next open (new manifests), and a catalog that drifted is reported and rebuilt", async () => {
    const other = await mkdtemp(join(tmpdir(), 'bw-ws-other-'));
    made.push(other);
    const source = await withWb(
      ws,
      async (wb) => (await catalogAndManifests(wb)).manifests.find((k) => k.startsWith('telemetry/')) as string,
    );
    const key = partitionKey('imported', '2024-01-01', 'from-other');
    const rows = await withWb(
      other,
      async (wb) => {
        // The other workspace writes a new dataset the way writers do, then refreshes its views.
        const lake = wb.data.lake;
        const staged = await lake.stage(key);
        await copyFile(join(lakeDir, ...source.split('/')), staged.path);
        const n = await wb.engine.withConnection((conn) =>
          queryNumber(conn, `SELECT num_rows FROM parquet_file_metadata(${quoteLiteral(staged.path)})`),
        );
        const sha256 = await sha256File(staged.path);
        const file = await lake.publish(staged);
        await writeManifest(lake, {
          batchId: 'other-1',
          dataset: 'imported',
          source: 'test',
          writtenAt: new Date().toISOString(),
          rows: n,
          files: [{ key, rows: n, bytes: file.size, sha256, minTime: null, maxTime: null }],
        });
        await wb.data.refresh();
        return n;
      },
      lakeDir,
    );
    expect(rows).toBeGreaterThan(0);
    await withWb(ws, async (wb) => {
      const c = await catalogAndManifests(wb);
      expect(c.catalog).toEqual(c.manifests);
      expect(c.catalog).toContain(key);
      const n = await wb.engine.withConnection((conn) => queryNumber(conn, `SELECT count(*) FROM ${qualifiedName('cold', 'imported')}`));
      expect(n).toBe(rows);
    });
    // The other workspace takes the file back: the first one no longer shows it.
    await withWb(other, (wb) => wb.data.lake.withdraw('imported', [key], 'test'), lakeDir);
    await withWb(ws, async (wb) => {
      const c = await catalogAndManifests(wb);
      expect(c.catalog).toEqual(c.manifests);
      expect(c.catalog).not.toContain(key);
      expect(await coldViewSql(wb, 'imported')).toBeNull();
      // A catalog edited behind its back: lake check says so, --repair rebuilds it.
      await wb.engine.withConnection((conn) =>
        conn.run(`UPDATE ${qualifiedName(INTERNAL_SCHEMA, 'lake_catalog')} SET gone = true WHERE key = $1`, [source]),
      );
    });
    const stale = await lakeCheck(ws);
    expect(stale.problems).toEqual([
      {
        kind: 'catalog-stale',
        dataset: 'telemetry',
        path: source,
        detail: expect.stringMatching(/not in the workspace catalog/) as string,
      },
    ]);
    const repaired = await lakeCheck(ws, ['--repair']);
    expect(repaired.repaired).toEqual([expect.stringMatching(/^rebuilt the lake catalog: 1 live file/) as string]);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });
});
