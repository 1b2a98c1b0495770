import { mkdtemp, mkdir, readFile, readdir, rm, statfs, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { method } from '../../shared/api/define';
import { decodeEnvelope } from '../../shared/api/envelope';
import { WorkbenchError } from '../../shared/api/errors';
import { createDispatcher } from '../core/dispatcher';
import { EventBus } from '../core/events';
import { EVENTS_PROTOCOL, tokenProtocol, type DownloadTicket } from '../../shared/api/web-auth';
import { startWebHost, type WebHost } from './server';

// A tiny contract over the real dispatcher: this file tests the transport, not the engine.
const testContract = {
  echo: {
    say: method<{ text: string; bytes: Uint8Array }>()(z.object({ text: z.string() })),
    fail: method<never>()(z.object({}).default({})),
  },
};
const dispatch = createDispatcher(testContract, {
  echo: {
    say: async (req) => ({ text: req.text, bytes: new Uint8Array([1, 2, 3, req.text.length]) }),
    fail: async () => {
      throw new WorkbenchError('SQL_ERROR', 'it failed on purpose');
    },
  },
});

/** Every Set-Cookie header any response of this file carried: there must be none. */
const cookiesSeen: string[] = [];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  host: WebHost,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: `127.0.0.1:${host.port}`, ...opts.headers },
      },
      (res) => {
        if (res.headers['set-cookie'] !== undefined) cookiesSeen.push(`${path}: ${String(res.headers['set-cookie'])}`);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function wsStatus(host: WebHost, headers: Record<string, string>, protocols: string[] = []): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events`, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

async function openSocket(host: WebHost, headers: Record<string, string>, protocols: string[] = []): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events`, protocols, { headers });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return ws;
}

