import { bearerHeader, splitTokenFragment } from '../../shared/api/web-auth';

/**
 * The web host's token in the browser. It arrives in the printed link's fragment (`#token=…`),
 * lives in this tab's sessionStorage (it survives reloads, not the tab) and leaves the page only
 * in request headers. The address bar and history never keep it.
 */
const STORAGE_KEY = 'battery-workbench.token';
let inMemory: string | null = null;

export function sessionToken(): string | null {
  if (inMemory !== null) return inMemory;
  try {
    inMemory = window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the token lives as long as the page.
  }
  return inMemory;
}

function storeToken(token: string): void {
  inMemory = token;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage disabled: keep it in memory only.
  }
}

/** `Authorization: Bearer <token>` when the page has a token; nothing otherwise (the host then answers 401). */
export function authHeaders(): Record<string, string> {
  const token = sessionToken();
  return token === null ? {} : bearerHeader(token);
}

/**
 * Takes the token out of the address bar: `#token=T` keeps T and leaves the default view,
 * `#token=T#/settings` keeps T and leaves `#/settings`. Any `?token=` of an older link form is
 * dropped unread. No history entry is added.
 */
function adoptFromLocation(): void {
  const { token, hash } = splitTokenFragment(window.location.hash);
  const url = new URL(window.location.href);
  if (token === null && !url.searchParams.has('token')) return;
  if (token !== null) storeToken(token);
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${hash}`);
}

/**
 * Call once before the app renders: adopts the token of the link the page was opened with, and
 * of a link pasted into this tab later (a fragment-only change loads no new page). This listener
 * is registered before the router's, so the router never sees the token.
 */
export function adoptTokenFromAddressBar(): void {
  adoptFromLocation();
  window.addEventListener('hashchange', adoptFromLocation);
}
