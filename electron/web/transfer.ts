import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '../../shared/format';
import { downloadPath, type DownloadTicket } from '../../shared/api/web-auth';
import { publishFile, sweepStaleTempsIn, tempPathFor } from '../core/files/atomic';
import type { DownloadTickets } from './download-tickets';
import { resolveStaticFile, type StaticFile } from './static-files';

/** The largest upload the web host takes unless told otherwise (`--max-upload`). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 ** 3;
/** The free space an upload must leave on the disk. */
export const DEFAULT_UPLOAD_RESERVE_BYTES = 1024 ** 3;
/** Uploads older than this are removed when the web host starts. */
export const UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** While a body streams in, the free space is checked again after every this many bytes. */
const FREE_SPACE_CHECK_BYTES = 64 * 1024 ** 2;

export interface UploadLimits {
  maxBytes: number;
  reserveBytes: number;
}

/** A dropped file's name, made safe for the uploads folder (no path, no control characters). */
export function safeUploadName(name: string): string | null {
  const base = [...basename(name.replaceAll('\\', '/'))]
    .map((ch) => (ch.charCodeAt(0) < 32 || '<>:"|?*'.includes(ch) ? '_' : ch))
    .join('')
    .trim();
  if (!base || base === '.' || base === '..' || base.startsWith('.') || base.length > 200) return null;
  return base;
}

/** An upload refused by a limit: the HTTP status and the words to answer with. */
class UploadRefused extends Error {
  constructor(
    readonly status: 413 | 507,
    message: string,
  ) {
    super(message);
  }
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

function tooLarge(name: string, size: number | null, limits: UploadLimits): UploadRefused {
  return new UploadRefused(
    413,
    `${name}${size === null ? '' : ` (${formatBytes(size)})`} is larger than the web host's upload limit of ${formatBytes(limits.maxBytes)}; nothing was kept. ` +
      'Choose the file where it lies with "Add files…", or start the web host with a larger --max-upload.',
  );
}

/** Refused when `incoming` more bytes would leave less than the reserve free on the uploads disk. */
async function checkReserve(dir: string, name: string, incoming: number, limits: UploadLimits): Promise<void> {
  const free = await freeBytes(dir);
  if (free - incoming >= limits.reserveBytes) return;
  throw new UploadRefused(
    507,
    `${name}${incoming > 0 ? ` (${formatBytes(incoming)})` : ''} would leave less than ${formatBytes(limits.reserveBytes)} free on the disk holding ${dir} ` +
      `(${formatBytes(free)} free); nothing was kept. Free some space, or choose the file where it lies with "Add files…".`,
  );
}

/**
 * Counts the body as it streams: past the cap it fails (a body sent without Content-Length, chunked), and
 * every FREE_SPACE_CHECK_BYTES it checks the disk again (other writers share it).
 */
function limitedBody(dir: string, name: string, limits: UploadLimits): Transform {
  let total = 0;
  let checkedAt = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) return done(tooLarge(name, null, limits));
      if (total - checkedAt < FREE_SPACE_CHECK_BYTES) return done(null, chunk);
      checkedAt = total;
      checkReserve(dir, name, 0, limits).then(
        () => done(null, chunk),
        (err: Error) => done(err),
      );
    },
  });
}

