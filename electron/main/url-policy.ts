import { APP_HOST, APP_SCHEME } from './app-protocol';

/** Where the renderer is loaded from: app://bundle/index.html (files of out/renderer), or the dev server in `npm run dev`. */
export interface RendererLocation {
  /** Absolute path of out/renderer, the only folder app:// serves. */
  rendererDir: string;
  /** http://localhost:5173/ style URL when running the Vite dev server, else null. */
  devServerUrl: string | null;
}

/** True when `url` is our own renderer page, app://bundle/index.html (any hash route), nothing else. */
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
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.pathname === '/index.html' &&
    parsed.search === ''
  );
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

/**
 * The desktop CSP: the renderer's meta CSP with a narrow connect-src (the desktop talks over IPC only, so no
 * WebSocket to any host), plus frame-ancestors. In `npm run dev` only Vite's HMR socket on the dev server is added.
 */
export function desktopContentSecurityPolicy(devServerUrl: string | null): string {
  const dev = devServerUrl === null ? null : new URL(devServerUrl);
  return [
    "default-src 'self'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    dev ? `connect-src 'self' ${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
