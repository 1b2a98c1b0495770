import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { contentTypeOf, staticFilePath } from '../web/static-files';

/**
 * The desktop renderer is served from `app://bundle/`, a real, secure origin, instead of `file://`: a file page
 * has no origin of its own, may read other files, and gets no response headers (the session's header hook never
 * sees file:// or custom-scheme requests), so its CSP could only be the meta tag. The handler below sets the CSP
 * header itself and serves only files under out/renderer.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
/** The page the window loads; its hash carries the route. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Privileges for protocol.registerSchemesAsPrivileged: a standard (relative URLs resolve, the page has an origin),
 * secure scheme with the V8 code cache. The CSP is not bypassed, and other origins may not read it (no corsEnabled).
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

export type AppRequestTarget = { ok: true; file: string; contentType: string } | { ok: false; status: 400 | 404 | 405; message: string };

/**
 * Which file of the renderer folder an app:// request names: GET or HEAD only, host `bundle` only, `/` is
 * index.html; traversal (`..`, encoded slashes or backslashes, NUL), dot-files and the folder itself are refused.
 */
export function resolveAppRequest(method: string, url: string, rendererDir: string): AppRequestTarget {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, message: 'Only GET and HEAD are served.' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, message: 'Not a URL.' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username !== '' || parsed.password !== '') {
    return { ok: false, status: 404, message: 'Not found.' };
  }
  const file = staticFilePath(rendererDir, parsed.pathname === '/' ? '/index.html' : parsed.pathname);
  if (file === null || file === resolve(rendererDir)) return { ok: false, status: 404, message: 'Not found.' };
  return { ok: true, file, contentType: contentTypeOf(file) };
}

/** Headers of every app:// response: its type, the desktop CSP (the only place it can be sent), no sniffing. */
export function appResponseHeaders(contentType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

const PLAIN_TEXT = 'text/plain; charset=utf-8';

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  /** Null for HEAD. */
  body: Uint8Array | string | null;
}

/** The answer to one app:// request (read from disk; Electron's fs reads inside the asar archive). */
export async function appResponse(method: string, url: string, rendererDir: string, csp: string): Promise<AppResponse> {
  const answer = (status: number, contentType: string, body: Uint8Array | string): AppResponse => ({
    status,
    headers: appResponseHeaders(contentType, csp),
    body: method === 'HEAD' ? null : body,
  });
  const target = resolveAppRequest(method, url, rendererDir);
  if (!target.ok) return answer(target.status, PLAIN_TEXT, target.message);
  try {
    return answer(200, target.contentType, await readFile(target.file));
  } catch {
    // Missing, or a folder (never a directory listing).
    return answer(404, PLAIN_TEXT, 'Not found.');
  }
}