async function nextEvent(ws: WebSocket, events: EventBus): Promise<unknown> {
  const message = new Promise<unknown>((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
  events.emit('catalog.changed', { reason: 'test <b>' });
  return message;
}

describe('web host', () => {
  let dir: string;
  let host: WebHost;
  const events = new EventBus();
  let bearer: Record<string, string>;
  /** The host's clock for download tickets: tests move it instead of waiting. */
  let now = 1_000_000;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>wb</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'style.css'), 'body{}');
    await writeFile(join(dir, '..', `${dir.split('/').pop()}-secret.txt`), 'secret');
    host = await startWebHost({
      dispatch,
      events,
      staticDir: dir,
      port: 0,
      maxBodyBytes: 1024,
      uploadsDir: join(dir, 'up'),
      exportsDir: join(dir, 'exp'),
      clock: () => now,
    });
    bearer = { authorization: `Bearer ${host.token}` };
  });
  afterAll(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}-secret.txt`, { force: true });
  });

  it('says plainly when the port is taken', async () => {
    await expect(startWebHost({ dispatch, events, staticDir: dir, port: host.port })).rejects.toThrow(/already in use.*--port/);
  });

  it('prints a 127.0.0.1 link with a 32-byte token in the fragment, never in the query', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(new URL(host.url).search).toBe('');
    expect(Buffer.from(host.token, 'base64url').byteLength).toBe(32);
  });

  it('serves the page and static assets without the token (they hold no data), and sets no cookie', async () => {
    const page = await send(host, '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<title>wb</title>');
    expect(page.headers['cache-control']).toBe('no-store');
    const asset = await send(host, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await send(host, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    // An old-style link: the query token is neither checked nor turned into a cookie.
    for (const path of ['/', `/?token=${host.token}`, '/index.html', '/assets/app.js']) {
      for (const headers of [{}, bearer] as Record<string, string>[])
        expect((await send(host, path, { headers })).headers['set-cookie'], path).toBeUndefined();
    }
  });

  it('refuses every data route without the token (401), with a wrong one, or with a query token', async () => {
    const json = { 'content-type': 'application/json' };
    const routes: { path: string; method: string; body?: string }[] = [
      { path: '/api/echo.say', method: 'POST', body: '{"text":"x"}' },
      { path: '/upload?name=a.csv', method: 'PUT', body: 'x,y\n' },
      { path: '/download-ticket', method: 'POST', body: '{"id":"slice.csv"}' },
      { path: '/download/slice.csv', method: 'GET' },
    ];
    for (const r of routes) {
      const wrong: Record<string, string>[] = [{}, { authorization: `Bearer ${host.token}x` }, { authorization: host.token }];
      for (const headers of wrong) {
        expect((await send(host, r.path, { method: r.method, headers: { ...json, ...headers }, body: r.body })).status, r.path).toBe(401);
      }
      const withQuery = `${r.path}${r.path.includes('?') ? '&' : '?'}token=${host.token}`;
      expect((await send(host, withQuery, { method: r.method, headers: json, body: r.body })).status, withQuery).toBe(401);
    }
  });

  it('refuses the old session cookie on every data route and on the WebSocket', async () => {
    const cookie = { cookie: `bw_session_${host.port}=${host.token}` };
    const api = await send(host, '/api/echo.say', {
      method: 'POST',
      headers: { ...cookie, 'content-type': 'application/json' },
      body: '{"text":"x"}',
    });
    expect(api.status).toBe(401);
    expect((await send(host, '/upload?name=a.csv', { method: 'PUT', headers: cookie, body: 'x' })).status).toBe(401);
    expect((await send(host, '/download/slice.csv', { headers: cookie })).status).toBe(401);
    expect(
      (
        await send(host, '/download-ticket', {
          method: 'POST',
          headers: { ...cookie, 'content-type': 'application/json' },
          body: '{"id":"x"}',
        })
      ).status,
    ).toBe(401);
    expect(await wsStatus(host, { origin: `http://127.0.0.1:${host.port}`, ...cookie })).toBe(401);
  });

  it('sends the security headers and never an Access-Control-Allow-Origin', async () => {
    const res = await send(host, '/', { headers: { origin: 'http://evil.example' } });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 403 to a foreign Host header even with the token (DNS rebinding)', async () => {
    for (const h of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.1:${host.port + 1}`]) {
      for (const path of ['/', '/api/echo.say']) {
        const res = await send(host, path, {
          method: 'POST',
          headers: { host: h, ...bearer, 'content-type': 'application/json' },
          body: '{"text":"x"}',
        });
        expect(res.status, `${h} ${path}`).toBe(403);
      }
      expect((await send(host, '/', { headers: { host: h } })).status, h).toBe(403);
    }
    expect((await send(host, '/', { headers: { host: `localhost:${host.port}` } })).status).toBe(200);
  });

  it('dispatches POST /api/<channel> and answers with an envelope', async () => {
    const res = await send(host, '/api/echo.say', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"text":"héllo <img>"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    const value = decodeEnvelope(new Uint8Array(res.body)) as { ok: true; value: { text: string; bytes: Uint8Array } };
    expect(value.ok).toBe(true);
    expect(value.value.text).toBe('héllo <img>');
    expect(Array.from(value.value.bytes)).toEqual([1, 2, 3, 11]);
  });

  it('turns thrown errors, bad JSON, bad requests and unknown channels into error values', async () => {
    const post = async (path: string, body: string, type = 'application/json') =>
      decodeEnvelope(
        new Uint8Array((await send(host, path, { method: 'POST', headers: { ...bearer, 'content-type': type }, body })).body),
      ) as {
        ok: boolean;
        error: { code: string; message: string };
      };
    expect((await post('/api/echo.fail', '{}')).error).toEqual({ code: 'SQL_ERROR', message: 'it failed on purpose' });
    expect((await post('/api/echo.say', '{"text":')).error.code).toBe('INVALID_REQUEST');
    const invalid = await post('/api/echo.say', '{"text":5}');
    expect(invalid.error.code).toBe('INVALID_REQUEST');
    expect(invalid.error.message).toContain('text');
    expect((await post('/api/echo.nothing', '{}')).error.code).toBe('UNKNOWN_METHOD');
    expect((await post('/api/__proto__', '{}')).error.code).toBe('UNKNOWN_METHOD');
    expect((await post('/api/echo.say', '{"text":"x"}', 'text/plain')).error.code).toBe('INVALID_REQUEST');
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await send(host, '/api/echo.say', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect((decodeEnvelope(new Uint8Array(res.body)) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
  });

  it('refuses GET on the API and serves nothing outside the static folder', async () => {
    expect((await send(host, '/api/echo.say', { headers: bearer })).status).toBe(405);
    const name = `${dir.split('/').pop()}-secret.txt`;
    for (const p of [`/../${name}`, `/%2e%2e/${name}`, `/assets/..%2f..%2f${name}`, '/%00', '/.hidden', '/assets/%5c..%5c']) {
      const res = await send(host, p, { headers: bearer });
      expect(res.status, p).toBe(404);
      expect(res.body.toString()).not.toContain('secret');
    }
  });

  it('WebSocket: refuses a foreign Origin (403) and no token (401); forwards events to a good client', async () => {
    const origin = { origin: `http://127.0.0.1:${host.port}` };
    const browser = [EVENTS_PROTOCOL, tokenProtocol(host.token)];
    expect(await wsStatus(host, { origin: 'http://evil.example', ...bearer })).toBe(403);
    expect(await wsStatus(host, { origin: 'http://evil.example' }, browser)).toBe(403);
    expect(await wsStatus(host, { origin: `http://127.0.0.1:${host.port + 1}`, ...bearer })).toBe(403);
    expect(await wsStatus(host, origin)).toBe(401);
    expect(await wsStatus(host, origin, [EVENTS_PROTOCOL])).toBe(401);
    expect(await wsStatus(host, origin, [EVENTS_PROTOCOL, tokenProtocol(`${host.token}x`)])).toBe(401);
    expect(await wsStatus(host, origin, [EVENTS_PROTOCOL, `${host.token}`])).toBe(401);
    expect(await wsStatus(host, { origin: `http://127.0.0.1:${host.port}`, host: 'evil.example', ...bearer })).toBe(403);

    // A script sends the bearer header.
    const script = await openSocket(host, { origin: `http://localhost:${host.port}`, ...bearer });
    expect(await nextEvent(script, events)).toEqual({ event: 'catalog.changed', payload: { reason: 'test <b>' } });
    script.close();
  });

  it('WebSocket: a browser offers the token as a subprotocol; the host echoes only the events protocol', async () => {
    const ws = await openSocket(host, { origin: `http://127.0.0.1:${host.port}` }, [EVENTS_PROTOCOL, tokenProtocol(host.token)]);
    expect(ws.protocol).toBe(EVENTS_PROTOCOL);
    expect(await nextEvent(ws, events)).toEqual({ event: 'catalog.changed', payload: { reason: 'test <b>' } });
    ws.close();
  });

  it('takes an upload (PUT, token required) under a fresh name and serves exports as downloads', async () => {
    expect((await send(host, '/upload?name=a.csv', { method: 'PUT', body: 'x,y\n1,2\n' })).status).toBe(401);
    expect((await send(host, '/upload?name=..', { method: 'PUT', headers: bearer, body: 'x' })).status).toBe(400);
    const up = await send(host, '/upload?name=../../evil.csv', { method: 'PUT', headers: bearer, body: 'x,y\n1,2\n' });
    expect(up.status).toBe(200);
    const { path } = JSON.parse(up.body.toString()) as { path: string };
    expect(path.startsWith(join(dir, 'up'))).toBe(true);
    expect(path.endsWith('/evil.csv')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('x,y\n1,2\n');
    expect((await readdir(join(dir, 'up'), { recursive: true })).some((f) => String(f).includes('.bw-tmp-'))).toBe(false);

    await mkdir(join(dir, 'exp'), { recursive: true });
    await writeFile(join(dir, 'exp', 'slice.csv'), 'a\n1\n');
    expect((await send(host, '/download/slice.csv')).status).toBe(401);
    expect((await send(host, '/download/slice.csv', { method: 'DELETE', headers: bearer })).status).toBe(405);
    const down = await send(host, '/download/slice.csv', { headers: bearer });
    expect(down.status).toBe(200);
    expect(String(down.headers['content-disposition'])).toContain('attachment');
    expect(down.body.toString()).toBe('a\n1\n');
    expect((await send(host, '/download/..%2F..%2Fetc%2Fpasswd', { headers: bearer })).status).toBe(404);
  });

  describe('download tickets', () => {
    const ticketFor = async (id: string, headers: Record<string, string> = bearer): Promise<Reply> =>
      send(host, '/download-ticket', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ id }),
      });
    const hrefFor = async (id: string): Promise<string> => {
      const res = await ticketFor(id);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const ticket = JSON.parse(res.body.toString()) as DownloadTicket;
      expect(ticket.expiresInMs).toBe(60_000);
      return ticket.href;
    };

    beforeAll(async () => {
      await mkdir(join(dir, 'exp', 'slice-1'), { recursive: true });
      await writeFile(join(dir, 'exp', 'slice-1', 'manifest.json'), '{"rows":1}');
      await writeFile(join(dir, 'exp', 'other.csv'), 'b\n2\n');
    });

    it('a ticket URL serves its export once, without the header, and not twice', async () => {
      const href = await hrefFor('slice-1/manifest.json');
      expect(href).toMatch(/^\/download\/slice-1\/manifest\.json\?ticket=[A-Za-z0-9_-]{32}$/);
      expect(href).not.toContain(host.token);
      const first = await send(host, href);
      expect(first.status).toBe(200);
      expect(String(first.headers['content-disposition'])).toContain('filename="manifest.json"');
      expect(first.body.toString()).toBe('{"rows":1}');
      const second = await send(host, href);
      expect(second.status).toBe(401);
      expect(second.body.toString()).toContain('used already or expired');
    });

    it('a ticket expires after its time to live, and serves only the export it was issued for', async () => {
      const late = await hrefFor('other.csv');
      now += 60_000;
      expect((await send(host, late)).status).toBe(401);

      const almost = await hrefFor('other.csv');
      now += 59_999;
      expect((await send(host, almost)).status).toBe(200);

      const ticket = new URL(await hrefFor('other.csv'), 'http://x').searchParams.get('ticket');
      expect((await send(host, `/download/slice-1/manifest.json?ticket=${ticket}`)).status).toBe(401);
      // A misused ticket is spent too.
      expect((await send(host, `/download/other.csv?ticket=${ticket}`)).status).toBe(401);
      expect((await send(host, '/download/other.csv?ticket=made-up')).status).toBe(401);
    });

    it('needs the header to get a ticket, a plain id and an export that exists', async () => {
      expect((await ticketFor('other.csv', {})).status).toBe(401);
      expect((await ticketFor('other.csv', { cookie: `bw_session_${host.port}=${host.token}` })).status).toBe(401);
      expect((await ticketFor('nothing.csv')).status).toBe(404);
      expect((await ticketFor('../../etc/passwd')).status).toBe(404);
      const bad = await send(host, '/download-ticket', {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: '{"id":5}',
      });
      expect(bad.status).toBe(400);
      expect((await send(host, '/download-ticket', { headers: bearer })).status).toBe(405);
    });
  });

  it('no response in this file carried a Set-Cookie header', () => {
    expect(cookiesSeen).toEqual([]);
  });
});

