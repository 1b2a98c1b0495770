import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/api/web-auth';

/** A fresh random token per start of the host: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so the comparison time does not
 * depend on the length of the guess either.
 */
export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null;
}

/** True when the request carries `Authorization: Bearer <token>`. Cookies are never read. */
export function isAuthorized(headers: IncomingHttpHeaders, token: string): boolean {
  return tokensEqual(token, bearerToken(headers));
}

/** The subprotocols a WebSocket handshake offers (`Sec-WebSocket-Protocol: a, b`). */
export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (typeof raw !== 'string') return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * A WebSocket handshake is authorized by the bearer header (scripts) or, from a browser, which
 * cannot set headers there, by offering the subprotocol `battery-workbench.token.<token>`.
 */
export function isAuthorizedUpgrade(headers: IncomingHttpHeaders, token: string): boolean {
  if (isAuthorized(headers, token)) return true;
  const offered = offeredProtocols(headers).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return offered !== undefined && tokensEqual(token, offered.slice(TOKEN_PROTOCOL_PREFIX.length));
}

/** The Host header must name this host exactly (DNS-rebinding defence). */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Browsers always send Origin on a WebSocket handshake; only our own origins may connect. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true; // not a browser: the token still has to match
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}
