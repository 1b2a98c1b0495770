import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
  open(): NodeJS.ReadableStream;
}

/**
 * Maps a URL path to a path inside `root` (the root itself for `/`), or null. Safe against traversal: the path
 * is percent-decoded once, NUL and backslashes are refused, and the resolved path must stay inside the root
 * folder. Dot-files are never served. Pure: the file system is not read.
 */
export function staticFilePath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const base = resolve(root);
  const full = resolve(join(base, ...segments));
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

/** The file `urlPath` names inside `root` (see staticFilePath), or null when there is none. */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  const full = staticFilePath(root, urlPath);
  if (full === null) return null;
  try {
    const info = await stat(full);
    if (!info.isFile()) return null;
    return { path: full, size: info.size, contentType: contentTypeOf(full), open: () => createReadStream(full) };
  } catch {
    return null;
  }
}
