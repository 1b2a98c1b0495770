import { DOWNLOAD_TICKET_PATH, downloadPath, type DownloadTicket } from '../../../shared/api/web-auth';
import { authHeaders } from '../../api/session';

/** True inside the desktop app (the preload bridge is there); false in a browser on the web host. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.workbench !== undefined;
}

/**
 * The web host serves files of the workspace's exports folder at /download/<id> (ids are paths relative
 * to that folder; each part is URL-encoded). Null when the file has no id or in the desktop app.
 * The plain path needs the token: a click goes through downloadExport(), which adds a one-time ticket.
 */
export function downloadHref(downloadId: string | null): string | null {
  if (downloadId === null || isDesktop()) return null;
  return downloadPath(downloadId);
}

/**
 * Downloads an export in the browser: asks the host (with the token header) for a one-time URL,
 * then lets the browser fetch it as an `<a download>`, which cannot carry a header itself.
 * Throws an Error whose message says what went wrong.
 */
export async function downloadExport(downloadId: string, fileName = ''): Promise<void> {
  let res: Response;
  try {
    res = await fetch(DOWNLOAD_TICKET_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders() },
      body: JSON.stringify({ id: downloadId }),
    });
  } catch (err) {
    throw new Error(`The download could not start: the host did not answer (${String(err)}).`, { cause: err });
  }
  if (res.status === 401)
    throw new Error('The download was refused: the workbench token is missing or wrong. Open the link the web host printed.');
  const body = (await res.json().catch(() => null)) as (Partial<DownloadTicket> & { error?: unknown }) | null;
  if (!res.ok || typeof body?.href !== 'string') {
    throw new Error(`The download could not start: ${typeof body?.error === 'string' ? body.error : `${res.status} ${res.statusText}`}`);
  }
  const a = document.createElement('a');
  a.href = body.href;
  a.download = fileName;
  a.click();
}
