import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, appResponse, resolveAppRequest } from './app-protocol';
import { desktopContentSecurityPolicy } from './url-policy';

let root: string;
let rendererDir: string;
const csp = desktopContentSecurityPolicy(null);

beforeAll(async () => {
  // <root>/renderer is what app:// serves; <root>/secret.txt and <root>/renderer-evil/x.js lie beside it.
  root = await mkdtemp(join(tmpdir(), 'bw-app-protocol-'));
  rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await mkdir(join(root, 'renderer-evil'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>ok</title>');
  await writeFile(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1);');
  await writeFile(join(rendererDir, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(join(rendererDir, '.env'), 'SECRET=1');
  await writeFile(join(root, 'secret.txt'), 'secret');
  await writeFile(join(root, 'renderer-evil', 'x.js'), 'evil');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveAppRequest', () => {
  it('maps app://bundle/ URLs to files under the renderer folder with their MIME types', () => {
    const cases: [string, string, string][] = [
      [APP_INDEX_URL, 'index.html', 'text/html; charset=utf-8'],
      ['app://bundle/', 'index.html', 'text/html; charset=utf-8'],
      [`${APP_INDEX_URL}#/sql`, 'index.html', 'text/html; charset=utf-8'],
      ['app://bundle/assets/index-abc.js', 'assets/index-abc.js', 'text/javascript; charset=utf-8'],
      ['app://bundle/assets/index-abc.css?v=1', 'assets/index-abc.css', 'text/css; charset=utf-8'],
      ['app://bundle/assets/font.woff2', 'assets/font.woff2', 'font/woff2'],
      ['app://bundle/assets/logo.svg', 'assets/logo.svg', 'image/svg+xml'],
      ['app://bundle/assets/engine.wasm', 'assets/engine.wasm', 'application/wasm'],
      ['app://bundle/assets/blob.bin', 'assets/blob.bin', 'application/octet-stream'],
    ];
    for (const [url, file, type] of cases) {
      expect(resolveAppRequest('GET', url, rendererDir), url).toEqual({ ok: true, file: join(rendererDir, file), contentType: type });
    }
  });

  it('refuses traversal out of the renderer folder, however it is spelled', () => {
    for (const url of [
      'app://bundle/..%2fsecret.txt',
      'app://bundle/assets/..%2f..%2fsecret.txt',
      'app://bundle/%2e%2e%2fsecret.txt',
      'app://bundle/..%5csecret.txt',
      'app://bundle/assets\\..\\..\\secret.txt',
      'app://bundle/index.html%00.js',
      'app://bundle/%E0%A4%A',
      'app://bundle/.env',
      'app://bundle/assets/.hidden.js',
    ]) {
      const target = resolveAppRequest('GET', url, rendererDir);
      expect(target.ok, url).toBe(false);
    }
    // Plain `..` segments are removed by the URL parser before the path is read: the result stays inside.
    const dotted = resolveAppRequest('GET', 'app://bundle/../../secret.txt', rendererDir);
    expect(dotted).toEqual({ ok: true, file: join(rendererDir, 'secret.txt'), contentType: 'text/plain; charset=utf-8' });
  });

  it('refuses other hosts, schemes, credentials and methods', () => {
    expect(resolveAppRequest('GET', 'app://evil/index.html', rendererDir)).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest('GET', 'app://user:pw@bundle/index.html', rendererDir)).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest('GET', 'file:///etc/passwd', rendererDir)).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest('GET', 'not a url', rendererDir)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest('POST', APP_INDEX_URL, rendererDir)).toMatchObject({ ok: false, status: 405 });
    expect(resolveAppRequest('PUT', APP_INDEX_URL, rendererDir)).toMatchObject({ ok: false, status: 405 });
  });
});

describe('appResponse', () => {
  const text = (body: Uint8Array | string | null): string => (typeof body === 'string' ? body : Buffer.from(body ?? []).toString());

  it('serves a renderer file with its type, the desktop CSP and nosniff', async () => {
    const res = await appResponse('GET', 'app://bundle/assets/index-abc.js', rendererDir, csp);
    expect(res.status).toBe(200);
    expect(text(res.body)).toBe('console.log(1);');
    expect(res.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['Content-Security-Policy']).toBe(csp);
    expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
    const page = await appResponse('GET', APP_INDEX_URL, rendererDir, csp);
    expect(page.status).toBe(200);
    expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.headers['Content-Security-Policy']).toContain("connect-src 'self';");
  });

  it('answers HEAD without a body', async () => {
    const res = await appResponse('HEAD', APP_INDEX_URL, rendererDir, csp);
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });

  it('never serves a file outside the renderer folder, a missing file or a folder listing', async () => {
    for (const url of [
      'app://bundle/..%2fsecret.txt',
      'app://bundle/..%2frenderer-evil%2fx.js',
      'app://bundle/../renderer-evil/x.js',
      'app://bundle/../../secret.txt',
      'app://bundle/missing.js',
      'app://bundle/assets',
      'app://bundle/assets/',
      'app://bundle/.env',
    ]) {
      const res = await appResponse('GET', url, rendererDir, csp);
      expect(res.status, url).not.toBe(200);
      expect(text(res.body), url).not.toMatch(/secret|evil|SECRET/);
      expect(res.headers['Content-Security-Policy'], url).toBe(csp);
    }
  });
});

describe('APP_SCHEME_PRIVILEGES', () => {
  it('makes app:// a standard secure origin that neither bypasses the CSP nor is readable cross-origin', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('corsEnabled');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('allowServiceWorkers');
  });
});
