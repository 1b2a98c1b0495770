import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { FilesApi } from '../../../shared/api/contract';
import { WorkbenchError } from '../../../shared/api/errors';
import { MAX_LISTING_ENTRIES, type FileEntry } from '../../../shared/api/files';

/** How many entries are stat'ed at once. */
const STAT_BATCH = 64;

/** `~` and `~/x` are the home folder; a relative path is taken from the home folder (the picker has no working directory). */
export function resolveUserPath(input: string | undefined, home: string): string {
  if (input === undefined || input === '' || input === '~') return resolve(home);
  if (input.startsWith('~/') || input.startsWith('~\\')) return resolve(home, input.slice(2));
  return isAbsolute(input) ? resolve(input) : resolve(home, input);
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);
}

async function describe(dir: string, d: Dirent): Promise<FileEntry | null> {
  const path = join(dir, d.name);
  try {
    // stat (not lstat): a link to a folder is browsable like a folder.
    const s = await stat(path);
    if (!s.isDirectory() && !s.isFile()) return null;
    return {
      name: d.name,
      path,
      kind: s.isDirectory() ? 'dir' : 'file',
      bytes: s.isDirectory() ? 0 : s.size,
      modifiedAt: Number.isFinite(s.mtimeMs) ? s.mtime.toISOString() : null,
    };
  } catch {
    // A dangling link or an entry removed while listing: leave it out.
    return null;
  }
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first, then files, each by name (numbers in names sort as numbers). */
export function sortEntries(entries: FileEntry[]): FileEntry[] {
  return [...entries].sort((a, b) =>
    a.kind === b.kind ? byName.compare(a.name, b.name) || (a.name < b.name ? -1 : 1) : a.kind === 'dir' ? -1 : 1,
  );
}

/** files.list: one folder of the machine the core runs on, for the in-app file picker. */
export function createFilesService(options: { home?: string } = {}): FilesApi {
  const home = options.home ?? homedir();
  return {
    list: async (req) => {
      let path = resolveUserPath(req.path, home);
      let file: string | null = null;
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        const code = errnoCode(err);
        const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission was denied' : code;
        throw new WorkbenchError('NOT_FOUND', `Cannot open ${path}: ${why}.`, 'Check the path, or go to a folder above it.');
      }
      if (!info.isDirectory()) {
        file = path;
        path = dirname(path);
      }
      let dirents: Dirent[];
      try {
        dirents = await readdir(path, { withFileTypes: true });
      } catch (err) {
        const code = errnoCode(err);
        throw new WorkbenchError(
          'BAD_INPUT',
          `Cannot list ${path}: ${code === 'EACCES' || code === 'EPERM' ? 'permission was denied' : code}.`,
          'Choose another folder.',
        );
      }
      const visible = dirents.filter((d) => !d.name.startsWith('.'));
      const entries: FileEntry[] = [];
      for (let i = 0; i < visible.length; i += STAT_BATCH) {
        const batch = await Promise.all(visible.slice(i, i + STAT_BATCH).map((d) => describe(path, d)));
        for (const e of batch) if (e) entries.push(e);
      }
      const sorted = sortEntries(entries);
      const parent = dirname(path);
      return {
        path,
        parent: parent === path ? null : parent,
        entries: sorted.slice(0, MAX_LISTING_ENTRIES),
        home: resolve(home),
        file,
        truncated: sorted.length > MAX_LISTING_ENTRIES,
      };
    },
  };
}
