import type { DuckDBConnection } from '@duckdb/node-api';
import type { SliceSources } from '../../../shared/api/slice';
import type { SliceSpec } from '../../../shared/domain/slice-spec';
import type { Lake } from '../lake/lake';
import { getMirrorStates } from '../mirror/meta';

/** The datasets a slice reads: its own, and its label source. */
export function datasetsRead(spec: SliceSpec): string[] {
  return spec.labels ? [spec.dataset, spec.labels.from] : [spec.dataset];
}

/**
 * What the slice reads, for the manifest (`splits`: getSplits): the tier split (cold before it, hot at or after), the lake
 * files whose day partitions overlap the range and lie before the split, and the hot mirror's watermark.
 */
export async function collectSources(
  conn: DuckDBConnection,
  lake: Lake,
  spec: SliceSpec,
  splits: ReadonlyMap<string, string>,
): Promise<SliceSources> {
  const mirror = await getMirrorStates(conn);
  const sources: SliceSources = { tierSplit: {}, lakeFiles: [], hotMirror: {} };
  for (const name of datasetsRead(spec)) {
    const split = splits.get(name) ?? null;
    sources.tierSplit[name] = split;
    const st = mirror.get(name);
    sources.hotMirror[name] = { watermark: st?.watermark ?? 0, rows: st?.rows ?? 0, syncedAt: st?.syncedAt ?? null };
    // Labels may come from before the range (the latest one known at a row's time); slice rows only from within it.
    const firstDay = name === spec.dataset ? spec.from.slice(0, 10) : '0000-00-00';
    const lastDay = new Date(Date.parse(spec.to) - 1).toISOString().slice(0, 10);
    // Without a split the unified view reads no cold rows at all.
    if (split === null) continue;
    const splitDay = split.slice(0, 10);
    for (const f of await lake.readable(name)) {
      const day = f.partition.date;
      if (day === undefined || day < firstDay || day > lastDay || day > splitDay) continue;
      sources.lakeFiles.push({ key: f.key, bytes: f.size, modifiedAt: f.modifiedAt.toISOString() });
    }
  }
  return sources;
}
