/** What storage.compact's job reports (the core's CompactionReport), as the renderer checks it. */
export interface CompactResult {
  partitions: number;
  filesBefore: number;
  filesAfter: number;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
}

export function asCompactResult(value: unknown): CompactResult | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const keys: (keyof CompactResult)[] = ['partitions', 'filesBefore', 'filesAfter', 'rows', 'bytesBefore', 'bytesAfter'];
  return keys.every((k) => typeof r[k] === 'number') ? (value as CompactResult) : null;
}
