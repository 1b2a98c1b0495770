/**
 * Test support for the S3 lake: an S3-compatible server on loopback (`s3rver` 3.7.1) behind a small wrapper
 * that gives it the S3 semantics it lacks, and a TCP fault proxy (cut connections, inject 5xx, latency, down).
 *
 * Findings for S3 clients against this fixture (AWS SDK v3; proved in s3-server.test.ts):
 * - `S3Client` options: `forcePathStyle: true`, `requestChecksumCalculation: 'WHEN_REQUIRED'`,
 *   `responseChecksumValidation: 'WHEN_REQUIRED'` (`fixture.clientConfig` has them all). Path style is
 *   chosen anyway for an IP endpoint, so a client built from `fixture.env` alone works (the checksum options
 *   come from AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION there). With the default
 *   `WHEN_SUPPORTED`, a PutObject whose Body is a stream goes out `aws-chunked` with a trailing CRC32 that
 *   s3rver stores verbatim inside the object (corrupt); Buffer bodies happen to survive.
 * - s3rver checks only that the access key id exists (`S3RVER`); it never verifies a SigV4 signature, so a
 *   wrong secret key is accepted. An unknown access key id answers 403 `InvalidAccessKeyId`.
 * - Flexible checksums are not kept: `ChecksumSHA256` on PutObject/UploadPart is accepted but never checked
 *   (a wrong one is stored too) and HEAD/GET with `ChecksumMode: 'ENABLED'` return no `ChecksumSHA256`.
 *   User metadata is kept: `Metadata: { sha256 }` comes back from HEAD and GET. Keep the SHA-256 there.
 * - Multipart (`@aws-sdk/lib-storage` `Upload`, `ChecksumAlgorithm: 'SHA256'`, 5 MB parts) works; part
 *   checksums are accepted and ignored; `Metadata` given to `Upload` is kept. The ETag is the MD5 of the whole
 *   object (S3's multipart ETag is not an MD5 at all: never compare ETags with content hashes).
 * - ListObjectsV2 with Prefix, StartAfter, MaxKeys and ContinuationToken pages correctly (s3rver runs with
 *   `--openssl-legacy-provider` for that: its tokens are DES). DeleteObject answers 204, also for a missing key.
 * - s3rver alone ignores `If-None-Match: *` and writes a PUT body straight into the object's file (a cut
 *   upload leaves a truncated object). The wrapper at `endpoint` fixes both; `serverEndpoint` shows them.
 *
 * What the SDK throws (`err.name`, `err.$metadata.httpStatusCode`, `$metadata.attempts`; maxAttempts 3):
 * - 412 from the wrapper: `PreconditionFailed`, 412, 1 attempt (not retried). Also via `Upload` (multipart).
 * - missing bucket: `NoSuchBucket`, 404, 1. Missing key: HEAD `NotFound` 404; GET `NoSuchKey` 404.
 * - unknown access key id: `InvalidAccessKeyId`, 403, 1 (on HEAD, which has no body: `Unknown`, 403).
 * - 500 / 503 (any code): retried; if every attempt fails, the S3 error of the last one, attempts 3
 *   (503 `SlowDown` is a throttling error: longer backoff). Success after failures: attempts on the result.
 * - ECONNREFUSED (fault proxy down): `code: 'ECONNREFUSED'`, no httpStatusCode, attempts 3 (retried).
 * - a connection cut mid-upload (before any response): retried; on every attempt: `code: 'ECONNRESET'`
 *   ("socket hang up", `name` `TimeoutError`), no httpStatusCode, attempts 3.
 * - a cut inside the response head: retried. A cut in the middle of a GetObject body is NOT retried: the
 *   command has resolved (attempts 1) and reading `Body` rejects with `code: 'ECONNRESET'` ("aborted").
 *   A reader must retry such a download itself.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createTcpServer, connect, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver's default account: its only access key id and secret. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3_REGION = 'us-east-1';

export interface S3Fixture {
  /** Where clients go: `http://127.0.0.1:<port>`, the wrapper that gives s3rver S3's semantics. */
  endpoint: string;
  /** s3rver itself, bypassing the wrapper (overwrites despite `If-None-Match`, keeps truncated uploads). */
  serverEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * For child processes: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3 (= endpoint),
   * and AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION = WHEN_REQUIRED: `new S3Client({})`
   * in the child then works as `clientConfig` does.
   */
  env: Record<string, string>;
  /** `new S3Client(clientConfig)` talks to `endpoint` with the options s3rver needs. */
  clientConfig: S3ClientConfig & { endpoint: string };
  /** s3rver's storage folder (removed by `stop`). */
  dir: string;
  stop(): Promise<void>;
}

