/**
 * How a browser proves it holds the web host's token. The token travels in the printed link's
 * fragment (`/#token=<token>`, never sent to a server), then only in request headers: never in a
 * cookie (cookies reach every port of 127.0.0.1) and never in a query string.
 */

/** HTTP requests (API calls, uploads, download tickets) carry `Authorization: Bearer <token>`. */
export function bearerHeader(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/**
 * The events WebSocket: browsers cannot set headers on a handshake, so the page offers two
 * subprotocols, this one (which the host selects and echoes) and `tokenProtocol(token)` (which
 * the host checks and never echoes). The handshake itself is refused without the token.
 */
export const EVENTS_PROTOCOL = 'battery-workbench.events';
export const TOKEN_PROTOCOL_PREFIX = 'battery-workbench.token.';

export function tokenProtocol(token: string): string {
  return `${TOKEN_PROTOCOL_PREFIX}${token}`;
}

/** The fragment key of the printed link. */
export const TOKEN_FRAGMENT_KEY = 'token';

/** The link the web host prints: the token in the fragment. */
export function tokenLink(origin: string, token: string): string {
  return `${origin}/#${TOKEN_FRAGMENT_KEY}=${token}`;
}

/**
 * Splits the page's `location.hash` into the token it carries (if any) and the hash the app's
 * router should see. `#token=T` → the default view; `#token=T#/settings` → `#/settings`, so a
 * deep link is the printed link with a route appended. A hash without a token is left alone.
 */
export function splitTokenFragment(hash: string): { token: string | null; hash: string } {
  const m = new RegExp(`^#${TOKEN_FRAGMENT_KEY}=([^#&]*)(?:&[^#]*)?(#.*)?$`).exec(hash);
  if (!m) return { token: null, hash };
  let token: string | null;
  try {
    token = decodeURIComponent(m[1]) || null;
  } catch {
    token = null;
  }
  return { token, hash: m[2] ?? '' };
}

/** Where the page asks (POST, JSON `{ id }`, with the bearer header) for a one-time download URL. */
export const DOWNLOAD_TICKET_PATH = '/download-ticket';

/** The answer of DOWNLOAD_TICKET_PATH: a URL that serves the export once, within `expiresInMs`. */
export interface DownloadTicket {
  href: string;
  expiresInMs: number;
}

/** `/download/<id>` with each part of the id URL-encoded (ids are paths relative to the exports folder). */
export function downloadPath(downloadId: string): string {
  return `/download/${downloadId.split('/').map(encodeURIComponent).join('/')}`;
}
