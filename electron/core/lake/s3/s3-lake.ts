// About 450 lines on purpose: one class per backend of the Lake interface, as local-lake.ts; its cache
// bookkeeping lives in lake-cache.ts and its locking in s3-lock.ts.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LakePin, LakePullReport, LakeStatus } from '../../../../shared/api/storage';
import { errorMessage, WorkbenchError } from '../../../../shared/api/errors';
import { forEachLimit } from '../../system/for-each-limit';
import { killPoint } from '../../system/kill-switch';
import { mkdirDurable, publishFile, tempPathFor, TEMP_PREFIX } from '../../files/atomic';
import { coverageOf, type LakeProgress } from '../coverage';
import {
  checkKey,
  confirmObject,
  partitionOf,
  type Lake,
  type LakeEntry,
  type LakeFile,
  type LakeWriterLock,
  type StagedFile,
} from '../lake';
import { LocalLake } from '../local-lake';
import { liveFiles, MANIFESTS_FOLDER, parseManifest, sha256File, writeWithdrawal, type BatchManifest } from '../manifest';
import { LakeCache } from './lake-cache';
import { createS3Client, type RetryCounter, type S3ClientOptions } from './s3-client';
import { isOfflineError, s3Error } from './s3-errors';
import type { S3Location } from './s3-location';
import { takeS3WriterLock } from './s3-lock';

/** Files above this go up in parts (of PART_SIZE, QUEUE_SIZE at a time: the memory bound of an upload). */
export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const PART_SIZE = 12 * 1024 * 1024;
export const QUEUE_SIZE = 4;
/** Concurrent object downloads of a pull. */
const PULL_CONCURRENCY = 4;
/** Attempts per download (a connection cut mid-body is not retried by the SDK). */
const DOWNLOAD_ATTEMPTS = 4;

export interface S3LakeOptions extends S3ClientOptions {
  /** Tests: the base of the backoff between download attempts (ms). */
  backoffMs?: number;
  /** Tests and benchmarks: multipart above this many bytes, in parts of `partSize` (default 64 MB, 12 MB). */
  multipartThreshold?: number;
  partSize?: number;
}

/**
 * The lake in an S3 bucket (or MinIO, Ceph, R2), read through a verified local cache. Writers stage files in
 * the cache folder; `publish` uploads them no-clobber (`If-None-Match: *`, plus a HEAD first for stores that
 * ignore the header) with a SHA-256 checksum, confirms size and checksum with a HEAD, and keeps the local copy.
 * Readers see the manifests' live files; DuckDB reads only their cached copies (`readable`, `localPath`), so
 * everything the cache covers works offline. Anything that needs S3 while the endpoint is out of reach fails at
 * once with LAKE_OFFLINE.
 */
export class S3Lake implements Lake {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly retries: RetryCounter = { retries: 0 };
  private readonly client: S3Client;
  /** One attempt, short timeout: how an offline lake is noticed at once. */
  private readonly probeClient: S3Client;
  /** The cache folder, laid out as a local lake (keys → files); staging and temps live there too. */
  private readonly local: LocalLake;
  readonly cache: LakeCache;
  private online: boolean | null = null;
  private readonly backoffMs: number;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(
    readonly loc: S3Location,
    readonly cacheDir: string,
    opts: S3LakeOptions = {},
  ) {
    this.location = loc.url;
    this.client = createS3Client(loc, opts, this.retries);
    this.probeClient = createS3Client(loc, { ...opts, maxAttempts: 1, connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000 });
    this.local = new LocalLake(cacheDir);
    this.cache = new LakeCache(cacheDir, loc.url);
    this.backoffMs = opts.backoffMs ?? 200;
    this.multipartThreshold = opts.multipartThreshold ?? MULTIPART_THRESHOLD;
    this.partSize = opts.partSize ?? PART_SIZE;
  }

  private remoteKey(key: string): string {
    return this.loc.prefix + key;
  }

  localPath(key: string): string {
    return this.local.localPath(key);
  }

  /** Storage classes a query can read at once (no restore): Glacier Flexible Retrieval and Deep Archive are never offered. */
  readonly tiers: readonly string[] = S3_TIERS;

