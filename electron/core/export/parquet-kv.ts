import { quoteLiteral } from '../../../shared/sql';

/**
 * DuckDB's COPY option that writes Parquet key-value metadata: `KV_METADATA {'key': 'value', ...}`.
 * Keys and values are string literals through quoteLiteral; an empty record gives no option.
 */
export function kvMetadataOption(meta: Readonly<Record<string, string>>): string | null {
  const entries = Object.entries(meta);
  if (entries.length === 0) return null;
  return `KV_METADATA {${entries.map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}`;
}

/** Parquet COPY options with the key-value metadata appended. */
export function withKvMetadata(options: string, meta: Readonly<Record<string, string>>): string {
  const kv = kvMetadataOption(meta);
  return kv === null ? options : `${options}, ${kv}`;
}
