/** A deep link to a saved query: `#/sql/saved/<name>?site=FRA1&from=...` (the name's folders as path parts). */
export interface SavedLink {
  name: string;
  /** Parameter values from the link: values to bind, never SQL. */
  values: Record<string, string>;
}

const PREFIX = 'saved/';

/** The saved query a `#/sql/<rest>` route opens, or null when it names none (or is not valid percent-encoding). */
export function parseSavedLink(rest: string): SavedLink | null {
  if (!rest.startsWith(PREFIX)) return null;
  const q = rest.indexOf('?');
  const path = rest.slice(PREFIX.length, q < 0 ? undefined : q);
  let name: string;
  try {
    name = path
      .split('/')
      .map((part) => decodeURIComponent(part))
      .join('/');
  } catch {
    return null;
  }
  if (!name.trim()) return null;
  const values: Record<string, string> = {};
  if (q >= 0) for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) values[key.replace(/^\$/, '')] = value;
  return { name, values };
}

/** The route rest (after `#/sql/`) of a link to the saved query `name` with `values` filled in. */
export function savedLinkRest(name: string, values: Readonly<Record<string, string>> = {}): string {
  const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== '')).toString();
  return `${PREFIX}${name.split('/').map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
}
