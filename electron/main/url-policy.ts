import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Where the renderer is loaded from: the built index.html, or the dev server in `npm run dev`. */
export interface RendererLocation {
  /** Absolute path of out/renderer/index.html. */
  indexFile: string;
  /** http://localhost:5173/ style URL when running the Vite dev server, else null. */
  devServerUrl: string | null;
}

/** True when `url` is our own renderer page (any hash route), nothing else. */
export function isOwnRendererUrl(url: string, where: RendererLocation): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (where.devServerUrl) {
    const dev = new URL(where.devServerUrl);
    return parsed.origin === dev.origin;
  }
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
  parsed.hash = '';
  parsed.search = '';
  try {
    return resolve(fileURLToPath(parsed)) === resolve(where.indexFile);
  } catch {
    return false;
  }
}

/**
 * Links the app may hand to the OS browser: http(s) only, no embedded credentials,
 * a sane length. Everything else (file:, javascript:, custom schemes) is refused.
 */
export function isSafeExternalUrl(url: string): boolean {
  if (url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.hostname !== ''
  );
}

/** The desktop CSP: the renderer's meta CSP, plus frame-ancestors; dev relaxes what Vite's HMR needs. */
export function desktopContentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    dev ? "connect-src 'self' ws:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
