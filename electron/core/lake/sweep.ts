import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../../shared/api/errors';
import { datasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { COLD_SCHEMA } from '../mirror/meta';
import { datasetOfKey, type Lake, type LakeEntry } from './lake';

export interface Proof {
  proven: boolean;
  why: string;
}

/**
 * Whether removing a local file loses nothing: it is not a readable Parquet file (no row can be read from it), or
 * every one of its rows, counted with multiplicity, is visible elsewhere in its dataset (the unified view of a
 * registry dataset, the cold view of another). A folder (a partitioned write's staging) is judged by its files.
 */
export async function rowsPresentElsewhere(conn: DuckDBConnection, dataset: string, path: string): Promise<Proof> {
  const s = await stat(path).catch(() => null);
  if (s?.isDirectory()) {
    for (const name of await readdir(path)) {
      const inner = await rowsPresentElsewhere(conn, dataset, join(path, name));
      if (!inner.proven) return { proven: false, why: `${name}: ${inner.why}` };
    }
    return { proven: true, why: 'a staging folder holding no row that is not elsewhere' };
  }
  let columns: string[];
  try {
    columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(path)}, hive_partitioning = false)`))
      .getRowObjectsJS()
      .map((r) => String(r.column_name));
  } catch {
    return { proven: true, why: 'not a complete Parquet file (no rows can be read from it)' };
  }
  const spec = datasetSpec(dataset);
  const elsewhere = spec && spec.kind !== 'master' ? qualifiedName('main', spec.name) : qualifiedName(COLD_SCHEMA, dataset);
  try {
    const cols = columns.map(quoteIdent).join(', ');
    const missing = await conn.runAndReadAll(
      `SELECT count(*)::BIGINT AS n FROM (SELECT ${cols} FROM read_parquet(${quoteLiteral(path)}, hive_partitioning = false) EXCEPT ALL SELECT ${cols} FROM ${elsewhere})`,
    );
    const n = Number(missing.getRowObjectsJS()[0]?.n ?? 0);
    return n === 0 ? { proven: true, why: `every row is in ${elsewhere}` } : { proven: false, why: `${n} of its rows are nowhere else` };
  } catch (err) {
    return { proven: false, why: `its rows could not be compared with ${elsewhere}: ${errorMessage(err)}` };
  }
}

/** Temp entries of writers that are gone and that no journal resumes from (`keep`: local paths). */
export async function strayTemps(
  lake: Lake,
  keep: ReadonlySet<string>,
  inScope: (key: string) => boolean = () => true,
): Promise<LakeEntry[]> {
  return (await lake.listEntries()).filter(
    (e) => e.kind === 'temp' && !e.writerAlive && inScope(e.key) && !keep.has(lake.localPath(e.key)),
  );
}

/**
 * The one sweep of leftover temp files (the archiver's at the start of a run, `lake check --repair`): a temp of a
 * writer that is gone, that no journal resumes from, is removed only when removing it loses nothing (see
 * rowsPresentElsewhere); any other is kept and reported. Temps are copies by construction (every writer keeps its
 * source until its file is published), so this is the second line of defence, not the first.
 */
export async function sweepStrayTemps(
  conn: DuckDBConnection,
  lake: Lake,
  keep: ReadonlySet<string>,
  inScope: (key: string) => boolean = () => true,
): Promise<{ removed: { key: string; why: string }[]; kept: { key: string; why: string }[] }> {
  const removed: { key: string; why: string }[] = [];
  const kept: { key: string; why: string }[] = [];
  for (const e of await strayTemps(lake, keep, inScope)) {
    const proof = await rowsPresentElsewhere(conn, datasetOfKey(e.key), lake.localPath(e.key));
    if (proof.proven) {
      await lake.remove(e.key);
      removed.push({ key: e.key, why: proof.why });
    } else {
      kept.push({ key: e.key, why: proof.why });
    }
  }
  return { removed, kept };
}
