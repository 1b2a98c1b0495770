import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { expect, SqlPage, test } from '../support/fixtures';

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function wsHandshake(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

test.describe('web host security', () => {
  test('401 on every data route without the token; the page itself loads without it and no cookie is set', async ({
    webHost,
    playwright,
  }) => {
    const api = await playwright.request.newContext({ baseURL: webHost.origin });
    const page = await api.get('/');
    expect(page.status()).toBe(200);
    expect(page.headers()['set-cookie']).toBeUndefined();
    expect((await api.get(`/?token=${webHost.token}`)).headers()['set-cookie']).toBeUndefined();
    const post = await api.post('/api/workspace.info', { data: {} });
    expect(post.status()).toBe(401);
    expect(post.headers()['access-control-allow-origin']).toBeUndefined();
    expect((await api.put('/upload?name=a.csv', { data: 'x' })).status()).toBe(401);
    expect((await api.post('/download-ticket', { data: { id: 'x' } })).status()).toBe(401);
    expect((await api.get('/download/x.csv')).status()).toBe(401);
    // The old session cookie is no credential.
    const cookie = { cookie: `bw_session_${webHost.port}=${webHost.token}` };
    expect((await api.post('/api/workspace.info', { data: {}, headers: cookie })).status()).toBe(401);
    // With the token header the same call works.
    const ok = await api.post('/api/workspace.info', { data: {}, headers: { authorization: `Bearer ${webHost.token}` } });
    expect(ok.status()).toBe(200);
    await api.dispose();
  });

  test('403 on a foreign Host header, even with the token', async ({ webHost }) => {
    const auth = { authorization: `Bearer ${webHost.token}` };
    expect(await get(webHost.port, '/', { host: 'attacker.example', ...auth })).toBe(403);
    expect(await get(webHost.port, '/', { host: `attacker.example:${webHost.port}`, ...auth })).toBe(403);
    expect(await get(webHost.port, '/', { host: `127.0.0.1:${webHost.port}` })).toBe(200);
  });

  test('403 on a WebSocket with a foreign Origin', async ({ webHost }) => {
    const url = `ws://127.0.0.1:${webHost.port}/events`;
    const auth = { authorization: `Bearer ${webHost.token}` };
    expect(await wsHandshake(url, { origin: 'http://attacker.example', ...auth })).toBe(403);
    expect(await wsHandshake(url, { origin: 'null', ...auth })).toBe(403);
    expect(await wsHandshake(url, { origin: webHost.origin, ...auth })).toBe('open');
  });

  test('a page on another origin cannot read the API', async ({ webHost, page }) => {
    // about:blank-like foreign origin: a data: URL page trying to fetch the host's API.
    await page.goto('data:text/html,<p>foreign</p>');
    const outcome = await page.evaluate(async (origin) => {
      try {
        const r = await fetch(`${origin}/api/workspace.info`, { method: 'POST', body: '{}', credentials: 'include' });
        return `read ${r.status}`;
      } catch {
        return 'blocked';
      }
    }, webHost.origin);
    expect(outcome).toBe('blocked');
  });

  test('the token leaves the address bar; the page keeps it in sessionStorage and sends it as a header, never a cookie', async ({
    webHost,
    page,
    context,
  }) => {
    const setCookies: string[] = [];
    const apiCalls: { url: string; authorization: string | undefined }[] = [];
    page.on('response', (res) => {
      const header = res.headers()['set-cookie'];
      if (header !== undefined) setCookies.push(`${res.url()}: ${header}`);
    });
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/')) apiCalls.push({ url: req.url(), authorization: req.headers()['authorization'] });
    });
    const app = new SqlPage(page);

    // The page's one events socket opens as the app starts.
    const socket = page.waitForEvent('websocket');
    // The printed link lands on the default view and leaves no token behind.
    await page.goto(webHost.url);
    await expect(app.editor).toBeVisible({ timeout: 30_000 });
    expect(page.url()).toBe(`${webHost.origin}/`);
    expect(await page.evaluate<string>('location.href')).not.toContain(webHost.token);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('battery-workbench.token')")).toBe(webHost.token);

    // A query runs (API calls with the header) and its catalog change arrives on the page's WebSocket.
    const ws = await socket;
    expect(new URL(ws.url()).search).toBe('');
    const frames: string[] = [];
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
    await app.run('CREATE OR REPLACE TABLE token_probe AS SELECT 42 AS answer');
    await expect.poll(() => frames.some((f) => f.includes('catalog.changed')), { timeout: 30_000 }).toBe(true);
    expect(ws.isClosed()).toBe(false);
    for (const f of frames) expect(f).not.toContain(webHost.token);
    expect(apiCalls.length).toBeGreaterThan(0);
    for (const call of apiCalls) expect(call.authorization, call.url).toBe(`Bearer ${webHost.token}`);

    // A deep link: the printed link with a route appended opens that view, and the token leaves too.
    await page.goto(webHost.link('settings'));
    await expect(page).toHaveURL(`${webHost.origin}/#/settings`);
    await page.reload();
    await expect(page).toHaveURL(`${webHost.origin}/#/settings`);

    expect(await context.cookies()).toEqual([]);
    expect(setCookies).toEqual([]);
  });

  test('in the browser: the WebSocket opens with the token subprotocol only, uploads need the header', async ({ webHost, page }) => {
    await page.goto(webHost.url);
    await expect(page).toHaveURL(`${webHost.origin}/`);
    const outcome = await page.evaluate(
      async ({ token, port }) => {
        // The browser's own WebSocket (not the ws package this file imports for Node).
        const BrowserSocket = (globalThis as unknown as { WebSocket: typeof WebSocket }).WebSocket;
        const open = (protocols: string[]): Promise<string> =>
          new Promise((resolve) => {
            const ws = new BrowserSocket(`ws://127.0.0.1:${port}/events`, protocols);
            ws.onopen = () => {
              resolve(`open ${ws.protocol}`);
              ws.close();
            };
            ws.onerror = () => resolve('refused');
          });
        const upload = async (headers: Record<string, string>): Promise<number> =>
          (await fetch('/upload?name=probe.csv', { method: 'PUT', body: 'a,b\n1,2\n', headers })).status;
        const bearer = { authorization: `Bearer ${token}` };
        return {
          wsWith: await open(['battery-workbench.events', `battery-workbench.token.${token}`]),
          wsWithout: await open(['battery-workbench.events']),
          wsWrong: await open(['battery-workbench.events', `battery-workbench.token.${token}x`]),
          uploadWith: await upload(bearer),
          uploadWithout: await upload({}),
        };
      },
      { token: webHost.token, port: webHost.port },
    );
    expect(outcome).toEqual({
      wsWith: 'open battery-workbench.events',
      wsWithout: 'refused',
      wsWrong: 'refused',
      uploadWith: 200,
      uploadWithout: 401,
    });
  });
});
