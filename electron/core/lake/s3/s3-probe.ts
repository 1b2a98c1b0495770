import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorMessage, WorkbenchError } from '../../../../shared/api/errors';
import type { S3LakeFailure, S3LakeProbeStep, S3LakeSettings, S3LakeTestResult } from '../../../../shared/api/settings';
import { createS3Client, type S3Keys } from './s3-client';
import { classifyS3Error, type S3Failure } from './s3-errors';
import { resolveS3Location } from './s3-location';

// The contract's failure names are the classifier's: a new kind on one side fails to compile here.
const sameFailures: [S3Failure, S3LakeFailure] extends [S3LakeFailure, S3Failure] ? true : never = true;
void sameFailures;

type Step = S3LakeTestResult['steps'][number];

const FAILURE_TEXT: Record<S3LakeFailure, string> = {
  dns: 'the host name could not be resolved (DNS)',
  unreachable: 'the endpoint could not be reached',
  tls: 'the TLS handshake failed',
  credentials: 'the credentials were missing or refused',
  bucket: 'the bucket does not exist',
  permissions: 'access was denied',
  exists: 'the probe object already existed',
  'not-found': 'the probe object was not found',
  server: 'the service failed (5xx)',
  other: 'the request failed',
};

/** Fast enough for a button: a dead endpoint fails in seconds, not after a minute of retries. */
const PROBE_CLIENT = { maxAttempts: 2, connectionTimeoutMs: 5_000, requestTimeoutMs: 20_000 };

/**
 * The S3 lake's "Test connection": list the prefix, put a probe object `_probe/<uuid>` under it, read it back,
 * delete it. Each step is timed; the first failure ends the test and is named (DNS, unreachable, TLS,
 * credentials, bucket, permissions). A probe object that was put is deleted even when reading it failed.
 * Settings that cannot be used (a bad URL, an endpoint with credentials) throw BAD_INPUT before any request.
 */
export async function testS3Lake(settings: S3LakeSettings, env: NodeJS.ProcessEnv = process.env, keys?: S3Keys): Promise<S3LakeTestResult> {
  const loc = resolveS3Location(settings, env);
  const target = `${loc.url} at ${loc.endpoint ?? `AWS (${loc.region})`}`;
  const started = performance.now();
  const client = createS3Client(loc, { ...PROBE_CLIENT, keys });
  const key = `${loc.prefix}_probe/${randomUUID()}`;
  const body = `battery-workbench connection test ${new Date().toISOString()}`;
  const steps: Step[] = [];
  const run = async (step: S3LakeProbeStep, action: (c: S3Client) => Promise<void>): Promise<boolean> => {
    const t0 = performance.now();
    try {
      await action(client);
      steps.push({ step, ok: true, ms: Math.round(performance.now() - t0) });
      return true;
    } catch (err) {
      const failure = classifyS3Error(err);
      steps.push({
        step,
        ok: false,
        ms: Math.round(performance.now() - t0),
        failure,
        message: `${FAILURE_TEXT[failure]}: ${errorMessage(err)}`,
      });
      return false;
    }
  };
  try {
    const listed = await run('list', async (c) => {
      await c.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix, MaxKeys: 1 }));
    });
    const put =
      listed &&
      (await run('put', async (c) => {
        await c.send(new PutObjectCommand({ Bucket: loc.bucket, Key: key, Body: body, ContentType: 'text/plain' }));
      }));
    const read =
      put &&
      (await run('get', async (c) => {
        const got = await c.send(new GetObjectCommand({ Bucket: loc.bucket, Key: key }));
        const text = await got.Body?.transformToString();
        if (text !== body) throw new WorkbenchError('LAKE_ERROR', 'The probe object read back differs from what was written.');
      }));
    if (put) {
      await run('delete', async (c) => {
        await c.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: key }));
      });
    }
    const ok = listed && put && read && steps.every((s) => s.ok);
    return { ok, steps, target, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    client.destroy();
  }
}
