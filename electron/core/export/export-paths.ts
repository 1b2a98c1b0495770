import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';

/** Where exports go by default: `<workspace>/exports`. The web host serves files from here at /download/<id>. */
export function exportsDirOf(workspaceRoot: string): string {
  return join(resolve(workspaceRoot), 'exports');
}

/** `2024-05-01T12-30-05-123Z`: sortable, safe in file names on every OS. */
export function timestampTag(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * The id the web host serves a file under: its path relative to the exports folder, `/`-separated
 * (`result-2024-05-01T12-30-05-123Z.csv`, `telemetry-slice-.../manifest.json`); null outside that folder.
 */
export function downloadIdFor(exportsDir: string, path: string): string | null {
  const rel = relative(resolve(exportsDir), resolve(path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

async function kindOf(path: string): Promise<'dir' | 'file' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

/**
 * The file an export writes: `<exports>/<name>-<time>.<ext>` by default, `<folder>/<name>-<time>.<ext>` for an
 * existing folder, else the path itself (with the extension added when it has none). Never an existing file.
 */
export async function resolveExportFile(options: { path?: string; exportsDir: string; name: string; ext: string }): Promise<string> {
  const fileName = `${options.name}-${timestampTag()}.${options.ext}`;
  let target: string;
  if (options.path === undefined) {
    target = join(options.exportsDir, fileName);
  } else {
    const p = resolve(options.path);
    const kind = await kindOf(p);
    if (kind === 'dir') target = join(p, fileName);
    else target = /\.[A-Za-z0-9]{1,8}$/.test(p) ? p : `${p}.${options.ext}`;
  }
  if ((await kindOf(target)) !== null) {
    throw new WorkbenchError(
      'CONFLICT',
      `${target} already exists; an export never replaces a file.`,
      'Choose another name or folder, or remove the file first.',
    );
  }
  return target;
}

/** Whether `child` is `parent` or inside it. */
export function isInside(parent: string, child: string): boolean {
  const p = resolve(parent);
  const c = resolve(child);
  return c === p || c.startsWith(p.endsWith(sep) ? p : p + sep);
}
