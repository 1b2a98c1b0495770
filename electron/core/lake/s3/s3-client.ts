import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Location } from './s3-location';

/** Credentials the desktop app keeps in the keychain; otherwise the SDK's default chain (env, AWS_PROFILE, ~/.aws). */
export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ClientOptions {
  keys?: S3Keys | undefined;
  /** Attempts per request (1 = no retry); the SDK backs off exponentially with jitter between them. */
  maxAttempts?: number;
  /** Connect timeout (ms): an unreachable endpoint fails fast. */
  connectionTimeoutMs?: number;
  /** Longest silence on an open socket (ms) before the request is retried. */
  requestTimeoutMs?: number;
}

/** Counts the retries the SDK made across every request of one client (the archive report says how many). */
export interface RetryCounter {
  retries: number;
}

export function createS3Client(loc: S3Location, opts: S3ClientOptions = {}, counter?: RetryCounter): S3Client {
  const config: S3ClientConfig = {
    region: loc.region,
    forcePathStyle: loc.forcePathStyle,
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: 'standard',
    // Checksums are the lake's own (SHA-256, sent as x-amz-checksum-sha256 and kept in the object's metadata);
    // the SDK adds none of its own, so S3-compatible stores that do not know CRC trailers work too.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: opts.connectionTimeoutMs ?? 5_000, requestTimeout: opts.requestTimeoutMs ?? 60_000 },
  };
  if (loc.endpoint !== null) config.endpoint = loc.endpoint;
  if (opts.keys) config.credentials = opts.keys;
  const client = new S3Client(config);
  if (counter) {
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          counter.retries += Math.max(0, ((out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
          return out;
        } catch (err) {
          counter.retries += Math.max(0, ((err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
          throw err;
        }
      },
      { step: 'initialize', name: 'lakeRetryCounter' },
    );
  }
  return client;
}
