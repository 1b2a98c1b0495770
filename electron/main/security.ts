import { shell, type Session, type WebContents } from 'electron';
import { desktopContentSecurityPolicy, isOwnRendererUrl, isSafeExternalUrl, type RendererLocation } from './url-policy';

/** Permissions the renderer may use: writing text to the clipboard (Copy cell / Ctrl+C in the grid). */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** Session-wide hardening: a CSP header on every response, and every permission denied except the clipboard write. */
export function hardenSession(session: Session, dev: boolean): void {
  const csp = desktopContentSecurityPolicy(dev);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
  session.setDevicePermissionHandler(() => false);
}

/** Opens a link in the OS browser only when it is a plain http(s) URL. */
export function openExternalSafely(url: string): void {
  if (isSafeExternalUrl(url)) void shell.openExternal(url);
}

/**
 * The window never navigates away from the renderer and never opens new windows:
 * http(s) links go to the OS browser instead; everything else is dropped.
 */
export function lockNavigation(contents: WebContents, where: RendererLocation): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isOwnRendererUrl(event.url, where)) return;
    event.preventDefault();
    openExternalSafely(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isOwnRendererUrl(event.url, where)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
