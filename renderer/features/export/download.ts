/** True inside the desktop app (the preload bridge is there); false in a browser on the web host. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.workbench !== undefined;
}

/**
 * The web host serves files of the workspace's exports folder at /download/<id> (ids are paths relative
 * to that folder; each part is URL-encoded). Null when the file has no id or in the desktop app.
 */
export function downloadHref(downloadId: string | null): string | null {
  if (downloadId === null || isDesktop()) return null;
  return `/download/${downloadId.split('/').map(encodeURIComponent).join('/')}`;
}
