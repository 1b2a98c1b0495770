import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer, WebSocket } from 'ws';
import { isChannelName } from '../../shared/api/define';
import { encodeEnvelope } from '../../shared/api/envelope';
import { errorMessage, fail, type Result } from '../../shared/api/errors';
import type { Dispatch } from '../core/dispatcher';
import type { EventBus } from '../core/events';
import { DOWNLOAD_TICKET_PATH, EVENTS_PROTOCOL, tokenLink } from '../../shared/api/web-auth';
import { isAllowedHost, isAllowedOrigin, isAuthorized, isAuthorizedUpgrade, newToken } from './auth';
import { DownloadTickets } from './download-tickets';
import { resolveStaticFile } from './static-files';
import { securityHeaders } from './security-headers';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_UPLOAD_RESERVE_BYTES,
  handleDownload,
  handleDownloadTicket,
  handleUpload,
  resolveExport,
  sendJson,
  sweepOldUploads,
  type UploadLimits,
} from './transfer';

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

export interface WebHostOptions {
  dispatch: Dispatch;
  events: Pick<EventBus, 'on'>;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Tests may fix the token; normally a fresh random one per start. */
  token?: string;
  maxBodyBytes?: number;
  /** Where PUT /upload puts files dropped into the browser (the workspace's uploads folder); uploads older than a day are removed at start. */
  uploadsDir?: string;
  /** The largest upload taken (`--max-upload`); default DEFAULT_MAX_UPLOAD_BYTES (20 GB). */
  maxUploadBytes?: number;
  /** The free space an upload must leave on the uploads disk; default DEFAULT_UPLOAD_RESERVE_BYTES (1 GB). */
  uploadReserveBytes?: number;
  /** What GET /download/<id> serves from (the workspace's exports folder). */
  exportsDir?: string;
  /** Diagnostics go here (stderr in the CLI entry); never stdout. */
  log?: (line: string) => void;
  /** The clock download tickets expire by (tests move it); Date.now by default. */
  clock?: () => number;
}

export interface WebHost {
  port: number;
  token: string;
  /** The URL to open: http://127.0.0.1:<port>/#token=<token> (the token in the fragment, never sent to a server). */
  url: string;
  close(): Promise<void>;
}