  /**
   * The storage class changes in place: a copy of the object onto itself with the new class, on the condition that it is
   * still the object verified here (its ETag), keeping its SHA-256 metadata and content type. The cached copy stays valid.
   */
  async copyToTier(key: string, tier: string, want: { bytes: number; sha256: string }): Promise<void> {
    if (!S3_TIERS.includes(tier) || tier === S3_TIERS[0])
      throw new WorkbenchError('BAD_INPUT', `An S3 lake's colder tiers are ${S3_TIERS.slice(1).join(' and ')}, not "${tier}".`);
    const head = await this.head(key);
    if (!head) throw new WorkbenchError('LAKE_ERROR', `${key} is not in the lake at ${this.location}: it cannot change tier.`);
    if ((head.StorageClass ?? S3_TIERS[0]) === tier) return;
    const sha = head.Metadata?.sha256 ?? null;
    if (head.ContentLength !== want.bytes || (sha !== null && sha !== want.sha256))
      throw new WorkbenchError('CONFLICT', `${key} in S3 is not the file its manifest names (size or SHA-256 differ): it is not moved.`);
    await this.call(`change the storage class of ${key} to ${tier}`, (c) =>
      c.send(
        new CopyObjectCommand({
          Bucket: this.loc.bucket,
          Key: this.remoteKey(key),
          CopySource: encodeURI(`${this.loc.bucket}/${this.remoteKey(key)}`),
          ...(head.ETag ? { CopySourceIfMatch: head.ETag } : {}),
          StorageClass: tier as StorageClass,
          MetadataDirective: 'REPLACE',
          Metadata: { sha256: want.sha256 },
          ContentType: head.ContentType ?? 'application/vnd.apache.parquet',
        }),
      ),
    );
  }

  async settleTier(): Promise<void> {
    // One object changed class in place: there is no other copy to drop.
  }

  /** The object's HEAD (with its stored checksum when asked), or null when it is absent. */
  private async head(key: string, checksum = false): Promise<HeadObjectCommandOutput | null> {
    checkKey(key);
    try {
      return await this.call(`look up ${key}`, (c) =>
        c.send(
          new HeadObjectCommand({
            Bucket: this.loc.bucket,
            Key: this.remoteKey(key),
            ...(checksum ? { ChecksumMode: 'ENABLED' as const } : {}),
          }),
        ),
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** One request to S3, with the lake's error words; an unreachable endpoint marks the lake offline. */
  private async call<T>(what: string, fn: (client: S3Client) => Promise<T>): Promise<T> {
    if (this.online === false) await this.requireOnline(what);
    try {
      const out = await fn(this.client);
      await this.contact(null);
      return out;
    } catch (err) {
      if (isOfflineError(err)) await this.contact(err);
      throw s3Error(what, this.location, err);
    }
  }

  private async contact(err: unknown): Promise<void> {
    this.online = err === null;
    await this.cache.noteContact(err === null ? null : errorMessage(err));
  }

  /** Whether the endpoint answers now (one quick request); records the outcome. */
  async probe(): Promise<boolean> {
    try {
      // A listing, not a HEAD: its error has a body that names the problem (a HEAD's 403 says only "Unknown").
      await this.probeClient.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: this.loc.prefix, MaxKeys: 1 }));
      await this.contact(null);
      return true;
    } catch (err) {
      if (isOfflineError(err)) {
        await this.contact(err);
        return false;
      }
      const e = s3Error('be reached', this.location, err);
      await this.cache.noteContact(e.message);
      throw e;
    }
  }

  /** For jobs that need S3: fails at once, saying so, when the endpoint is out of reach. */
  async requireOnline(what: string): Promise<void> {
    if (await this.probe()) return;
    const last = await this.cache.lastContact();
    throw new WorkbenchError(
      'LAKE_OFFLINE',
      `The S3 lake ${this.location} is offline, so it could not ${what}. Queries over the cached days keep working.`,
      `Last successful contact: ${last ?? 'never'}.`,
    );
  }

