import type { ConvertReport } from '../../../shared/api/convert';

/** A job's `report` is `unknown` on the wire; accept it as a ConvertReport only if it has that shape. */
export function asConvertReport(value: unknown): ConvertReport | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const nums = ['rows', 'rowsIn', 'rejected', 'inputBytes', 'outputBytes', 'ratio', 'elapsedMs'];
  if (!nums.every((k) => typeof r[k] === 'number')) return null;
  if (!Array.isArray(r.files) || !Array.isArray(r.rejects) || typeof r.target !== 'object' || r.target === null) return null;
  return value as ConvertReport;
}

/** Where a conversion wrote to, in words: `lake dataset cells` or the folder path. */
export function describeTarget(target: ConvertReport['target']): string {
  return target.kind === 'lake' ? `lake dataset ${target.dataset}` : target.path;
}
