import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../../shared/sql';
import { confirmObject, partitionKey } from '../lake';
import { lakeFilesSql } from '../lake-sql';
import { sha256File, writeManifest } from '../manifest';
import { S3Lake } from './s3-lake';
import { resolveS3Location } from './s3-location';

let dir: string;
let server: S3rver;
let endpoint: string;
let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-s3lake-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'lake', configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});
afterAll(async () => {
  conn?.closeSync();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function lakeAt(cache: string, url = 's3://lake/fleet'): S3Lake {
  return new S3Lake(resolveS3Location({ kind: 's3', url, endpoint }), join(dir, cache), { backoffMs: 5 });
}

async function writeDay(lake: S3Lake, day: string, tag: string, rows: number): Promise<{ key: string; bytes: number; sha256: string }> {
  const staged = await lake.stage(partitionKey('telemetry', day, tag));
  await conn.run(
    `COPY (SELECT range AS n, TIMESTAMPTZ '${day} 00:00:00+00' + range * INTERVAL 1 SECOND AS ts FROM range(${rows})) TO ${quoteLiteral(staged.path)} (FORMAT parquet)`,
  );
  const sha256 = await sha256File(staged.path);
  const file = await lake.publish(staged);
  await writeManifest(lake, {
    batchId: tag,
    dataset: 'telemetry',
    source: 'test',
    writtenAt: new Date().toISOString(),
    rows,
    files: [{ key: file.key, rows, bytes: file.size, sha256, minTime: null, maxTime: null }],
  });
  return { key: file.key, bytes: file.size, sha256 };
}

async function count(lake: S3Lake): Promise<number> {
  const files = await lake.readable('telemetry');
  if (files.length === 0) return 0;
  return Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${lakeFilesSql(lake, files)})`)).getRowsJS()[0][0]);
}

describe('S3Lake on a loopback S3', () => {
  it('publishes verified files, keeps the local copy, and a second workspace sees them after a pull', async () => {
    const a = lakeAt('cache-a');
    await a.ensure();
    const one = await writeDay(a, '2024-05-01', 'b1', 100);
    await writeDay(a, '2024-05-02', 'b2', 50);
    expect((await a.list('telemetry')).map((f) => f.key)).toEqual([one.key, partitionKey('telemetry', '2024-05-02', 'b2')]);
    expect(await count(a)).toBe(150);
    expect(await confirmObject(a, one.key, { bytes: one.bytes, sha256: one.sha256 })).toBe(true);

    const b = lakeAt('cache-b');
    await b.ensure();
    expect((await b.list('telemetry')).length).toBe(2);
    expect(await count(b)).toBe(0);
    let status = await b.status();
    expect(status.datasets[0]).toMatchObject({ dataset: 'telemetry', daysRemote: 2, daysCached: 0 });
    expect(status.complete).toBe(false);
    const pulled = await b.pull({ dataset: 'telemetry', from: '2024-05-02' });
    expect(pulled.fetched).toBe(1);
    expect(await count(b)).toBe(50);
    const all = await b.pull();
    expect(all).toMatchObject({ fetched: 1, alreadyCached: 1 });
    expect(await count(b)).toBe(150);
    status = await b.status();
    expect(status).toMatchObject({ complete: true, online: true });
    expect(await sha256File(b.localPath(one.key))).toBe(one.sha256);
  });

  it('never replaces an existing object, even on a store that ignores If-None-Match', async () => {
    const a = lakeAt('cache-c', 's3://lake/clobber');
    await a.ensure();
    const first = await writeDay(a, '2024-06-01', 'same', 10);
    const staged = await a.stage(first.key);
    await writeFile(staged.path, 'not the same bytes');
    await expect(a.publish(staged)).rejects.toMatchObject({ code: 'CONFLICT' });
    await a.discard(staged);
    const b = lakeAt('cache-d', 's3://lake/clobber');
    await b.ensure();
    await b.pull();
    expect(await sha256File(b.localPath(first.key))).toBe(first.sha256);
  });

  it('detects a corrupted cache file and fetches it again', async () => {
    const a = lakeAt('cache-e', 's3://lake/corrupt');
    await a.ensure();
    const f = await writeDay(a, '2024-07-01', 'c1', 20);
    const path = a.localPath(f.key);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(path, bytes);
    expect(await count(a)).toBe(0);
    expect((await a.status()).datasets[0]).toMatchObject({ daysCached: 0, daysRemote: 1 });
    const pulled = await a.pull();
    expect(pulled).toMatchObject({ fetched: 1, refetched: 1 });
    expect(await sha256File(path)).toBe(f.sha256);
    expect(await count(a)).toBe(20);
  });
});