  async ensure(): Promise<void> {
    await this.local.ensure();
    await this.cache.load();
    // Never an error at open: offline, the cache serves; refused credentials or a missing bucket are recorded
    // (status shows them) and every job that needs S3 fails with them.
    try {
      if (await this.probe()) await this.refresh();
    } catch (err) {
      await this.cache.noteContact(errorMessage(err));
    }
  }

  /** New manifests from S3 into the index (manifest keys are listed; only unseen ones are read). */
  async refresh(): Promise<void> {
    const remote = await this.listRemote(MANIFESTS_FOLDER + '/');
    const keys = new Set(remote.filter((o) => o.key.endsWith('.json')).map((o) => o.key));
    const known = await this.cache.manifestKeys();
    const fresh = [...keys].filter((k) => !known.has(k));
    const read: { key: string; manifest: BatchManifest }[] = [];
    await forEachLimit(fresh, 8, async (key) => {
      const text = Buffer.from(await this.getBytes(key)).toString('utf8');
      read.push({ key, manifest: parseManifest(text) ?? unreadableManifest() });
    });
    await this.cache.setManifests(
      read,
      [...known].filter((k) => !keys.has(k)),
    );
  }

  async datasets(): Promise<string[]> {
    const live = liveFiles(await this.cache.manifests());
    return [...new Set([...live.keys()].map((k) => k.split('/')[0]))].sort();
  }

  async list(dataset: string): Promise<LakeFile[]> {
    return liveList(await this.cache.manifests(dataset), dataset);
  }

  async readable(dataset: string): Promise<LakeFile[]> {
    const files = await this.list(dataset);
    const ok = await this.cached(files.map((f) => f.key));
    return files.filter((f) => ok.has(f.key));
  }

