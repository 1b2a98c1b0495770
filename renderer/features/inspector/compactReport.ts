import type { CompactionReport } from '../../../shared/api/storage';

/** What storage.compact's job reports, as the renderer checks it. */
export type CompactResult = CompactionReport;

export function asCompactResult(value: unknown): CompactResult | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const keys: (keyof CompactResult)[] = ['partitions', 'filesBefore', 'filesAfter', 'rows', 'bytesBefore', 'bytesAfter'];
  return keys.every((k) => typeof r[k] === 'number') ? (value as CompactResult) : null;
}
