import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

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

/**
 * The session cookie's name carries the port: cookies are scoped by host, not port, so two
 * hosts on 127.0.0.1 must not overwrite each other's session.
 */
export function cookieName(port: number): string {
  return `bw_session_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** True when the request carries the session cookie or an `Authorization: Bearer <token>` header. */
export function isAuthorized(headers: IncomingHttpHeaders, port: number, token: string): boolean {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ') && tokensEqual(token, auth.slice('Bearer '.length).trim())) {
    return true;
  }
  return tokensEqual(token, parseCookies(headers.cookie).get(cookieName(port)));
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