/**
 * The web host: the built renderer and the dispatcher over HTTP + WebSocket on 127.0.0.1 only.
 * Every request needs our own Host header. Static files (the page, scripts, styles) hold no data
 * and load without the token; every data route needs the per-start token in a header
 * (`Authorization: Bearer`, or on the WebSocket handshake a subprotocol), downloads also take a
 * one-time ticket. No cookie is ever read or set. WebSocket handshakes also need our own Origin.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? newToken();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  const uploadLimits: UploadLimits = {
    maxBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    reserveBytes: options.uploadReserveBytes ?? DEFAULT_UPLOAD_RESERVE_BYTES,
  };
  let port = options.port ?? 0;
  if (options.uploadsDir !== undefined) {
    const swept = await sweepOldUploads(options.uploadsDir);
    if (swept.length > 0) log(`web host: removed ${swept.length} upload(s) older than a day or left unfinished in ${options.uploadsDir}`);
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      log(`web host: request failed: ${errorMessage(err)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  const tickets = new DownloadTickets(options.clock);
  // The page offers EVENTS_PROTOCOL and its token protocol; only EVENTS_PROTOCOL is ever echoed.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(securityHeaders(port))) res.setHeader(k, v);
    if (!isAllowedHost(req.headers.host, port)) return sendText(res, 403, 'Forbidden: unexpected Host header.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';

    /** A data route: the token first, then the one method it takes. Answers and returns false otherwise. */
    const admit = (expected: 'POST' | 'PUT'): boolean => {
      if (!isAuthorized(req.headers, token)) {
        sendText(res, 401, 'Unauthorized: missing or wrong token. Open the link the web host printed.');
        return false;
      }
      if (method === expected) return true;
      res.setHeader('Allow', expected);
      sendText(res, 405, `Method not allowed: use ${expected}.`);
      return false;
    };

    if (url.pathname.startsWith('/api/')) {
      if (admit('POST')) await handleApi(req, res, url.pathname.slice('/api/'.length));
      return;
    }
    if (url.pathname === '/upload' && options.uploadsDir !== undefined) {
      if (admit('PUT')) await handleUpload(req, res, url, options.uploadsDir, uploadLimits);
      return;
    }
    if (url.pathname === DOWNLOAD_TICKET_PATH && options.exportsDir !== undefined) {
      if (!admit('POST')) return;
      const body = await readBody(req, 16 * 1024);
      if (body === null) return sendJson(res, 413, { error: 'The request body is too large.' });
      return handleDownloadTicket(body, res, options.exportsDir, tickets);
    }
    if (url.pathname.startsWith('/download/') && options.exportsDir !== undefined) {
      if (!isRead) {
        res.setHeader('Allow', 'GET, HEAD');
        return sendText(res, 405, 'Method not allowed: use GET.');
      }
      const downloadId = decodePath(url.pathname.slice('/download/'.length));
      const ticket = url.searchParams.get('ticket');
      const allowed = isAuthorized(req.headers, token) || (ticket !== null && downloadId !== null && tickets.redeem(ticket, downloadId));
      if (!allowed) {
        return sendText(
          res,
          401,
          'Unauthorized: this download link needs the token, or it was used already or expired. Download again from the page.',
        );
      }
      return handleDownload(req, res, downloadId === null ? null : await resolveExport(options.exportsDir, downloadId));
    }
    if (isRead && (url.pathname === '/' || url.pathname === '/index.html')) return serveFile(req, res, '/index.html', 'no-store');
    if (isRead) return serveFile(req, res, url.pathname, 'private, max-age=3600');
    res.setHeader('Allow', 'GET, HEAD, POST');
    return sendText(res, 405, 'Method not allowed.');
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, path: string, cacheControl: string): Promise<void> {
    const file = await resolveStaticFile(options.staticDir, path);
    if (!file) {
      if (path === '/index.html') {
        return sendText(res, 500, `The renderer is not built (no index.html in ${options.staticDir}). Run \`npm run build\` first.`);
      }
      return sendText(res, 404, 'Not found.');
    }
    res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.size, 'Cache-Control': cacheControl });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolveDone) => {
      const stream = file.open();
      stream.on('error', () => {
        res.destroy();
        resolveDone();
      });
      res.on('close', resolveDone);
      stream.pipe(res);
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, rawChannel: string): Promise<void> {
    // Not valid percent-encoding: no such method.
    const decoded = decodePath(rawChannel) ?? '';
    const shown = decoded.slice(0, 200);
    if (!isChannelName(decoded)) {
      return sendEnvelope(res, 404, fail('UNKNOWN_METHOD', `There is no method named "${shown}".`));
    }
    const channel = decoded;
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      req.resume();
      return sendEnvelope(res, 415, fail('INVALID_REQUEST', 'The request body must be JSON (Content-Type: application/json).'));
    }
    const body = await readBody(req, maxBody);
    if (body === null) {
      res.setHeader('Connection', 'close');
      return sendEnvelope(
        res,
        413,
        fail('INVALID_REQUEST', `The request body is larger than ${Math.round(maxBody / 1024 / 1024)} MB. Send a smaller request.`),
      );
    }
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (err) {
      return sendEnvelope(
        res,
        400,
        fail('INVALID_REQUEST', 'The request body is not valid JSON.', err instanceof Error ? err.message : undefined),
      );
    }
    const result = await options.dispatch(channel, request, { transport: 'web' });
    return sendEnvelope(res, 200, result);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!isAllowedHost(req.headers.host, port)) return reject(403, 'Forbidden');
    if (!isAllowedOrigin(req.headers.origin, port)) return reject(403, 'Forbidden');
    if (url.pathname !== '/events') return reject(404, 'Not Found');
    if (!isAuthorizedUpgrade(req.headers, token)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // The stream is one-way: anything a client sends is ignored.
    });
  });

  const unsubscribe = options.events.on((event, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ event, payload }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      rejectListen(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on 127.0.0.1 is already in use. Choose another with --port N, or leave --port out to get a free one.`)
          : err,
      );
    });
    server.listen(port, '127.0.0.1', () => {
      server.removeAllListeners('error');
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  server.on('error', (err) => log(`web host: ${err.message}`));

  let closing: Promise<void> | null = null;
  return {
    port,
    token,
    url: tokenLink(`http://127.0.0.1:${port}`, token),
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        unsubscribe();
        for (const ws of clients) ws.terminate();
        wss.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The default location of the built renderer, next to the built host (out/main → out/renderer). */
export function defaultStaticDir(hereDir: string): string {
  return join(hereDir, '..', 'renderer');
}

function decodePath(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolveBody, rejectBody) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return resolveBody(null);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      if (tooBig) return;
      total += chunk.byteLength;
      if (total > limit) {
        tooBig = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooBig ? null : Buffer.concat(chunks)));
    req.on('error', rejectBody);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.byteLength, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendEnvelope(res: ServerResponse, status: number, result: Result<unknown>): void {
  const bytes = encodeEnvelope(result);
  res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Cache-Control': 'no-store' });
  res.end(bytes);
}
