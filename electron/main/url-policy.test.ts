import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { desktopContentSecurityPolicy, isOwnRendererUrl, isSafeExternalUrl } from './url-policy';

const indexFile = '/opt/app/out/renderer/index.html';
const built = { indexFile, devServerUrl: null };

describe('isOwnRendererUrl', () => {
  it('accepts the built index.html with any hash route', () => {
    const url = pathToFileURL(indexFile).href;
    expect(isOwnRendererUrl(url, built)).toBe(true);
    expect(isOwnRendererUrl(`${url}#/sql`, built)).toBe(true);
  });
  it('refuses other files, other schemes and lookalikes', () => {
    expect(isOwnRendererUrl(pathToFileURL('/opt/app/out/renderer/other.html').href, built)).toBe(false);
    expect(isOwnRendererUrl(pathToFileURL('/etc/passwd').href, built)).toBe(false);
    expect(isOwnRendererUrl('file:///opt/app/out/renderer/../renderer/index.html/../../x', built)).toBe(false);
    expect(isOwnRendererUrl('https://example.com/index.html', built)).toBe(false);
    expect(isOwnRendererUrl('file://evil.example/opt/app/out/renderer/index.html', built)).toBe(false);
    expect(isOwnRendererUrl('not a url', built)).toBe(false);
  });
  it('in dev accepts only the dev server origin', () => {
    const dev = { indexFile, devServerUrl: 'http://localhost:5173/' };
    expect(isOwnRendererUrl('http://localhost:5173/#/sql', dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isOwnRendererUrl(pathToFileURL(indexFile).href, dev)).toBe(false);
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
  it('forbids inline scripts in the built app', () => {
    const csp = desktopContentSecurityPolicy(false);
    expect(csp).toContain("script-src 'self'");
    expect(csp.split('; ').find((d) => d.startsWith('script-src'))).toBe("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
