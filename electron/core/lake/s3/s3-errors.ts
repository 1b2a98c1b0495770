import { errorMessage, WorkbenchError } from '../../../../shared/api/errors';

/** What went wrong talking to S3, in the terms the connection test and the error messages use. */
export type S3Failure =
  'dns' | 'unreachable' | 'tls' | 'credentials' | 'bucket' | 'permissions' | 'exists' | 'not-found' | 'server' | 'other';

interface AwsLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
]);

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const a = e as AwsLikeError;
    for (const c of [a.code, a.name, a.Code]) if (typeof c === 'string') out.push(c);
    e = a.cause;
  }
  return out;
}

/** Sorts an SDK or socket error into what a user can act on. */
export function classifyS3Error(err: unknown): S3Failure {
  const codes = codesOf(err);
  const status = (err as AwsLikeError | null)?.$metadata?.httpStatusCode;
  const text = errorMessage(err);
  const has = (...names: string[]): boolean => codes.some((c) => names.includes(c));
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME') || /getaddrinfo/i.test(text)) return 'dns';
  if (
    codes.some((c) => c.startsWith('CERT_') || c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL')) ||
    has(
      'EPROTO',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    )
  )
    return 'tls';
  if (
    codes.some((c) => NETWORK_CODES.has(c)) ||
    has('TimeoutError', 'RequestTimeout', 'AbortError') ||
    /socket hang up|ECONNREFUSED|ECONNRESET/i.test(text)
  )
    return 'unreachable';
  if (
    has('CredentialsProviderError', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired')
  )
    return 'credentials';
  if (has('NoSuchBucket')) return 'bucket';
  if (has('PreconditionFailed', 'ConditionalRequestConflict') || status === 412) return 'exists';
  if (has('AccessDenied', 'AllAccessDisabled', 'Forbidden') || status === 403) return 'permissions';
  if (has('NoSuchKey', 'NotFound') || status === 404) return 'not-found';
  if (status !== undefined && status >= 500) return 'server';
  return 'other';
}

/** How many attempts the SDK made (1 = no retry), when it says. */
export function attemptsOf(err: unknown): number {
  return (err as AwsLikeError | null)?.$metadata?.attempts ?? 1;
}

const ADVICE: Record<S3Failure, string> = {
  dns: 'the endpoint’s host name could not be resolved (DNS). Check the endpoint and the network.',
  unreachable:
    'the endpoint could not be reached (connection refused, reset or timed out). Check the network, or work offline on the cached days.',
  tls: 'the TLS handshake failed (certificate or protocol). Check the endpoint’s https certificate, or use http:// for a loopback store.',
  credentials:
    'the credentials were missing or refused. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE (or ~/.aws/credentials), or keep keys in the keychain from Settings.',
  bucket: 'the bucket does not exist. Check the bucket name in the lake URL (and the region).',
  permissions: 'access was denied. The key needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the lake’s prefix.',
  exists: 'an object already exists at that key; the lake never replaces one.',
  'not-found': 'the object does not exist.',
  server: 'the S3 service kept failing (5xx) after retries. Try again later.',
  other: 'the request failed.',
};

/** A WorkbenchError for a failed S3 step: LAKE_OFFLINE when the endpoint is unreachable, CONFLICT for no-clobber, else LAKE_ERROR. */
export function s3Error(what: string, where: string, err: unknown): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  const kind = classifyS3Error(err);
  const attempts = attemptsOf(err);
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const code = kind === 'dns' || kind === 'unreachable' ? 'LAKE_OFFLINE' : kind === 'exists' ? 'CONFLICT' : 'LAKE_ERROR';
  return new WorkbenchError(code, `The S3 lake ${where} could not ${what}: ${ADVICE[kind]}${tries}`, `${kind}: ${errorMessage(err)}`);
}

/** Whether an error means the endpoint is out of reach (the lake goes offline; cached work goes on). */
export function isOfflineError(err: unknown): boolean {
  if (err instanceof WorkbenchError) return err.code === 'LAKE_OFFLINE';
  const k = classifyS3Error(err);
  return k === 'dns' || k === 'unreachable';
}
