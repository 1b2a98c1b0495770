/**
 * JSON text for query rows, written by hand so that BIGINT/UBIGINT values are emitted as
 * exact number literals (JSON.stringify cannot write a bigint, and Number would round it).
 * Strings are emitted verbatim (JSON-escaped only); NULL is null.
 */
export function jsonValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    // JSON has no NaN or infinities; keep them visible as strings rather than silently null.
    return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(jsonValue).join(',')}]`;
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return jsonValue((value as { toJSON(): unknown }).toJSON());
  }
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${jsonValue(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(String(value));
}

/** Unique object keys for a row: a repeated column name gets `_2`, `_3`, ... (JSON objects cannot repeat keys). */
export function uniqueKeys(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let key = name;
    for (let i = 2; seen.has(key); i++) key = `${name}_${i}`;
    seen.add(key);
    return key;
  });
}

/** One row object as JSON text; `keys` from uniqueKeys, values column-major. */
export function jsonRow(keys: string[], columns: unknown[][], row: number): string {
  let out = '{';
  for (let c = 0; c < keys.length; c++) {
    if (c > 0) out += ',';
    out += `${JSON.stringify(keys[c])}:${jsonValue(columns[c][row])}`;
  }
  return `${out}}`;
}
