import { errorMessage } from '../../../shared/api/errors';
import { authHeaders } from '../../api/session';
import { isCsvName } from './convertForm';

/** What the drop turned into: paths the core can read, and a sentence per file that could not be used. */
export interface DropResult {
  paths: string[];
  errors: string[];
}

/** How a dropped file becomes a path: the desktop's preload knows the real path; the browser uploads it to the host. */
export interface DropEnv {
  /** Desktop only: the file's real path (folders too). */
  pathForFile: ((file: File) => string) | null;
  /** Browser: stores the file next to the core and answers its path. */
  upload: (file: File) => Promise<string>;
}

/** The preload's `window.workbench.pathForFile`, when this is the desktop app and it is exposed. */
function preloadPathForFile(): ((file: File) => string) | null {
  const bridge: unknown = window.workbench;
  if (typeof bridge !== 'object' || bridge === null) return null;
  const fn = (bridge as { pathForFile?: unknown }).pathForFile;
  return typeof fn === 'function' ? (file: File) => String((fn as (f: File) => unknown).call(bridge, file) ?? '') : null;
}

/** PUT /upload?name=… on the web host, which answers `{ path }`. */
export async function uploadToHost(file: File): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, { method: 'PUT', body: file, headers: authHeaders() });
  } catch (err) {
    throw new Error(`The upload of ${file.name} failed: the host did not answer (${String(err)}).`, { cause: err });
  }
  if (res.status === 404) throw new Error(`The host does not accept uploads; choose ${file.name} with "Add files…" instead.`);
  if (!res.ok)
    throw new Error(
      `The upload of ${file.name} failed: ${res.status} ${res.statusText} ${(await res.text().catch(() => '')).slice(0, 200)}`.trim(),
    );
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new Error(`The upload of ${file.name} got an answer that is not JSON.`);
  }
  const path = (body as { path?: unknown } | null)?.path;
  if (typeof path !== 'string' || path === '') throw new Error(`The upload of ${file.name} got no path back.`);
  return path;
}

export function defaultDropEnv(): DropEnv {
  return { pathForFile: preloadPathForFile(), upload: uploadToHost };
}

/**
 * Turns dropped files into input paths. In the desktop app every dropped item (file or folder)
 * keeps its real path. In the browser only CSV/TSV files (optionally .gz) are uploaded, one
 * after the other; a folder cannot be uploaded and is named in `errors`.
 */
export async function pathsFromDrop(files: readonly File[], env: DropEnv = defaultDropEnv()): Promise<DropResult> {
  const paths: string[] = [];
  const errors: string[] = [];
  for (const file of files) {
    if (env.pathForFile) {
      const p = env.pathForFile(file);
      if (p) paths.push(p);
      else errors.push(`${file.name}: the app could not tell where this file is; choose it with "Add files…".`);
      continue;
    }
    if (!isCsvName(file.name)) {
      errors.push(
        file.type === '' && file.size === 0
          ? `${file.name}: folders cannot be dropped in the browser; use "Add folder…".`
          : `${file.name}: not a CSV, CSV.GZ or TSV file.`,
      );
      continue;
    }
    try {
      paths.push(await env.upload(file));
    } catch (err) {
      errors.push(errorMessage(err));
    }
  }
  return { paths, errors };
}
