import { z } from 'zod';
import { method } from './define';

/** One entry of a folder listing. */
export interface FileEntry {
  name: string;
  /** Absolute path, as the core's file system spells it. */
  path: string;
  kind: 'dir' | 'file';
  /** Size in bytes (0 for folders). */
  bytes: number;
  /** ISO 8601 time of the last change, or null when it could not be read. */
  modifiedAt: string | null;
}

export interface FileListing {
  /** The folder listed (absolute). */
  path: string;
  /** Its parent folder, or null at a root. */
  parent: string | null;
  /** Folders first, then files; by name. Hidden (dot) entries are skipped. */
  entries: FileEntry[];
  /** The user's home folder, for a "home" shortcut. */
  home: string;
  /** When the path asked for was a file: that file (the listing is of its folder). */
  file: string | null;
  /** True when the folder held more entries than one listing returns. */
  truncated: boolean;
}

/** The most entries one listing returns; a picker filters and the user can type a path. */
export const MAX_LISTING_ENTRIES = 5_000;

export const filesApi = {
  /**
   * Lists a folder on the machine the core runs on (default: the user's home folder), for the
   * in-app file and folder picker that works the same in the desktop app and the browser.
   */
  list: method<FileListing>()(z.object({ path: z.string().trim().min(1).max(4096).optional() }).default({})),
};
