import type { ConvertReport } from '../../../shared/api/convert';

/** Where a conversion wrote to, in words: `lake dataset cells` or the folder path. */
export function describeTarget(target: ConvertReport['target']): string {
  return target.kind === 'lake' ? `lake dataset ${target.dataset}` : target.path;
}
