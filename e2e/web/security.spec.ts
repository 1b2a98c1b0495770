import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { expect, test } from '../support/fixtures';

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
  test('401 without the token', async ({ webHost, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: webHost.origin });
    expect((await api.get('/')).status()).toBe(401);
    expect((await api.get('/?token=wrong')).status()).toBe(401);
    const post = await api.post('/api/workspace.info', { data: {} });
    expect(post.status()).toBe(401);
    expect(post.headers()['access-control-allow-origin']).toBeUndefined();
    // With the token the same call works.
    const ok = await api.post('/api/workspace.info', { data: {}, headers: { authorization: `Bearer ${webHost.token}` } });
    expect(ok.status()).toBe(200);
    await api.dispose();
  });

  test('403 on a foreign Host header, even with the token', async ({ webHost }) => {
    const auth = { authorization: `Bearer ${webHost.token}` };
    expect(await get(webHost.port, `/?token=${webHost.token}`, { host: 'attacker.example', ...auth })).toBe(403);
    expect(await get(webHost.port, `/?token=${webHost.token}`, { host: `attacker.example:${webHost.port}`, ...auth })).toBe(403);
    expect(await get(webHost.port, `/?token=${webHost.token}`, { host: `127.0.0.1:${webHost.port}` })).toBe(200);
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
});
