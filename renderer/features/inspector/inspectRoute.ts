/** What the inspector shows: a lake dataset by name, or any .parquet file or folder by path. */
export type InspectTarget = { dataset: string } | { path: string };

/** Lake dataset names as storage.inspect accepts them. */
const DATASET_RE = /^[A-Za-z0-9_][A-Za-z0-9_.=-]*$/;

/**
 * The route after `#/inspect/`: `<dataset>` for a lake dataset, `path/<encoded path>` for any
 * file or folder (the path is one encodeURIComponent'ed segment, so `/` inside it is `%2F`).
 */
export function inspectRest(target: InspectTarget): string {
  return 'dataset' in target ? encodeURIComponent(target.dataset) : `path/${encodeURIComponent(target.path)}`;
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The inverse of inspectRest; also takes a bare encoded absolute path (`%2Fdata%2Fx.parquet`). Null when empty or unusable. */
export function parseInspectRest(rest: string): InspectTarget | null {
  if (rest === '') return null;
  if (rest.startsWith('path/')) {
    const path = decode(rest.slice('path/'.length));
    return path ? { path } : null;
  }
  const text = decode(rest);
  if (text === null || text === '') return null;
  if (DATASET_RE.test(text) && !/\.parquet$/i.test(text)) return { dataset: text };
  return { path: text };
}

/** A short label for the target. */
export function targetLabel(target: InspectTarget): string {
  return 'dataset' in target ? target.dataset : target.path;
}