  async listEntries(folder?: string): Promise<LakeEntry[]> {
    if (folder !== undefined) checkKey(folder);
    const remote = (await this.listRemote(folder === undefined ? '' : `${folder}/`)).map((o): LakeEntry => {
      const name = o.key.split('/').pop() ?? '';
      const temp = name.startsWith(TEMP_PREFIX);
      return {
        key: o.key,
        size: o.size,
        modifiedAt: o.modifiedAt,
        kind: temp ? 'temp' : !name.startsWith('.') && name.endsWith('.parquet') ? 'data' : 'other',
        ...(temp ? { writerAlive: false } : {}),
      };
    });
    // The cache's own temps (staged files, downloads) belong to this machine's writers.
    const localTemps = (await this.local.listEntries(folder)).filter((e) => e.kind === 'temp');
    return [...remote, ...localTemps].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async manifests(dataset?: string): Promise<{ key: string; manifest: BatchManifest }[]> {
    if (this.online !== false) {
      try {
        await this.refresh();
      } catch (err) {
        if (!isOfflineError(err)) throw err;
      }
    }
    return this.cache.manifests(dataset);
  }

  async manifestKeys(dataset?: string): Promise<string[]> {
    const prefix = dataset === undefined ? `${MANIFESTS_FOLDER}/` : `${MANIFESTS_FOLDER}/${dataset}/`;
    return [...(await this.cache.manifestKeys())].filter((k) => k.startsWith(prefix)).sort();
  }

  async readManifest(key: string): Promise<BatchManifest | null> {
    return this.cache.manifest(key);
  }

  async cached(keys: readonly string[]): Promise<Set<string>> {
    return this.cache.verifiedKeys(keys, (k) => this.localPath(k));
  }

  async read(key: string): Promise<Uint8Array> {
    checkKey(key);
    if ((await this.cache.verifiedKeys([key], (k) => this.localPath(k))).has(key)) return readFile(this.localPath(key));
    return this.getBytes(key);
  }

  private async getBytes(key: string): Promise<Uint8Array> {
    return this.call(`read ${key}`, async (c) => {
      const out = await c.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.remoteKey(key) }));
      return out.Body ? out.Body.transformToByteArray() : new Uint8Array();
    });
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    checkKey(key);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const isManifest = key.startsWith(MANIFESTS_FOLDER + '/');
    try {
      // Manifests are never replaced (their keys are unique per batch): a second writer of one is refused.
      await this.putObject(key, body, isManifest);
    } catch (err) {
      if (!(isManifest && err instanceof WorkbenchError && err.code === 'CONFLICT')) throw err;
      // A resumed writer writing its own manifest again: fine when the lake's copy records the same files.
      const theirs = parseManifest(Buffer.from(await this.getBytes(key)).toString('utf8'));
      const mine = parseManifest(body.toString('utf8'));
      if (!theirs || !mine || !sameBatch(theirs, mine)) throw err;
    }
    if (isManifest) {
      const m = parseManifest(body.toString('utf8'));
      if (m) await this.cache.setManifests([{ key, manifest: m }], []);
    }
  }

  private async putObject(key: string, body: Buffer, noClobber: boolean): Promise<void> {
    const sha = createHash('sha256').update(body).digest();
    if (noClobber && (await this.exists(key))) throw exists(key);
    await this.call(`write ${key}`, (c) =>
      c.send(
        new PutObjectCommand({
          Bucket: this.loc.bucket,
          Key: this.remoteKey(key),
          Body: body,
          ContentLength: body.length,
          ChecksumSHA256: sha.toString('base64'),
          Metadata: { sha256: sha.toString('hex') },
          ...(noClobber ? { IfNoneMatch: '*' } : {}),
        }),
      ),
    ).catch((err: unknown) => {
      throw err instanceof WorkbenchError && err.code === 'CONFLICT' ? exists(key) : err;
    });
  }

  async stage(key: string): Promise<StagedFile> {
    return this.local.stage(key);
  }

  async publish(staged: StagedFile): Promise<LakeFile> {
    checkKey(staged.key);
    const s = await stat(staged.path).catch(() => null);
    if (!s?.isFile()) throw new WorkbenchError('LAKE_ERROR', `The staged file for ${staged.key} is missing; nothing was published.`);
    const sha256 = staged.sha256 ?? (await sha256File(staged.path));
    // The header is the real guard (S3, MinIO, R2 refuse with 412); the HEAD first also covers stores that ignore it.
    if (await this.exists(staged.key)) throw exists(staged.key);
    await this.upload(staged.key, staged.path, s.size, sha256);
    if (!(await confirmObject(this, staged.key, { bytes: s.size, sha256 }))) {
      throw new WorkbenchError(
        'LAKE_ERROR',
        `The S3 lake holds ${staged.key} with another size or checksum than the file uploaded; it is left for lake check.`,
      );
    }
    // Fault tests: killed with the object uploaded and confirmed, its local copy not yet in the cache.
    killPoint('lake', 'uploaded');
    // The uploaded file becomes the cache's verified copy.
    const path = this.localPath(staged.key);
    await rm(path, { force: true });
    await publishFile(staged.path, path);
    const after = await stat(path);
    await this.cache.recordCached(staged.key, { size: after.size, mtimeMs: after.mtimeMs, sha256 }, true);
    return { key: staged.key, dataset: staged.key.split('/')[0], partition: partitionOf(staged.key), size: s.size, modifiedAt: new Date() };
  }

  private async upload(key: string, path: string, size: number, sha256: string): Promise<void> {
    const base = {
      Bucket: this.loc.bucket,
      Key: this.remoteKey(key),
      IfNoneMatch: '*',
      Metadata: { sha256 },
      ContentType: 'application/vnd.apache.parquet',
    };
    await this.call(`upload ${key}`, async (c) => {
      if (size <= this.multipartThreshold) {
        // Small files go up from memory: a retried request can send the body again.
        const body = await readFile(path);
        await c.send(
          new PutObjectCommand({ ...base, Body: body, ContentLength: size, ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64') }),
        );
        return;
      }
      // Parts of PART_SIZE, QUEUE_SIZE in flight, each with its own SHA-256; the whole file's is in the metadata.
      const upload = new Upload({
        client: c,
        params: { ...base, Body: createReadStream(path, { highWaterMark: 1024 * 1024 }), ChecksumAlgorithm: 'SHA256', ContentLength: size },
        partSize: this.partSize,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      await upload.done();
    }).catch((err: unknown) => {
      throw err instanceof WorkbenchError && err.code === 'CONFLICT' ? exists(key) : err;
    });
  }

  async describe(key: string): Promise<{ bytes: number; sha256: string | null } | null> {
    const head = await this.head(key, true);
    if (!head) return null;
    const meta = head.Metadata?.sha256 ?? null;
    const checksum = head.ChecksumSHA256;
    // A multipart object's checksum is a checksum of its parts' (`...-N`): the metadata speaks for the whole.
    const whole = checksum && !checksum.includes('-') ? Buffer.from(checksum, 'base64').toString('hex') : null;
    if (meta !== null && whole !== null && meta !== whole) return { bytes: head.ContentLength ?? 0, sha256: null };
    return { bytes: head.ContentLength ?? 0, sha256: meta ?? whole };
  }

  retryCount(): number {
    return this.retries.retries;
  }

  async discard(staged: StagedFile): Promise<void> {
    await this.local.discard(staged);
  }

  async withdraw(dataset: string, keys: readonly string[], reason: string): Promise<void> {
    await writeWithdrawal(this, dataset, keys, reason);
  }

  async remove(key: string): Promise<void> {
    checkKey(key);
    if ((key.split('/').pop() ?? '').startsWith(TEMP_PREFIX)) {
      await this.local.remove(key);
      return;
    }
    await this.call(`remove ${key}`, (c) => c.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.remoteKey(key) })));
    await rm(this.localPath(key), { force: true });
    await this.cache.forget([key]);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.describe(key)) !== null;
  }

  async removeDataset(dataset: string): Promise<void> {
    checkKey(dataset);
    for (const folder of [`${dataset}/`, `${MANIFESTS_FOLDER}/${dataset}/`]) {
      const objects = await this.listRemote(folder);
      await forEachLimit(objects, 8, (o) =>
        this.call(`remove ${o.key}`, (c) => c.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.remoteKey(o.key) }))),
      );
    }
    await this.local.removeDataset(dataset);
    await this.cache.forgetDataset(dataset);
  }

  async lockWriter(owner: string): Promise<LakeWriterLock> {
    await this.requireOnline('take the lake-writer lock');
    return takeS3WriterLock(this, owner);
  }

  /** Raw object access for the writer lock (s3-lock.ts). */
  async getObjectText(key: string): Promise<string | null> {
    try {
      return Buffer.from(await this.getBytes(key)).toString('utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async putObjectText(key: string, text: string, noClobber: boolean): Promise<void> {
    await this.putObject(key, Buffer.from(text, 'utf8'), noClobber);
  }

  /** Every object under a prefix of the lake (keys relative to the lake). */
  private async listRemote(folder: string): Promise<{ key: string; size: number; modifiedAt: Date }[]> {
    const out: { key: string; size: number; modifiedAt: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`list ${folder || 'the lake'}`, (c) =>
        c.send(
          new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: this.remoteKey(folder), ContinuationToken: token, MaxKeys: 1000 }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({ key: o.Key.slice(this.loc.prefix.length), size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async fetch(keys: readonly string[]): Promise<void> {
    const want = await this.cache.verifiedKeys(keys, (k) => this.localPath(k));
    const live = liveFiles(await this.cache.manifests());
    const missing = keys.filter((k) => !want.has(k));
    await forEachLimit(missing, PULL_CONCURRENCY, async (key) => {
      await this.download(key, live.get(key)?.file.sha256 ?? null, live.get(key)?.file.bytes);
    });
    await this.cache.save();
  }

  /** GETs one object into the cache, hashing as it streams; retried with backoff when the connection breaks mid-body. */
  private async download(key: string, wantSha: string | null, wantBytes?: number): Promise<number> {
    const path = this.localPath(key);
    await mkdirDurable(path.slice(0, path.lastIndexOf('/')));
    // A copy a killed run left without its bookkeeping is adopted when its hash matches.
    const present = await stat(path).catch(() => null);
    if (present?.isFile() && wantSha && present.size === wantBytes && (await sha256File(path)) === wantSha) {
      await this.cache.recordCached(key, { size: present.size, mtimeMs: present.mtimeMs, sha256: wantSha });
      return 0;
    }
    for (let attempt = 1; ; attempt++) {
      const temp = tempPathFor(path);
      try {
        const hash = createHash('sha256');
        const out = await this.call(`download ${key}`, (c) =>
          c.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.remoteKey(key) })),
        );
        // The body streams after the request succeeded: a cut here is retried below, the lake is not offline.
        await pipeline(
          out.Body as Readable,
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              hash.update(chunk);
              cb(null, chunk);
            },
          }),
          createWriteStream(temp),
        );
        const got = { meta: out.Metadata?.sha256 ?? null };
        const sha = hash.digest('hex');
        const expected = wantSha ?? got.meta;
        if (expected !== null && expected !== '' && sha !== expected) {
          throw new WorkbenchError('LAKE_ERROR', `${key} from S3 does not match its manifest's SHA-256 (got ${sha.slice(0, 12)}…).`);
        }
        await rename(temp, path);
        const s = await stat(path);
        await this.cache.recordCached(key, { size: s.size, mtimeMs: s.mtimeMs, sha256: sha });
        return s.size;
      } catch (err) {
        await rm(temp, { force: true });
        // A body cut mid-stream (not a WorkbenchError) is retried; so is a server error the SDK gave up on. Offline is not.
        const retryable = !(err instanceof WorkbenchError) || /^server:/.test(err.detail ?? '');
        if (attempt >= DOWNLOAD_ATTEMPTS || !retryable)
          throw err instanceof WorkbenchError ? err : s3Error(`download ${key}`, this.location, err);
        this.retries.retries++;
        await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  /** `lake pull`: the cache gets every live file in scope (manifest-driven: only new or changed ones are fetched). */
  async pull(
    scope: { dataset?: string; from?: string; to?: string; auto?: boolean } = {},
    onProgress?: (p: LakeProgress) => void,
    signal?: AbortSignal,
  ): Promise<LakePullReport> {
    const started = performance.now();
    const retriesBefore = this.retries.retries;
    const report = (
      fetched: number,
      bytes: number,
      already: number,
      refetched: number,
      evicted: number,
      skipped = 0,
    ): Promise<LakePullReport> =>
      this.status().then((status) => ({
        location: this.location,
        fetched,
        fetchedBytes: bytes,
        alreadyCached: already,
        refetched,
        evicted,
        skipped,
        retries: this.retries.retries - retriesBefore,
        elapsedMs: Math.round(performance.now() - started),
        status,
      }));
    // The background mirror finds the lake offline quietly (status says so); an asked-for pull fails at once.
    if (scope.auto && !(await this.probe())) return report(0, 0, 0, 0, 0);
    await this.requireOnline('pull');
    await this.refresh();
    const live = [...liveFiles(await this.cache.manifests(scope.dataset))].filter(([key]) => inScope(key, scope));
    const verified = await this.cache.verifiedKeys(
      live.map(([k]) => k),
      (k) => this.localPath(k),
    );
    const refetch = await this.cache.suspectKeys();
    const { todo, skipped } = await this.withinCap(live.filter(([k]) => !verified.has(k)));
    const total = todo.reduce((a, [, f]) => a + f.file.bytes, 0);
    let done = 0;
    let bytes = 0;
    await forEachLimit(todo, PULL_CONCURRENCY, async ([key, f]) => {
      if (signal?.aborted) throw new WorkbenchError('CANCELLED', 'The pull was cancelled; the files fetched so far stay cached.');
      const got = await this.download(key, f.file.sha256 || null, f.file.bytes);
      bytes += got;
      done++;
      onProgress?.({ files: done, totalFiles: todo.length, bytes, totalBytes: total });
    });
    await this.cache.save();
    const evicted = await this.cache.evict(this.loc.cacheMaxBytes, (k) => this.localPath(k));
    return report(todo.length, bytes, live.length - todo.length - skipped, todo.filter(([k]) => refetch.has(k)).length, evicted, skipped);
  }

  /**
   * With a cache cap: the pinned files always, then the newest days while they fit; the rest is skipped (status
   * says which days are not cached). Without one: everything.
   */
  private async withinCap<T extends { file: { bytes: number } }>(todo: [string, T][]): Promise<{ todo: [string, T][]; skipped: number }> {
    const cap = this.loc.cacheMaxBytes;
    if (cap === null) return { todo, skipped: 0 };
    const pins = await this.cache.pins();
    const pinned = (k: string): boolean => this.cache.isPinned(pins, k);
    const day = (k: string): string => partitionOf(k).date ?? '';
    const ordered = [...todo].sort(([a], [b]) => Number(pinned(b)) - Number(pinned(a)) || (day(a) < day(b) ? 1 : day(a) > day(b) ? -1 : 0));
    let room = cap - (await this.cache.bytes());
    const chosen: [string, T][] = [];
    for (const entry of ordered) {
      if (pinned(entry[0]) || entry[1].file.bytes <= room) {
        chosen.push(entry);
        room -= entry[1].file.bytes;
      }
    }
    return { todo: chosen, skipped: todo.length - chosen.length };
  }

  async status(): Promise<LakeStatus> {
    const byDataset = new Map<string, LakeFile[]>();
    for (const f of liveList(await this.cache.manifests(), null)) {
      const list = byDataset.get(f.dataset) ?? [];
      list.push(f);
      byDataset.set(f.dataset, list);
    }
    const cachedKeys = await this.cache.verifiedKeys(
      [...byDataset.values()].flat().map((f) => f.key),
      (k) => this.localPath(k),
    );
    const datasets = [...byDataset].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ds, files]) => coverageOf(ds, files, cachedKeys));
    return {
      kind: 's3',
      location: this.location,
      online: this.online,
      lastContact: await this.cache.lastContact(),
      lastError: await this.cache.lastError(),
      cache: { dir: this.cacheDir, bytes: await this.cache.bytes(), maxBytes: this.loc.cacheMaxBytes, pins: await this.cache.pins() },
      datasets,
      complete: datasets.every((d) => d.daysCached === d.daysRemote),
    };
  }

  async pin(pin: LakePin): Promise<void> {
    await this.cache.addPin(pin);
  }

  async unpin(pin: LakePin): Promise<void> {
    await this.cache.removePin(pin);
  }
}

