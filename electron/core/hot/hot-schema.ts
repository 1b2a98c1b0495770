import type pg from 'pg';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { HOT_SCHEMA } from './hot-store';

/** CREATE TABLE for a dataset in the hot store. Time series get an `ingest_id` identity (the mirror's watermark). */
export function createTableSql(spec: DatasetSpec): string {
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${c.pg}${c.nullable ? '' : ' NOT NULL'}`);
  if (spec.kind === 'timeseries') cols.push(`${quoteIdent(INGEST_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`);
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_SCHEMA, spec.name)} (${cols.join(', ')})`;
}

/** Keys and indexes, added after a bulk load (faster than maintaining them row by row). */
export function indexSql(spec: DatasetSpec): string[] {
  const table = qualifiedName(HOT_SCHEMA, spec.name);
  const out = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = ${quoteLiteral(`${spec.name}_pkey`)}) THEN ` +
      `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(`${spec.name}_pkey`)} PRIMARY KEY (${spec.primaryKey.map(quoteIdent).join(', ')}); END IF; END $$`,
  ];
  if (spec.kind === 'timeseries') {
    out.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_${INGEST_COLUMN}_idx`)} ON ${table} (${quoteIdent(INGEST_COLUMN)})`);
  }
  if (spec.splitColumn) {
    out.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_${spec.splitColumn}_idx`)} ON ${table} (${quoteIdent(spec.splitColumn)})`);
  }
  return out;
}

/** Create every hot table that does not exist yet, with keys and indexes. */
export async function ensureHotSchema(client: pg.Client, options: { indexes: boolean } = { indexes: true }): Promise<void> {
  for (const name of DATASET_NAMES) {
    const spec = DATASETS[name];
    await client.query(createTableSql(spec));
    if (options.indexes) for (const sql of indexSql(spec)) await client.query(sql);
  }
}

export async function addHotIndexes(client: pg.Client): Promise<void> {
  for (const name of DATASET_NAMES) for (const sql of indexSql(DATASETS[name])) await client.query(sql);
  await client.query('ANALYZE');
}

/** Drop every workbench table from the hot store (the demo starts from a clean slate). */
export async function dropHotTables(client: pg.Client): Promise<void> {
  for (const name of DATASET_NAMES) await client.query(`DROP TABLE IF EXISTS ${qualifiedName(HOT_SCHEMA, name)}`);
}

/** True when the hot store holds none of the workbench's tables, or they are all empty. */
export async function hotStoreIsEmpty(client: pg.Client): Promise<boolean> {
  const res = await client.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2::text[])',
    [HOT_SCHEMA, [...DATASET_NAMES]],
  );
  if (Number(res.rows[0]?.n ?? '0') === 0) return true;
  const probe = await client.query<{ has: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${qualifiedName(HOT_SCHEMA, 'battery')}) AS has`,
  ).catch(() => ({ rows: [{ has: false }] }));
  return !probe.rows[0]?.has;
}