/**
 * PUT /upload?name=<file name>: the browser's way to hand a dropped file to the core, which runs on
 * this same machine but cannot see the browser's files. The body streams to a temp name in the
 * uploads folder and is published under a fresh, unique name; the answer is `{ path }`.
 * Refused up front (from Content-Length) or as soon as the body shows it: over `limits.maxBytes` (413),
 * or leaving less than `limits.reserveBytes` free on the disk (507). A refused or broken upload leaves nothing.
 */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  uploadsDir: string,
  limits: UploadLimits,
): Promise<void> {
  const name = safeUploadName(url.searchParams.get('name') ?? '');
  if (name === null) {
    req.resume();
    return sendJson(res, 400, { error: 'The upload needs a plain file name (?name=readings.csv).' });
  }
  const declaredText = req.headers['content-length'];
  const declared = declaredText === undefined ? null : Number(declaredText);
  const dir = join(uploadsDir, randomUUID());
  const finalPath = join(dir, name);
  const tmp = tempPathFor(finalPath);
  const body = limitedBody(uploadsDir, name, limits);
  // The request is piped by hand, not through pipeline(): a refusal must not destroy the socket the answer goes out on.
  const interrupted = (): void => {
    if (!req.complete) body.destroy(new Error('The upload was interrupted.'));
  };
  req.on('close', interrupted);
  req.on('error', interrupted);
  try {
    if (declared !== null && declared > limits.maxBytes) throw tooLarge(name, declared, limits);
    await mkdir(uploadsDir, { recursive: true });
    await checkReserve(uploadsDir, name, declared ?? 0, limits);
    await mkdir(dir);
    req.pipe(body);
    await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
    await publishFile(tmp, finalPath);
  } catch (err) {
    req.unpipe(body);
    await rm(dir, { recursive: true, force: true });
    if (res.headersSent || res.destroyed) return;
    // The rest of the body is not read: the connection closes after the answer.
    res.setHeader('Connection', 'close');
    if (err instanceof UploadRefused) return sendJson(res, err.status, { error: `The upload of ${err.message}` });
    const message =
      (err as NodeJS.ErrnoException).code === 'ENOSPC'
        ? 'The disk is full: the upload was not kept.'
        : 'The upload did not complete; nothing was kept.';
    return sendJson(res, 500, { error: message });
  } finally {
    req.off('close', interrupted);
    req.off('error', interrupted);
  }
  return sendJson(res, 200, { path: finalPath });
}

/**
 * Removes, from the uploads folder, each upload whose newest file is older than `maxAgeMs`, the temp files
 * of uploads a killed host left behind, and the folders left empty. Returns what it removed.
 */
export async function sweepOldUploads(uploadsDir: string, maxAgeMs = UPLOAD_MAX_AGE_MS, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(uploadsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(uploadsDir, entry.name);
    if (entry.isDirectory()) removed.push(...(await sweepStaleTempsIn(path)));
    const newest = await newestFileMtime(path);
    if (newest !== null && now - newest <= maxAgeMs) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** The newest modification time of the files at or under `path`; null when it holds none. */
async function newestFileMtime(path: string): Promise<number | null> {
  const st = await stat(path).catch(() => null);
  if (!st) return null;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest: number | null = null;
  for (const entry of await readdir(path).catch(() => [])) {
    const m = await newestFileMtime(join(path, entry));
    if (m !== null && (newest === null || m > newest)) newest = m;
  }
  return newest;
}

/** The export a download id names (a path relative to the exports folder), or null. */
export function resolveExport(exportsDir: string, downloadId: string): Promise<StaticFile | null> {
  return resolveStaticFile(exportsDir, downloadPath(downloadId).slice('/download'.length));
}

/** GET /download/<id>: a file from the workspace's exports folder, as an attachment. */
export async function handleDownload(req: IncomingMessage, res: ServerResponse, file: StaticFile | null): Promise<void> {
  if (!file) return sendJson(res, 404, { error: 'No such export. It may have been moved or deleted.' });
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': file.size,
    'Content-Disposition': `attachment; filename="${basename(file.path).replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(file.open(), res).catch(() => res.destroy());
}

/**
 * POST /download-ticket with JSON `{ id }` (the caller holds the token): a one-time URL for that
 * export, which a browser's `<a download>` can fetch without the header.
 */
export async function handleDownloadTicket(body: Buffer, res: ServerResponse, exportsDir: string, tickets: DownloadTickets): Promise<void> {
  let id: unknown;
  try {
    id = (JSON.parse(body.toString('utf8')) as { id?: unknown } | null)?.id;
  } catch {
    return sendJson(res, 400, { error: 'The request body is not valid JSON.' });
  }
  if (typeof id !== 'string' || id === '')
    return sendJson(res, 400, { error: 'The request needs the export\'s download id: { "id": "..." }.' });
  if (!(await resolveExport(exportsDir, id))) return sendJson(res, 404, { error: 'No such export. It may have been moved or deleted.' });
  const answer: DownloadTicket = { href: `${downloadPath(id)}?ticket=${tickets.issue(id)}`, expiresInMs: tickets.ttlMs };
  return sendJson(res, 200, answer);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
