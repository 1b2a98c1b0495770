import { createRequire } from 'node:module';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { S3LakeTestResult } from '../../../../shared/api/settings';
import { openWorkbench } from '../../workbench';
import { MemorySecretStore } from '../../workspace/secrets';
import { testS3Lake } from './s3-probe';

// A loopback S3 (s3rver ships no types). Its one key pair is S3RVER / S3RVER.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverServer;
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rverServer;
let endpoint: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-s3probe-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'lake' }] });
  const addr = await server.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A loopback port nobody listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

describe('testS3Lake', () => {
  it('lists, puts, gets and deletes a probe object under the prefix, and leaves nothing behind', async () => {
    const res = await testS3Lake({ kind: 's3', url: 's3://lake/fleet/eu', endpoint }, {}, KEYS);
    expect(res.steps.map((s) => [s.step, s.ok])).toEqual([
      ['list', true],
      ['put', true],
      ['get', true],
      ['delete', true],
    ]);
    expect(res.ok).toBe(true);
    expect(res.target).toBe(`s3://lake/fleet/eu at ${endpoint}`);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(0);
    for (const s of res.steps) expect(s.failure).toBeUndefined();
    // The probe object went under the prefix and is gone again (s3rver keeps objects as files under the bucket).
    const walk = async (d: string): Promise<string[]> => {
      const out: string[] = [];
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) out.push(...(await walk(join(d, e.name))));
        else out.push(join(d, e.name));
      }
      return out;
    };
    expect((await walk(join(dir, 'lake'))).filter((f) => f.includes('_probe'))).toEqual([]);
  });

  // s3rver checks the access key id but not SigV4 signatures, so a wrong secret is not refused by it; an
  // unknown key (InvalidAccessKeyId) goes the same way as a wrong secret (SignatureDoesNotMatch) on real S3.
  it('a key the store does not know is named: credentials', async () => {
    const res = await testS3Lake(
      { kind: 's3', url: 's3://lake/p', endpoint },
      {},
      { accessKeyId: 'AKIAWRONG', secretAccessKey: 'not-the-secret' },
    );
    expect(res.ok).toBe(false);
    expect(res.steps).toHaveLength(1);
    expect(res.steps[0]).toMatchObject({ step: 'list', ok: false, failure: 'credentials' });
    expect(res.steps[0]?.message).toMatch(/credentials were missing or refused/);
    expect(JSON.stringify(res)).not.toContain('not-the-secret');
  });

  it('a missing bucket is named: bucket', async () => {
    const res = await testS3Lake({ kind: 's3', url: 's3://no-such-bucket/p', endpoint }, {}, KEYS);
    expect(res.ok).toBe(false);
    expect(res.steps).toEqual([expect.objectContaining({ step: 'list', ok: false, failure: 'bucket' })]);
  });

  it('nothing listening on the port is named: unreachable', async () => {
    const port = await deadPort();
    const res = await testS3Lake({ kind: 's3', url: 's3://lake/p', endpoint: `http://127.0.0.1:${port}` }, {}, KEYS);
    expect(res.ok).toBe(false);
    expect(res.steps).toEqual([expect.objectContaining({ step: 'list', ok: false, failure: 'unreachable' })]);
  });

  it('a host name that cannot resolve is named: dns', async () => {
    const res = await testS3Lake({ kind: 's3', url: 's3://lake/p', endpoint: 'http://nonexistent.invalid:9' }, {}, KEYS);
    expect(res.ok).toBe(false);
    expect(res.steps).toEqual([expect.objectContaining({ step: 'list', ok: false, failure: 'dns' })]);
    expect(res.target).toBe('s3://lake/p at http://nonexistent.invalid:9');
  });

  it('settings that cannot be used are refused before any request: a bad URL, an endpoint with credentials', async () => {
    await expect(testS3Lake({ kind: 's3', url: 'https://lake/p', endpoint }, {}, KEYS)).rejects.toThrow(/s3:\/\/bucket\/prefix/);
    await expect(testS3Lake({ kind: 's3', url: 's3://lake/p', endpoint: 'http://AKIA:secret@127.0.0.1:9' }, {}, KEYS)).rejects.toThrow(
      /endpoint carries a secret/,
    );
  });
});

describe('settings.testLakeConnection', () => {
  it('tests what the form holds without saving; the stored key goes only to the lake it was saved for', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_PROFILE', 'bw-no-such-profile');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const ws = await mkdtemp(join(tmpdir(), 'bw-s3test-'));
    const secrets = new MemorySecretStore();
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets, lakeFlag: join(ws, 'lake') });
    try {
      const test = async (req: Record<string, unknown>): Promise<S3LakeTestResult> => {
        const res = await wb.dispatch('settings.testLakeConnection', { kind: 's3', ...req }, { transport: 'test' });
        if (!res.ok) throw new Error(res.error.message);
        return res.value as S3LakeTestResult;
      };
      expect((await test({ url: 's3://lake/eu', endpoint, ...KEYS })).ok).toBe(true);
      await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
      const saved = await wb.dispatch(
        'settings.set',
        { hot: { kind: 'embedded' }, lake: { kind: 's3', url: 's3://lake/eu', endpoint, ...KEYS } },
        { transport: 'test' },
      );
      expect(saved.ok).toBe(true);
      expect((await test({ url: 's3://lake/eu', endpoint })).ok).toBe(true);
      // Another prefix or endpoint: not the saved lake, so no stored key, and no other credentials here.
      const other = await test({ url: 's3://lake/other', endpoint });
      expect(other.steps[0]).toMatchObject({ step: 'list', ok: false, failure: 'credentials' });
    } finally {
      await wb.close();
      vi.unstubAllEnvs();
      await rm(ws, { recursive: true, force: true });
    }
  });
});
