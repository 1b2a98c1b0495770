import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from './app-protocol';
import { desktopContentSecurityPolicy, isOwnRendererUrl, isSafeExternalUrl } from './url-policy';

const rendererDir = '/opt/app/out/renderer';
const built = { rendererDir, devServerUrl: null };

describe('isOwnRendererUrl', () => {
  it('accepts app://bundle/index.html with any hash route', () => {
    expect(APP_INDEX_URL).toBe('app://bundle/index.html');
    expect(isOwnRendererUrl(APP_INDEX_URL, built)).toBe(true);
    expect(isOwnRendererUrl(`${APP_INDEX_URL}#/sql`, built)).toBe(true);
  });
  it('refuses the built page as a file, other pages, other hosts, schemes and lookalikes', () => {
    for (const url of [
      pathToFileURL(`${rendererDir}/index.html`).href,
      pathToFileURL('/etc/passwd').href,
      'app://bundle/other.html',
      'app://bundle/assets/index.js',
      'app://bundle/',
      'app://bundle/index.html?x=1',
      'app://evil/index.html',
      'app://bundle.evil/index.html',
      'app://user@bundle/index.html',
      'app://bundle:8080/index.html',
      'app://bundle/index.html/../../x',
      'https://bundle/index.html',
      'https://example.com/index.html',
      'not a url',
    ]) {
      expect(isOwnRendererUrl(url, built), url).toBe(false);
    }
  });
  it('in dev accepts only the dev server origin', () => {
    const dev = { rendererDir, devServerUrl: 'http://localhost:5173/' };
    expect(isOwnRendererUrl('http://localhost:5173/#/sql', dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isOwnRendererUrl(APP_INDEX_URL, dev)).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it('allows plain http(s) links', () => {
    expect(isSafeExternalUrl('https://duckdb.org/docs/')).toBe(true);
    expect(isSafeExternalUrl('http://example.com')).toBe(true);
  });
  it('refuses other schemes, credentials and junk', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com/',
      'ms-msdt:x',
      '',
      `https://a.com/${'x'.repeat(3000)}`,
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
  });
});

describe('desktopContentSecurityPolicy', () => {
  const directive = (csp: string, name: string): string | undefined => csp.split('; ').find((d) => d.startsWith(`${name} `));

  it('forbids inline scripts in the built app', () => {
    const csp = desktopContentSecurityPolicy(null);
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });
  it('allows no WebSocket to any host in the built app: it talks over IPC only', () => {
    expect(directive(desktopContentSecurityPolicy(null), 'connect-src')).toBe("connect-src 'self'");
  });
  it('in dev adds only the dev server HMR socket, not ws: to any host', () => {
    const csp = desktopContentSecurityPolicy('http://localhost:5173/');
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' ws://localhost:5173");
    expect(csp.split(/[ ;]+/)).not.toContain('ws:');
  });
});