describe('web host uploads', () => {
  const events = new EventBus();
  let dir: string;
  const hosts: WebHost[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-up-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>wb</title>');
  });
  afterAll(async () => {
    for (const h of hosts) await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function host(uploadsDir: string, limits: { maxUploadBytes?: number; uploadReserveBytes?: number }): Promise<WebHost> {
    const h = await startWebHost({ dispatch, events, staticDir: dir, port: 0, uploadsDir, ...limits });
    hosts.push(h);
    return h;
  }

  /** PUT /upload with the body in chunks: chunked transfer unless a Content-Length is given (it may claim more than is sent). */
  function put(
    h: WebHost,
    name: string,
    chunks: Buffer[],
    contentLength?: number,
  ): Promise<{ status: number; json: Record<string, string> }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { host: `127.0.0.1:${h.port}`, authorization: `Bearer ${h.token}` };
      if (contentLength !== undefined) headers['content-length'] = contentLength;
      const req = httpRequest({ host: '127.0.0.1', port: h.port, path: `/upload?name=${name}`, method: 'PUT', headers }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(body).toString()) as Record<string, string> });
          req.destroy();
        });
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      // A body shorter than its Content-Length stays open: the host must answer from the header alone.
      if (contentLength === undefined || contentLength <= chunks.reduce((n, c) => n + c.byteLength, 0)) req.end();
    });
  }

  /** Every file and folder under `d`, relative. */
  const tree = async (d: string): Promise<string[]> => (await readdir(d, { recursive: true })).map(String).sort();

  it('takes an upload within the cap, and refuses one over it (declared or chunked) with 413, leaving nothing', async () => {
    const up = join(dir, 'capped');
    const h = await host(up, { maxUploadBytes: 1000, uploadReserveBytes: 0 });
    const ok = await put(h, 'small.csv', [Buffer.from('a,b\n'), Buffer.alloc(996, 'x')]);
    expect(ok.status).toBe(200);
    expect((await readFile(ok.json.path ?? '')).byteLength).toBe(1000);
    const kept = await tree(up);

    const declared = await put(h, 'big.csv', [Buffer.alloc(3000, 'y')], 3000);
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatch(
      /The upload of big\.csv \(2\.93 KB\) is larger than the web host's upload limit of 1000 B; nothing was kept.*--max-upload/,
    );
    const chunked = await put(h, 'sneaky.csv', [Buffer.alloc(600, 'z'), Buffer.alloc(600, 'z'), Buffer.alloc(600, 'z')]);
    expect(chunked.status).toBe(413);
    expect(chunked.json.error).toMatch(/The upload of sneaky\.csv is larger than the web host's upload limit of 1000 B/);
    expect(await tree(up)).toEqual(kept);

    // The host goes on taking uploads.
    expect((await put(h, 'again.csv', [Buffer.from('x\n1\n')])).status).toBe(200);
  });

  it('refuses an upload that would leave less than the reserve free on the disk (507), from its Content-Length, leaving nothing', async () => {
    const up = join(dir, 'reserve');
    await mkdir(up);
    const reserve = 1024 ** 3;
    const h = await host(up, { maxUploadBytes: Number.MAX_SAFE_INTEGER, uploadReserveBytes: reserve });
    // Half the reserve short: other writers on this disk would have to free 512 MB in between to change the answer.
    const s = await statfs(up);
    const eats = s.bavail * s.bsize - reserve / 2;
    const refused = await put(h, 'huge.csv', [Buffer.from('a,b\n')], eats);
    expect(refused.status).toBe(507);
    expect(refused.json.error).toMatch(
      /The upload of huge\.csv \(.+\) would leave less than 1\.00 GB free on the disk holding .*reserve \(.+ free\); nothing was kept/,
    );
    expect(await tree(up)).toEqual([]);

    // A reserve larger than the disk's free space refuses even a small upload sent without a length.
    const full = await host(join(dir, 'full'), { uploadReserveBytes: Number.MAX_SAFE_INTEGER });
    expect((await put(full, 'tiny.csv', [Buffer.from('x\n')])).status).toBe(507);
    expect(await tree(join(dir, 'full'))).toEqual([]);
  });

  it('removes uploads older than a day and unfinished ones at start, and keeps the fresh ones', async () => {
    const up = join(dir, 'aged');
    const hoursAgo = (h: number): Date => new Date(Date.now() - h * 3600_000);
    const file = async (rel: string, hours: number): Promise<void> => {
      await mkdir(join(up, rel, '..'), { recursive: true });
      await writeFile(join(up, rel), 'x\n');
      await utimes(join(up, rel), hoursAgo(hours), hoursAgo(hours));
    };
    await file('old-upload/readings.csv', 25);
    await file('fresh-upload/readings.csv', 0);
    await file('nearly-a-day/readings.csv', 23);
    await file('old-and-new/first.csv', 48);
    await file('old-and-new/second.csv', 1);
    await file('loose-old.csv', 30);
    // A temp file a killed host left (its pid is gone), however recent.
    await file('unfinished/.bw-tmp-999999999-0000abcd-readings.csv.tmp', 0);
    const logged: string[] = [];
    await startWebHost({ dispatch, events, staticDir: dir, port: 0, uploadsDir: up, log: (l) => logged.push(l) }).then((h) =>
      hosts.push(h),
    );
    expect(await tree(up)).toEqual([
      'fresh-upload',
      'fresh-upload/readings.csv',
      'nearly-a-day',
      'nearly-a-day/readings.csv',
      'old-and-new',
      'old-and-new/first.csv',
      'old-and-new/second.csv',
    ]);
    expect(logged.join('\n')).toMatch(/removed 4 upload\(s\)/);
  });
});