/** The storage classes an S3 lake's files may be in, warmest first: every one readable at once. */
export const S3_TIERS: readonly string[] = ['STANDARD', 'STANDARD_IA', 'GLACIER_IR'];

function isNotFound(err: unknown): boolean {
  return err instanceof WorkbenchError && /^not-found:/.test(err.detail ?? '');
}

function exists(key: string): WorkbenchError {
  return new WorkbenchError('CONFLICT', `The lake already has ${key}; it is never replaced.`);
}

function sameBatch(a: BatchManifest, b: BatchManifest): boolean {
  const files = (m: BatchManifest): string =>
    m.files
      .map((f) => `${f.key}:${f.sha256}`)
      .sort()
      .join(',');
  return a.batchId === b.batchId && a.dataset === b.dataset && files(a) === files(b);
}

function unreadableManifest(): BatchManifest {
  return { batchId: '', dataset: '', source: 'unreadable', writtenAt: '', rows: 0, files: [] };
}

/** The live files of (one dataset of) the manifests, as LakeFiles in key order. */
function liveList(manifests: readonly { manifest: BatchManifest }[], dataset: string | null): LakeFile[] {
  const out: LakeFile[] = [];
  const writtenAt = new Map(manifests.map(({ manifest }) => [manifest.batchId, manifest.writtenAt]));
  for (const [key, f] of liveFiles(manifests)) {
    const ds = key.split('/')[0];
    if (dataset !== null && ds !== dataset) continue;
    out.push({
      key,
      dataset: ds,
      partition: partitionOf(key),
      size: f.file.bytes,
      rows: f.file.rows,
      modifiedAt: new Date(writtenAt.get(f.batchId) ?? 0),
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function inScope(key: string, scope: { dataset?: string; from?: string; to?: string }): boolean {
  if (scope.dataset !== undefined && key.split('/')[0] !== scope.dataset) return false;
  const day = partitionOf(key).date;
  if (day === undefined) return scope.from === undefined && scope.to === undefined ? true : false;
  return (scope.from === undefined || day >= scope.from) && (scope.to === undefined || day <= scope.to);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
