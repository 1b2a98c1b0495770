import { BrowserWindow, dialog, protocol, shell, type Session, type WebContents } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appResponse } from './app-protocol';
import { confirmedExternalUrl, externalLinkPrompt } from './external-link';
import { desktopContentSecurityPolicy, isOwnRendererUrl, type RendererLocation } from './url-policy';

/** Permissions the renderer may use: writing text to the clipboard (Copy cell / Ctrl+C in the grid). */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** Declares app:// a standard, secure scheme; must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** Serves the built renderer at app://bundle/ (files of out/renderer only), every response with the desktop CSP. */
export function serveRenderer(where: RendererLocation): void {
  const csp = desktopContentSecurityPolicy(where.devServerUrl);
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = await appResponse(request.method, request.url, where.rendererDir, csp);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
}

/**
 * Session-wide hardening: a CSP header on every http(s) response (the dev server's; app:// sets its own, as the
 * header hook never sees custom schemes), and every permission denied except the clipboard write.
 */
export function hardenSession(session: Session, devServerUrl: string | null): void {
  const csp = desktopContentSecurityPolicy(devServerUrl);
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

/** One confirmation at a time: a page asking again while one is open is ignored. */
let confirming = false;

/**
 * Opens a link in the OS browser only when it is a plain http(s) URL and the user agreed in a dialog that
 * shows the full address.
 */
async function openExternalAfterConfirm(contents: WebContents, url: string): Promise<void> {
  const prompt = externalLinkPrompt(url);
  if (prompt === null || confirming) return;
  confirming = true;
  try {
    const owner = BrowserWindow.fromWebContents(contents);
    const answer = owner ? await dialog.showMessageBox(owner, prompt.options) : await dialog.showMessageBox(prompt.options);
    const target = confirmedExternalUrl(prompt, answer.response);
    if (target !== null) await shell.openExternal(target);
  } finally {
    confirming = false;
  }
}

function openExternalSafely(contents: WebContents, url: string): void {
  openExternalAfterConfirm(contents, url).catch(() => undefined);
}

/**
 * The window never navigates away from the renderer and never opens new windows:
 * http(s) links go to the OS browser after the user confirms; everything else is dropped.
 */
export function lockNavigation(contents: WebContents, where: RendererLocation): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(contents, url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isOwnRendererUrl(event.url, where)) return;
    event.preventDefault();
    openExternalSafely(contents, event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isOwnRendererUrl(event.url, where)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
