import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { s3ClientConfig, startFaultProxy, startS3, type FaultProxy, type S3Fixture } from './s3-server.fixture';

/** What the SDK throws, reduced to the fields a caller branches on. */
interface SdkError {
  name: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}
async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');
const MB = 1024 * 1024;

async function readObject(client: S3Client, key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  if (!r.Body) throw new Error(`no body for ${key}`);
  return Buffer.from(await r.Body.transformToByteArray());
}

describe('s3rver with the no-clobber wrapper', () => {
  let s3: S3Fixture;
  let client: S3Client;
  let direct: S3Client;
  beforeAll(async () => {
    s3 = await startS3({ noClobber: true });
    client = new S3Client(s3.clientConfig);
    direct = new S3Client(s3ClientConfig(s3.serverEndpoint));
  });
  afterAll(async () => {
    client?.destroy();
    direct?.destroy();
    await s3?.stop();
  });

  test('s3rver alone ignores If-None-Match: * and overwrites (why the wrapper exists)', async () => {
    await direct.send(new PutObjectCommand({ Bucket: 'lake', Key: 'plain/a.txt', Body: 'first', IfNoneMatch: '*' }));
    const second = await direct.send(new PutObjectCommand({ Bucket: 'lake', Key: 'plain/a.txt', Body: 'second', IfNoneMatch: '*' }));
    expect(second.$metadata.httpStatusCode).toBe(200);
    expect((await readObject(direct, 'plain/a.txt')).toString()).toBe('second');
  });

  test('PutObject with If-None-Match: * writes a new key and answers 412 PreconditionFailed on an existing one', async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'nc/a.txt', Body: 'first', IfNoneMatch: '*' }));
    expect(put.$metadata.httpStatusCode).toBe(200);

    const err = await failure(client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'nc/a.txt', Body: 'second', IfNoneMatch: '*' })));
    expect(err.name).toBe('PreconditionFailed');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 412, attempts: 1 });
    expect((await readObject(client, 'nc/a.txt')).toString()).toBe('first');

    // Without the condition a write still goes through unchanged.
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'nc/a.txt', Body: 'third' }));
    expect((await readObject(client, 'nc/a.txt')).toString()).toBe('third');
  });

  test('of racing conditional writers of one key exactly one wins', async () => {
    const results = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((i) =>
        client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'nc/race.txt', Body: `writer ${i}`, IfNoneMatch: '*' })),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as SdkError).name).toBe('PreconditionFailed');
    expect((await readObject(client, 'nc/race.txt')).toString()).toBe(`writer ${won[0]}`);
  });

  test('a multipart upload (lib-storage, SHA256 part checksums) completes on a new key and gets 412 at completion on an existing one', async () => {
    const body = Buffer.alloc(11 * MB, 1);
    body.write('first');
    const upload = (data: Buffer): Upload =>
      new Upload({
        client,
        params: {
          Bucket: 'lake',
          Key: 'nc/big.bin',
          Body: data,
          ChecksumAlgorithm: 'SHA256',
          IfNoneMatch: '*',
          Metadata: { sha256: sha256(data) },
        },
        partSize: 5 * MB,
      });
    const done = await upload(body).done();
    expect(done.$metadata.httpStatusCode).toBe(200);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'nc/big.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.Metadata).toEqual({ sha256: sha256(body) });

    const other = Buffer.alloc(11 * MB, 2);
    const err = await failure(upload(other).done());
    expect(err.name).toBe('PreconditionFailed');
    expect(err.$metadata?.httpStatusCode).toBe(412);
    expect(sha256(await readObject(client, 'nc/big.bin'))).toBe(sha256(body));
  });

  test('what s3rver keeps: user metadata yes, flexible checksums no; listing pages; delete', async () => {
    const body = Buffer.from('checksummed');
    await client.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: 'meta/a.txt',
        Body: body,
        ChecksumSHA256: sha256(body),
        Metadata: { sha256: sha256(body) },
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'meta/a.txt', ChecksumMode: 'ENABLED' }));
    expect(head.Metadata).toEqual({ sha256: sha256(body) });
    expect(head.ChecksumSHA256).toBeUndefined();
    // A wrong checksum is not refused either: s3rver never verifies it.
    await client.send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'meta/b.txt', Body: body, ChecksumSHA256: sha256(Buffer.from('other')) }),
    );

    for (const d of ['01', '02', '03', '04', '05']) {
      await client.send(new PutObjectCommand({ Bucket: 'lake', Key: `list/date=2024-05-${d}/part-1.parquet`, Body: d }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: 'lake',
          Prefix: 'list/',
          StartAfter: 'list/date=2024-05-01/~',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => String(o.Key)));
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toBe(2);
    expect(keys).toEqual(['02', '03', '04', '05'].map((d) => `list/date=2024-05-${d}/part-1.parquet`));

    await client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'meta/b.txt' }));
    expect((await failure(client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'meta/b.txt' })))).name).toBe('NotFound');
    // Deleting a missing key is not an error, as on S3.
    const again = await client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'meta/b.txt' }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });

  test('errors the SDK throws: missing bucket, missing key, unknown access key id', async () => {
    const noBucket = await failure(client.send(new PutObjectCommand({ Bucket: 'nope', Key: 'a', Body: 'x' })));
    expect(noBucket.name).toBe('NoSuchBucket');
    expect(noBucket.$metadata).toMatchObject({ httpStatusCode: 404, attempts: 1 });
    const noKey = await failure(client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'missing' })));
    expect(noKey.name).toBe('NoSuchKey');
    const stranger = new S3Client({ ...s3.clientConfig, credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } });
    const denied = await failure(stranger.send(new PutObjectCommand({ Bucket: 'lake', Key: 'a', Body: 'x' })));
    expect(denied.name).toBe('InvalidAccessKeyId');
    expect(denied.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    stranger.destroy();
  });

  test('env configures a child process client (endpoint, region, keys, checksum mode)', async () => {
    // A stream Body: with the SDK's default checksum mode it would be stored aws-chunked (corrupt).
    const script = `
      const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
      const { Readable } = require('node:stream');
      new S3Client({})
        .send(new PutObjectCommand({ Bucket: 'lake', Key: 'env/a.txt', Body: Readable.from([Buffer.from('from env')]), ContentLength: 8 }))
        .then(() => process.stdout.write('ok'));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, ...s3.env } });
    expect(stdout).toBe('ok');
    expect((await readObject(direct, 'env/a.txt')).toString()).toBe('from env');
  });
});

describe('the fault proxy', () => {
  let s3: S3Fixture;
  let proxy: FaultProxy;
  let client: S3Client;
  let direct: S3Client;
  beforeAll(async () => {
    s3 = await startS3();
    proxy = await startFaultProxy(s3.endpoint);
    client = new S3Client(s3ClientConfig(proxy.endpoint));
    direct = new S3Client(s3.clientConfig);
  });
  afterAll(async () => {
    client?.destroy();
    direct?.destroy();
    await proxy?.stop();
    await s3?.stop();
  });
  const fresh = (): void => {
    proxy.clearFaults();
    proxy.resetStats();
  };

  test('injected 503s are retried by the SDK, visible in $metadata.attempts', async () => {
    fresh();
    await direct.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/a.txt', Body: 'a' }));
    proxy.failRequests(503, { times: 2 });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/a.txt' }));
    expect(head.$metadata.attempts).toBe(3);
    expect(proxy.stats.requests).toHaveLength(3);
    expect(proxy.stats.faults).toBe(2);
  });

  test('a 500 on every attempt fails after 3 attempts with the S3 error code', async () => {
    fresh();
    proxy.failRequests(500, { times: 3 });
    const err = await failure(client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/b.txt', Body: 'b' })));
    expect(err.name).toBe('InternalError');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
    expect((await failure(direct.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/b.txt' })))).name).toBe('NotFound');
  });

  test('s3rver alone keeps a truncated object when an upload is cut (why the wrapper reads whole bodies)', async () => {
    fresh();
    const bare = await startFaultProxy(s3.serverEndpoint);
    const bareClient = new S3Client({ ...s3ClientConfig(bare.endpoint), maxAttempts: 1 });
    try {
      bare.cutUpload(MB);
      const err = await failure(
        bareClient.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/torn.bin', Body: Buffer.alloc(2 * MB, 5) })),
      );
      expect(err.code).toBe('ECONNRESET');
      // s3rver handles the torn request after the client has given up: ask until the object shows up.
      let head: { ContentLength?: number } | undefined;
      for (let i = 0; i < 1000 && !head; i++) {
        head = await direct.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/torn.bin' })).catch(() => undefined);
      }
      expect(head?.ContentLength).toBeLessThan(2 * MB);
    } finally {
      bareClient.destroy();
      await bare.stop();
    }
  });

  test('a cut mid-upload is retried; cut on every attempt it fails and stores nothing', async () => {
    fresh();
    const body = Buffer.alloc(2 * MB, 3);
    const isPut = (r: { method: string }): boolean => r.method === 'PUT';
    proxy.cutUpload(MB, { match: isPut });
    const put = await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/up.bin', Body: body }));
    expect(put.$metadata.attempts).toBe(2);
    expect(sha256(await readObject(direct, 'f/up.bin'))).toBe(sha256(body));

    proxy.cutUpload(MB, { match: isPut, times: 3 });
    const err = await failure(client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/up2.bin', Body: body })));
    expect(err.code).toBe('ECONNRESET');
    expect(err.$metadata?.attempts).toBe(3);
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect((await failure(direct.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/up2.bin' })))).name).toBe('NotFound');
  });

  test('a cut mid-download fails reading the body (not retried); a cut in the response head is retried', async () => {
    fresh();
    await direct.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/down.bin', Body: Buffer.alloc(MB, 4) }));
    proxy.cutDownload(64 * 1024);
    const got = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'f/down.bin' }));
    expect(got.$metadata.attempts).toBe(1);
    const err = await failure(got.Body?.transformToByteArray() ?? Promise.resolve());
    expect(err.code).toBe('ECONNRESET');

    proxy.cutDownload(20);
    const retried = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'f/down.bin' }));
    expect(retried.$metadata.attempts).toBe(2);
    expect((await retried.Body?.transformToByteArray())?.length).toBe(MB);
  });

  test('down refuses connections (ECONNREFUSED after 3 attempts); up serves again', async () => {
    fresh();
    await direct.send(new PutObjectCommand({ Bucket: 'lake', Key: 'f/c.txt', Body: 'c' }));
    await proxy.down();
    const err = await failure(client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/c.txt' })));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.$metadata?.attempts).toBe(3);
    expect(proxy.stats.connections).toBe(0);
    await proxy.up();
    const head = await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/c.txt' }));
    expect(head.$metadata.attempts).toBe(1);
  });

  test('latency holds each request at least that long', async () => {
    fresh();
    proxy.setLatency(150);
    const t0 = performance.now();
    await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'f/c.txt' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    proxy.setLatency(0);
  });
});
