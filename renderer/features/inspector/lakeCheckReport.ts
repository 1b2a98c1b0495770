import type { LakeCheckReport } from '../../../shared/api/storage';

/** What storage.checkLake's job reports, as the renderer checks it. */
export function asLakeCheckReport(value: unknown): LakeCheckReport | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  return typeof r.ok === 'boolean' && Array.isArray(r.problems) && typeof r.files === 'number' && Array.isArray(r.repaired)
    ? (value as LakeCheckReport)
    : null;
}
