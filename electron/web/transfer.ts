import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { publishFile, tempPathFor } from '../core/files/atomic';
import { downloadPath, type DownloadTicket } from '../../shared/api/web-auth';
import type { DownloadTickets } from './download-tickets';
import { resolveStaticFile, type StaticFile } from './static-files';

/** A dropped file's name, made safe for the uploads folder (no path, no control characters). */
export function safeUploadName(name: string): string | null {
  const base = [...basename(name.replaceAll('\\', '/'))]
    .map((ch) => (ch.charCodeAt(0) < 32 || '<>:"|?*'.includes(ch) ? '_' : ch))
    .join('')
    .trim();
  if (!base || base === '.' || base === '..' || base.startsWith('.') || base.length > 200) return null;
  return base;
}

/**
 * PUT /upload?name=<file name>: the browser's way to hand a dropped file to the core, which runs on
 * this same machine but cannot see the browser's files. The body streams to a temp name in the
 * uploads folder and is published under a fresh, unique name; the answer is `{ path }`.
 */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, uploadsDir: string): Promise<void> {
  const name = safeUploadName(url.searchParams.get('name') ?? '');
  if (name === null) {
    req.resume();
    return sendJson(res, 400, { error: 'The upload needs a plain file name (?name=readings.csv).' });
  }
  const dir = join(uploadsDir, randomUUID());
  const finalPath = join(dir, name);
  await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(finalPath);
  try {
    await pipeline(req, createWriteStream(tmp, { flags: 'wx' }));
    await publishFile(tmp, finalPath);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const message =
      (err as NodeJS.ErrnoException).code === 'ENOSPC'
        ? 'The disk is full: the upload was not kept.'
        : 'The upload did not complete; nothing was kept.';
    if (!res.headersSent && !res.destroyed) return sendJson(res, 500, { error: message });
    return;
  }
  return sendJson(res, 200, { path: finalPath });
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
