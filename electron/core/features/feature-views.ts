import { featureViewName, isFeatureSetName } from '../../../shared/domain/features';
import { qualifiedName } from '../../../shared/sql';
import { sqlPathList } from '../lake/lake-sql';

/**
 * The lake dataset every feature set is written into: `features/<set>/v<N>/date=YYYY-MM-DD/part-*.parquet`, with its
 * manifests under `_manifests/features/`. Its views are one per set version, `features.<set>_v<N>` (schema
 * `features`), never one over all sets.
 */
export const FEATURES_DATASET = 'features';

/** `<...>/features/<set>/v<N>/date=D/part-x.parquet` (a local path or a key) → set and version; null for anything else. */
export function featureFileOf(path: string): { name: string; version: number } | null {
  const parts = path.split(/[\\/]/);
  const n = parts.length;
  if (n < 5 || parts[n - 5] !== FEATURES_DATASET || !/^date=\d{4}-\d{2}-\d{2}$/.test(parts[n - 2])) return null;
  const m = /^v([1-9]\d*)$/.exec(parts[n - 3]);
  const name = parts[n - 4];
  return m && isFeatureSetName(name) ? { name, version: Number(m[1]) } : null;
}

/**
 * The views of the visible feature files: per set version, its files in one `read_parquet` (every file of a version
 * has the columns its definition declares; files of two shapes are read by name).
 */
export function featureViewsSql(files: readonly { path: string; sig: string }[]): { name: string; sql: string }[] {
  const groups = new Map<string, { name: string; version: number; paths: string[]; sigs: Set<string> }>();
  for (const f of files) {
    const of = featureFileOf(f.path);
    if (of === null) continue;
    const id = `${of.name}@${of.version}`;
    const g = groups.get(id) ?? { ...of, paths: [], sigs: new Set<string>() };
    g.paths.push(f.path);
    g.sigs.add(f.sig);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => {
    const name = qualifiedName(FEATURES_DATASET, featureViewName(g.name, g.version));
    const byName = g.sigs.size > 1 ? 'union_by_name = true, ' : '';
    return {
      name,
      sql: `CREATE OR REPLACE VIEW ${name} AS SELECT * FROM read_parquet(${sqlPathList(g.paths)}, ${byName}hive_partitioning = false)`,
    };
  });
}
