import { isIP } from 'node:net';
import { WorkbenchError } from '../../../../shared/api/errors';
import type { S3LakeSettings } from '../../../../shared/api/settings';
import { secretsInUrl } from '../../../../shared/postgres-url';

/** An S3 lake's place: the bucket, the key prefix every object lives under, and how to reach it. */
export interface S3Location {
  bucket: string;
  /** '' or `some/prefix/` (always ending in '/'). */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2, a loopback test server); null = AWS. */
  endpoint: string | null;
  /** Path-style addressing (`host/bucket/key`): automatic for an IP address or localhost endpoint. */
  forcePathStyle: boolean;
  /** Above this the cache keeps only pinned working sets; null = mirror the whole lake. */
  cacheMaxBytes: number | null;
  /** `s3://bucket/prefix` as configured (what the UI and reports show). */
  url: string;
}

/** `s3://bucket/prefix` → bucket and prefix; BAD_INPUT naming what is wrong otherwise. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(url.trim());
  if (!m)
    throw new WorkbenchError('BAD_INPUT', `The S3 lake URL must look like s3://bucket/prefix, not ${JSON.stringify(url.slice(0, 200))}.`);
  const bucket = m[1];
  // Bucket naming rules (3–63 characters; lower case, digits, dots, hyphens), so a typo is caught before any request.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `"${bucket}" is not a valid S3 bucket name (3–63 characters: lower-case letters, digits, dots, hyphens).`,
    );
  }
  const parts = (m[2] ?? '').split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..'))
    throw new WorkbenchError('BAD_INPUT', 'The S3 lake prefix may not contain "." or ".." segments.');
  return { bucket, prefix: parts.length === 0 ? '' : `${parts.join('/')}/` };
}

/** An endpoint URL, checked: http(s), no credentials in it. */
export function parseEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint.trim());
  } catch {
    throw new WorkbenchError(
      'BAD_INPUT',
      `The S3 endpoint ${JSON.stringify(endpoint.slice(0, 200))} is not a URL (use http(s)://host:port).`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new WorkbenchError('BAD_INPUT', `The S3 endpoint must start with http:// or https://, not ${u.protocol}//.`);
  const secrets = secretsInUrl(u);
  if (u.username !== '') secrets.unshift('user name');
  if (secrets.length > 0) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `The S3 endpoint carries a secret (${secrets.join(', ')}); keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws, never from the endpoint.`,
    );
  }
  return u.toString().replace(/\/$/, '');
}

/** Whether an endpoint is addressed path-style: IP addresses and localhost have no bucket sub-domains. */
export function usesPathStyle(endpoint: string | null): boolean {
  if (endpoint === null) return false;
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
}

/** The location from settings (or a `--lake s3://...` flag) and the environment: setting > AWS_ENDPOINT_URL_S3 / AWS_REGION. */
export function resolveS3Location(settings: S3LakeSettings, env: NodeJS.ProcessEnv = process.env): S3Location {
  const { bucket, prefix } = parseS3Url(settings.url);
  const rawEndpoint = settings.endpoint?.trim() || env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || '';
  const endpoint = rawEndpoint === '' ? null : parseEndpoint(rawEndpoint);
  const region = settings.region?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
  const maxBytes = settings.cache?.maxBytes;
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
    throw new WorkbenchError('BAD_INPUT', `The lake cache size must be a whole number of bytes, not ${String(maxBytes)}.`);
  }
  return {
    bucket,
    prefix,
    region,
    endpoint,
    forcePathStyle: usesPathStyle(endpoint),
    cacheMaxBytes: maxBytes ?? null,
    url: `s3://${bucket}/${prefix}`.replace(/\/$/, ''),
  };
}