export interface StartS3Options {
  /** Buckets created before start (default `['lake']`). */
  buckets?: string[];
  /** `If-None-Match: *` on an existing key answers 412, as on S3 (default true; false: s3rver overwrites). */
  noClobber?: boolean;
}

/** The S3 client options that work against s3rver for any endpoint (e.g. a fault proxy in front of it). */
export function s3ClientConfig(endpoint: string): S3ClientConfig & { endpoint: string } {
  return {
    endpoint,
    region: S3_REGION,
    credentials: { ...S3RVER_CREDENTIALS },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * s3rver runs in a child Node with `--openssl-legacy-provider`: it makes ListObjectsV2 continuation tokens
 * with DES, which OpenSSL 3 refuses without it (every truncated listing would answer 500 InternalError).
 * The child prints its port, and exits when its stdin closes (at `stop`, or when this process dies).
 */
const S3RVER_CHILD = `
const S3rver = require(process.argv[1]);
const options = JSON.parse(process.argv[2]);
new S3rver({ ...options, address: '127.0.0.1', port: 0, silent: true }).run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

interface S3rverChild {
  port: number;
  stop(): Promise<void>;
}

function spawnS3rver(directory: string, buckets: string[]): Promise<S3rverChild> {
  const s3rverMain = createRequire(import.meta.url).resolve('s3rver');
  const options = JSON.stringify({ directory, configureBuckets: buckets.map((name) => ({ name })) });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_CHILD, s3rverMain, options], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.stdin.end();
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ port: (JSON.parse(line) as { port: number }).port, stop });
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`s3rver exited before listening: ${err.trim()}`)));
  });
}

/**
 * s3rver on 127.0.0.1 (free port, silent, new temp folder) with `buckets` created, behind the S3 wrapper
 * (whole request bodies or nothing; `If-None-Match: *` honoured unless `noClobber: false`).
 */
export async function startS3(opts: StartS3Options = {}): Promise<S3Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-s3-'));
  let server: S3rverChild | undefined;
  let wrapper: HttpServerHandle | undefined;
  const stop = async (): Promise<void> => {
    await wrapper?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    server = await spawnS3rver(dir, opts.buckets ?? ['lake']);
    const serverEndpoint = `http://127.0.0.1:${server.port}`;
    wrapper = await startS3Wrapper(serverEndpoint, opts.noClobber ?? true);
    const endpoint = wrapper.endpoint;
    return {
      endpoint,
      serverEndpoint,
      credentials: { ...S3RVER_CREDENTIALS },
      env: {
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_REGION: S3_REGION,
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      },
      clientConfig: s3ClientConfig(endpoint),
      dir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** An S3 XML error body, as S3 sends it. */
export function s3ErrorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const fields = { Code: code, Message: message, ...extra, RequestId: randomBytes(8).toString('hex').toUpperCase() };
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${body}</Error>`;
}

interface HttpServerHandle {
  endpoint: string;
  stop(): Promise<void>;
}

async function listenLoopback(server: NetServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The whole request body, or undefined when the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(req.complete ? Buffer.concat(chunks) : undefined));
  });
}

/** The object path (`/bucket/key`) of a write that `If-None-Match: *` guards, if `req` is one. */
function noClobberPath(req: IncomingMessage): string | undefined {
  if (req.headers['if-none-match'] !== '*') return undefined;
  const url = new URL(req.url ?? '/', 'http://wrapper');
  if (url.pathname.split('/').filter(Boolean).length < 2) return undefined;
  const q = url.searchParams;
  const putObject = req.method === 'PUT' && !q.has('uploadId') && !req.headers['x-amz-copy-source'];
  const completeMultipart = req.method === 'POST' && q.has('uploadId');
  return putObject || completeMultipart ? url.pathname : undefined;
}

/**
 * The wrapper that gives s3rver the S3 semantics the lake relies on:
 * - all or nothing: a request body is read in full before it goes to s3rver, so a request cut mid-body never
 *   reaches it. (s3rver streams a PUT body straight into the object's file: a cut upload would leave a
 *   truncated object under its key, and a truncated part inside a multipart upload.)
 * - no clobber (`noClobber`): a PutObject (PUT without `uploadId` or `x-amz-copy-source`) or a
 *   CompleteMultipartUpload (POST `?uploadId=`) with `If-None-Match: *` on a key that exists answers 412
 *   `PreconditionFailed`. Conditional writes of one key are serialized (check, write, response), so of two
 *   racing writers exactly one wins, as on S3.
 * Everything else goes to s3rver unchanged (path-style `/bucket/key`, all headers); responses stream back.
 */
async function startS3Wrapper(target: string, noClobber: boolean): Promise<HttpServerHandle> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const keyLocks = new Map<string, Promise<void>>();

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> =>
    new Promise((done) => {
      res.on('close', () => done());
      // The body is complete: s3rver need not ask for it with 100 Continue.
      const { expect: _expect, ...headers } = req.headers;
      const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.rawHeaders);
        upRes.pipe(res);
      });
      up.on('error', (err) => {
        if (res.headersSent) res.destroy(err);
        else sendError(res, 502, 'InternalError', `S3 wrapper: s3rver unreachable: ${err.message}`);
      });
      up.end(body);
    });

  const exists = (path: string): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const head = request({ host: upstream.hostname, port: upstream.port, method: 'HEAD', path, agent }, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      });
      head.on('error', reject);
      head.end();
    });

  /** Runs `fn` after every earlier call for the same key has finished. */
  const serialized = (key: string, fn: () => Promise<void>): Promise<void> => {
    const mine = (keyLocks.get(key) ?? Promise.resolve()).then(fn);
    const settled = mine.catch(() => undefined);
    keyLocks.set(key, settled);
    void settled.then(() => {
      if (keyLocks.get(key) === settled) keyLocks.delete(key);
    });
    return mine;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (!body) {
      res.destroy();
      return;
    }
    const guarded = noClobber ? noClobberPath(req) : undefined;
    if (!guarded) return forward(req, body, res);
    await serialized(guarded, async () => {
      if (await exists(guarded)) {
        sendError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
          Condition: 'If-None-Match',
        });
      } else await forward(req, body, res);
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => res.destroy(err instanceof Error ? err : undefined));
  });
  const port = await listenLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
      agent.destroy();
    },
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const xml = s3ErrorXml(code, message, extra);
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

// ---------------------------------------------------------------------------------------------------------
// Fault proxy

/** The first line of one request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/lake/telemetry/part-1.parquet?x-id=PutObject`. */
  path: string;
}

/** Which requests a fault applies to (default: any). */
export type RequestMatch = (req: SeenRequest) => boolean;

export interface FaultOptions {
  /** How many matching requests get the fault (default 1). */
  times?: number;
  match?: RequestMatch;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the target. */
  endpoint: string;
  /**
   * Cut the next matching connection(s) after `bytes` bytes of the request went upstream (HTTP head
   * included): the server gets a truncated body, the client a reset connection.
   */
  cutUpload(bytes: number, opts?: FaultOptions): void;
  /** Cut the next matching connection(s) after `bytes` bytes of the response reached the client (head included). */
  cutDownload(bytes: number, opts?: FaultOptions): void;
  /**
   * Answer the next matching request(s) with `status` and an S3 XML error (default code: 503 `SlowDown`,
   * 500 `InternalError`), without reaching the target.
   */
  failRequests(status: number, opts?: FaultOptions & { code?: string }): void;
  /** Hold every request this long before forwarding it (0: none). */
  setLatency(ms: number): void;
  /** Close the listening port and every open connection: clients get ECONNREFUSED until `up`. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** What the proxy saw since start (or `resetStats`). */
  readonly stats: { connections: number; requests: SeenRequest[]; faults: number };
  resetStats(): void;
  /** Drop all armed faults and latency. */
  clearFaults(): void;
  stop(): Promise<void>;
}

const DEFAULT_ERROR_CODES: Record<number, [string, string]> = {
  500: ['InternalError', 'We encountered an internal error. Please try again.'],
  503: ['SlowDown', 'Please reduce your request rate.'],
};

interface ArmedFault {
  kind: 'cut-upload' | 'cut-download' | 'status';
  left: number;
  match: RequestMatch;
  bytes: number;
  status: number;
  code: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** Requests are read up to the end of their head; a longer head than this is a broken client. */
const MAX_HEAD = 64 * 1024;

/** A data handler copying `from` to `to` (with backpressure) until `limit` bytes have passed, then `cut`. */
function relay(from: Socket, to: Socket, limit: number, cut: () => void): (chunk: Buffer) => void {
  let left = limit;
  return (chunk) => {
    if (chunk.length < left) {
      left -= chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      return;
    }
    to.write(chunk.subarray(0, left), cut);
    left = 0;
    from.pause();
  };
}

/**
 * A TCP proxy to `target` (`http://host:port`). It reads each request's head, makes the connection carry
 * that one request only (`Connection: close`), so "the next request" and "the next connection" are the same
 * and every fault lands on a known request. Faults are armed by the test and consumed in order by the next
 * matching requests: nothing depends on timing.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const upstreamPort = Number(upstream.port || 80);
  const faults: ArmedFault[] = [];
  const sockets = new Set<Socket>();
  const stats = { connections: 0, requests: [] as SeenRequest[], faults: 0 };
  let latencyMs = 0;

  const arm = (fault: Omit<ArmedFault, 'left' | 'match'>, opts: FaultOptions = {}): void => {
    faults.push({ ...fault, left: opts.times ?? 1, match: opts.match ?? (() => true) });
  };
  const take = (req: SeenRequest): ArmedFault | undefined => {
    const i = faults.findIndex((f) => f.match(req));
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.left <= 0) faults.splice(i, 1);
    stats.faults++;
    return f;
  };

  const handle = (client: Socket): void => {
    stats.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        if (head.length > MAX_HEAD) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const rest = head.subarray(end + HEAD_END.length);
      const [requestLine, ...headerLines] = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', path = ''] = requestLine.split(' ');
      const seen = { method, path };
      stats.requests.push(seen);
      const fault = take(seen);
      const kept = headerLines.filter((l) => !/^(connection|keep-alive|proxy-connection)\s*:/i.test(l));
      const rewritten = Buffer.from([requestLine, ...kept, 'Connection: close', '', ''].join('\r\n'), 'latin1');
      const go = (): void => {
        if (client.destroyed) return;
        if (fault?.kind === 'status') answer(client, method, fault);
        else pipeThrough(client, Buffer.concat([rewritten, rest]), fault);
      };
      if (latencyMs > 0) setTimeout(go, latencyMs);
      else go();
    };
    client.on('data', onData);
  };

  /** An injected error response; the connection then closes (the rest of the request body is discarded). */
  const answer = (client: Socket, method: string, fault: ArmedFault): void => {
    const body = method === 'HEAD' ? '' : s3ErrorXml(fault.code, DEFAULT_ERROR_CODES[fault.status]?.[1] ?? 'Injected fault.');
    const len = Buffer.byteLength(body);
    client.on('data', () => undefined);
    client.resume();
    client.end(
      `HTTP/1.1 ${fault.status} Injected\r\nContent-Type: application/xml\r\nContent-Length: ${len}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  };

  const pipeThrough = (client: Socket, first: Buffer, fault: ArmedFault | undefined): void => {
    const server = connect(upstreamPort, upstream.hostname);
    sockets.add(server);
    const cutBoth = (): void => {
      client.destroy();
      server.destroy();
    };
    server.on('close', () => {
      sockets.delete(server);
      client.end();
    });
    server.on('error', cutBoth);
    client.on('close', () => server.destroy());
    // Each direction forwards everything, or `bytes` bytes under its cut fault and then drops both sides.
    const sendUp = relay(client, server, fault?.kind === 'cut-upload' ? fault.bytes : Infinity, cutBoth);
    sendUp(first);
    client.on('data', sendUp);
    client.on('end', () => server.end());
    client.resume();
    server.on('data', relay(server, client, fault?.kind === 'cut-download' ? fault.bytes : Infinity, cutBoth));
  };

  let listener = createTcpServer(handle);
  const port = await listenLoopback(listener);
  const endpoint = `http://127.0.0.1:${port}`;
  const dropAll = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  return {
    endpoint,
    cutUpload: (bytes, opts) => arm({ kind: 'cut-upload', bytes, status: 0, code: '' }, opts),
    cutDownload: (bytes, opts) => arm({ kind: 'cut-download', bytes, status: 0, code: '' }, opts),
    failRequests: (status, opts = {}) =>
      arm({ kind: 'status', bytes: 0, status, code: opts.code ?? DEFAULT_ERROR_CODES[status]?.[0] ?? 'InternalError' }, opts),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    down: async () => {
      if (!listener.listening) return;
      const closed = closeServer(listener);
      dropAll();
      await closed;
    },
    up: async () => {
      if (listener.listening) return;
      listener = createTcpServer(handle);
      await listenLoopback(listener, port);
    },
    get stats() {
      return stats;
    },
    resetStats: () => {
      stats.connections = 0;
      stats.requests = [];
      stats.faults = 0;
    },
    clearFaults: () => {
      faults.length = 0;
      latencyMs = 0;
    },
    stop: async () => {
      const closed = listener.listening ? closeServer(listener) : Promise.resolve();
      dropAll();
      await closed;
    },
  };
}
