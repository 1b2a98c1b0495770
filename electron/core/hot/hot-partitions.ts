import type pg from 'pg';
import { DATASETS, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName } from '../../../shared/sql';
import { dayPartitionName, HOT_SCHEMA } from './hot-schema';

/** The day's own partition of a time series' hot table (qualified name), or null when it has none. */
export async function dayPartitionOf(c: pg.Client, spec: DatasetSpec, day: string): Promise<string | null> {
  if (spec.kind !== 'timeseries') return null;
  const name = dayPartitionName(spec.name, day);
  const found = await c.query(
    `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = to_regclass($1) AND n.nspname = $2 AND c.relname = $3`,
    [qualifiedName(HOT_SCHEMA, spec.name), HOT_SCHEMA, name],
  );
  return found.rowCount ? qualifiedName(HOT_SCHEMA, name) : null;
}

/**
 * Drops the day partitions of `days` once no row is left in them (a row arriving later for such a day lands
 * in the default partition and is archived row by row). A partition that is busy is left for the next run;
 * this never fails its caller.
 */
export async function dropEmptiedPartitions(
  connect: () => Promise<pg.Client>,
  days: readonly { dataset: DatasetName; day: string }[],
): Promise<void> {
  for (const { dataset, day } of days) {
    const spec = DATASETS[dataset];
    if (spec.kind !== 'timeseries') continue;
    const c = await connect().catch(() => null);
    if (!c) return;
    try {
      await c.query('BEGIN');
      await c.query("SET LOCAL lock_timeout = '5s'");
      const part = await dayPartitionOf(c, spec, day);
      if (part) {
        await c.query(`LOCK TABLE ${part} IN ACCESS EXCLUSIVE MODE`);
        const empty = (await c.query(`SELECT 1 FROM ${part} LIMIT 1`)).rowCount === 0;
        if (empty) await c.query(`DROP TABLE ${part}`);
      }
      await c.query('COMMIT');
    } catch {
      await c.query('ROLLBACK').catch(() => undefined);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}
