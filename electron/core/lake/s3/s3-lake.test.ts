import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../../shared/sql';
import { confirmObject, partitionKey } from '../lake';
import { lakeFilesSql } from '../lake-sql';
import { sha256File, writeManifest } from '../manifest';
import { startFaultProxy, startS3, type S3Fixture } from '../../testing/s3-server.fixture';
import { S3Lake, type S3LakeOptions } from './s3-lake';
import { resolveS3Location } from './s3-location';

let dir: string;
/** S3 semantics (If-None-Match honoured) and a store that ignores the header (the lake's HEAD-first guard must hold). */
let s3: S3Fixture;
let lax: S3Fixture;
let db: DuckDBInstance;
let conn: DuckDBConnection;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-s3lake-'));
  [s3, lax] = await Promise.all([startS3(), startS3({ noClobber: false })]);
  Object.assign(process.env, s3.env);
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});
afterAll(async () => {
  process.env = savedEnv;
  conn?.closeSync();
  await s3?.stop();
  await lax?.stop();
  await rm(dir, { recursive: true, force: true });
});

function lakeAt(cache: string, url = 's3://lake/fleet', store: S3Fixture | string = s3, opts: S3LakeOptions = {}): S3Lake {
  const endpoint = typeof store === 'string' ? store : store.endpoint;
  return new S3Lake(resolveS3Location({ kind: 's3', url, endpoint }), join(dir, cache), { backoffMs: 5, ...opts });
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
  return Number(
    (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${lakeFilesSql(lake, files)})`)).getRowsJS()[0][0],
  );
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

  it.each([
    ['a store that honours If-None-Match', () => s3],
    ['a store that ignores it', () => lax],
  ])('never replaces an existing object on %s', async (_name, store) => {
    const a = lakeAt(`cache-c-${store().endpoint.split(':').pop()}`, 's3://lake/clobber', store());
    await a.ensure();
    const first = await writeDay(a, '2024-06-01', 'same', 10);
    const staged = await a.stage(first.key);
    await writeFile(staged.path, 'not the same bytes');
    await expect(a.publish(staged)).rejects.toMatchObject({ code: 'CONFLICT' });
    await a.discard(staged);
    // The manifest of a batch is never replaced either (a second writer of another batch under its key is refused).
    await expect(
      writeManifest(a, { batchId: 'same', dataset: 'telemetry', source: 'test', writtenAt: '', rows: 1, files: [] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const b = lakeAt(`cache-d-${store().endpoint.split(':').pop()}`, 's3://lake/clobber', store());
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

  it("uploads a large file in parts (checksums per part, the whole file's SHA-256 confirmed) and survives cut connections", async () => {
    const proxy = await startFaultProxy(s3.endpoint);
    try {
      const a = lakeAt('cache-f', 's3://lake/parts', proxy.endpoint, { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
      await a.ensure();
      // Cut the first attempt of one part mid-body, and answer two requests 503: the SDK retries both.
      proxy.cutUpload(100_000, { match: (r) => r.method === 'PUT' && r.path.includes('partNumber=2') });
      proxy.failRequests(503, { times: 2, match: (r) => r.method === 'PUT' });
      const f = await writeDay(a, '2024-08-01', 'big', 1_500_000);
      expect(f.bytes).toBeGreaterThan(5 * 1024 * 1024);
      expect(proxy.stats.requests.some((r) => r.path.includes('uploadId='))).toBe(true);
      expect(a.retryCount()).toBeGreaterThanOrEqual(3);
      // A second workspace downloads it through cut connections (retried by the lake itself).
      const b = lakeAt('cache-g', 's3://lake/parts', proxy.endpoint);
      await b.ensure();
      proxy.cutDownload(200_000, { times: 2, match: (r) => r.method === 'GET' && r.path.includes('/telemetry/') });
      const pulled = await b.pull();
      expect(pulled).toMatchObject({ fetched: 1 });
      expect(pulled.retries).toBeGreaterThanOrEqual(2);
      expect(await sha256File(b.localPath(f.key))).toBe(f.sha256);
      expect(await count(b)).toBe(1_500_000);
    } finally {
      await proxy.stop();
    }
  });
});
