import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import { ENTITY_KEYS, featureRef, featureViewName, parseFeatureRef, type SliceFeatureSet } from '../../../shared/domain/features';
import { SLICE_SHAPES, type SliceSpec } from '../../../shared/domain/slice-spec';
import { queryRows } from '../engine/duck-query';
import type { Lake } from '../lake/lake';
import { FEATURES_DATASET } from './feature-views';
import { requireVersion } from './registry';

/**
 * The feature sets a slice spec names, resolved against the lake: each version's stored definition (its hash, lag,
 * entity and columns, as the manifest records them). A version that does not exist, is keyed by another unit than
 * the slice's rows, or has no materialized day yet is a clear error naming it.
 */
export async function resolveSliceFeatures(conn: DuckDBConnection, lake: Lake, spec: SliceSpec): Promise<SliceFeatureSet[]> {
  const out: SliceFeatureSet[] = [];
  const entity = SLICE_SHAPES[spec.dataset].entityColumn;
  for (const text of spec.features ?? []) {
    const ref = parseFeatureRef(text);
    if (ref === null) throw new WorkbenchError('BAD_INPUT', `features: "${text.slice(0, 80)}" is not <set>@v<N>.`);
    const stored = await requireVersion(lake, ref.name, ref.version);
    const def = stored.definition;
    const key = ENTITY_KEYS[def.entity];
    if (key !== entity)
      throw new WorkbenchError(
        'BAD_INPUT',
        `features: ${featureRef(ref.name, ref.version)} is per ${def.entity} (${key}), but ${spec.dataset} rows are per ${entity}; pick a set keyed by ${entity}.`,
      );
    const view = await queryRows(conn, `SELECT 1 FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2`, [
      FEATURES_DATASET,
      featureViewName(ref.name, ref.version),
    ]);
    if (view.length === 0)
      throw new WorkbenchError(
        'NOT_FOUND',
        `features: ${featureRef(ref.name, ref.version)} has no materialized day in this workspace's lake.`,
        `Run \`battery-workbench features materialize --set ${ref.name}\` first.`,
      );
    out.push({
      ref: featureRef(ref.name, ref.version),
      name: ref.name,
      version: ref.version,
      hash: stored.hash,
      entityColumn: key,
      lagMinutes: def.lagMinutes,
      columns: def.columns.map((c) => c.name),
    });
  }
  return out;
}
