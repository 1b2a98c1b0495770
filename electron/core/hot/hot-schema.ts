import type pg from 'pg';
import { ARCHIVABLE_DATASETS } from '../../../shared/api/archive';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { HOT_SCHEMA } from './hot-store';

/** PostgreSQL 17 is the first that allows an identity column (the mirror's watermark) on a partitioned table. */
const PARTITIONED_IDENTITY_SINCE = 170000;

/** How far ahead day partitions are kept ready for incoming rows. */
export const PARTITION_DAYS_AHEAD = 7;

const DAY_MS = 86_400_000;

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The time series kept in day partitions: the ones archived a day at a time. */
function dayPartitioned(spec: DatasetSpec): spec is DatasetSpec & { splitColumn: string } {
  return spec.kind === 'timeseries' && spec.splitColumn !== null && (ARCHIVABLE_DATASETS as readonly string[]).includes(spec.name);
}

/** The UTC day after `day` (both YYYY-MM-DD). */
export function nextUtcDay(day: string): string {
  if (!DAY_RE.test(day)) throw new Error(`Bad day ${day}`);
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * CREATE TABLE for a dataset in the hot store. Time series get an `ingest_id` identity (the mirror's
 * watermark) and, with `partitioned`, one partition per UTC day plus a default partition: archiving a
 * day then empties its partition with TRUNCATE instead of deleting row by row (see archiver.ts).
 */
function createTableSql(spec: DatasetSpec, options: { partitioned?: boolean } = {}): string[] {
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${c.pg}${c.nullable ? '' : ' NOT NULL'}`);
  if (spec.kind === 'timeseries') cols.push(`${quoteIdent(INGEST_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`);
  const table = qualifiedName(HOT_SCHEMA, spec.name);
  if (!(options.partitioned && dayPartitioned(spec))) return [`CREATE TABLE IF NOT EXISTS ${table} (${cols.join(', ')})`];
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (${cols.join(', ')}) PARTITION BY RANGE (${quoteIdent(spec.splitColumn)})`,
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_SCHEMA, `${spec.name}_default`)} PARTITION OF ${table} DEFAULT`,
  ];
}

/** True when this PostgreSQL can hold the time series in day partitions. */
export async function canPartition(client: pg.Client): Promise<boolean> {
  const v = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Number(v.rows[0]?.v ?? 0) >= PARTITIONED_IDENTITY_SINCE;
}

/** Create the hot table of `spec` (partitioned by day when this PostgreSQL allows it). */
export async function createHotTable(client: pg.Client, spec: DatasetSpec, partitioned?: boolean): Promise<void> {
  const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [qualifiedName(HOT_SCHEMA, spec.name)]);
  if (found.rows[0]?.t) return;
  for (const sql of createTableSql(spec, { partitioned: partitioned ?? (await canPartition(client)) })) await client.query(sql);
}

/** The name of the partition holding one UTC day of a time series. */
export function dayPartitionName(dataset: string, day: string): string {
  if (!DAY_RE.test(day)) throw new Error(`Bad partition day ${day}`);
  return `${dataset}_p${day.replaceAll('-', '')}`;
}

/** The UTC days from `from` to `to`, both included, as YYYY-MM-DD. */
export function daysBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let t = start; t <= to.getTime(); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Make sure each of `days` has its own partition, for every day-partitioned time series. A day whose rows
 * already sit in the default partition is left there (PostgreSQL would refuse the new partition); such a
 * day is archived row by row instead. Plain (unpartitioned) tables are left alone. Returns what it created.
 */
export async function ensureDayPartitions(client: pg.Client, days: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  for (const name of DATASET_NAMES) {
    const spec = DATASETS[name];
    if (!dayPartitioned(spec)) continue;
    const parent = qualifiedName(HOT_SCHEMA, spec.name);
    const existing = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = (SELECT p.oid FROM pg_class p JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = $2 AND p.relkind = 'p')`,
      [HOT_SCHEMA, spec.name],
    );
    const names = new Set(existing.rows.map((r) => r.name));
    if (!names.has(`${spec.name}_default`)) continue;
    const col = quoteIdent(spec.splitColumn);
    for (const day of days) {
      const part = dayPartitionName(spec.name, day);
      if (names.has(part)) continue;
      const from = quoteLiteral(`${day} 00:00:00+00`);
      const to = quoteLiteral(`${nextUtcDay(day)} 00:00:00+00`);
      const inDefault = await client.query(
        `SELECT 1 FROM ${qualifiedName(HOT_SCHEMA, `${spec.name}_default`)} WHERE ${col} >= ${from}::timestamptz AND ${col} < ${to}::timestamptz LIMIT 1`,
      );
      if (inDefault.rowCount) continue;
      await client.query(`CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_SCHEMA, part)} PARTITION OF ${parent} FOR VALUES FROM (${from}) TO (${to})`);
      created.push(part);
    }
  }
  return created;
}

/**
 * True when partition `part` (a qualified name) holds exactly the UTC day `day`: its bound, read in UTC,
 * is that day's. Sets the transaction's time zone to UTC (call it inside a transaction).
 */
export async function partitionHasDayBounds(client: pg.Client, part: string, day: string): Promise<boolean> {
  await client.query("SET LOCAL TimeZone = 'UTC'");
  const r = await client.query<{ b: string }>('SELECT pg_get_expr(relpartbound, oid) AS b FROM pg_class WHERE oid = to_regclass($1)', [part]);
  return r.rows[0]?.b === `FOR VALUES FROM ('${day} 00:00:00+00') TO ('${nextUtcDay(day)} 00:00:00+00')`;
}

/** Day partitions from yesterday to PARTITION_DAYS_AHEAD days ahead, so incoming rows land in their own day. */
export async function ensureUpcomingPartitions(client: pg.Client, now = new Date()): Promise<string[]> {
  return ensureDayPartitions(client, daysBetween(new Date(now.getTime() - DAY_MS), new Date(now.getTime() + PARTITION_DAYS_AHEAD * DAY_MS)));
}

/**
 * SQL for the relations holding a hot table's rows: its partitions when it is partitioned, else the table
 * itself (`pg_partition_tree` lists nothing for a plain table). `oid` is an SQL expression of type oid/regclass.
 */
export function leafRelationsSql(oid: string): string {
  return `(SELECT relid FROM pg_partition_tree(${oid}) WHERE isleaf UNION SELECT ${oid}::regclass WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree(${oid})))`;
}

/** SQL for the bytes a hot table takes on disk, all partitions included (`regclassLiteral` is a quoted name). */
export function totalBytesSql(regclassLiteral: string): string {
  return `(SELECT coalesce(sum(pg_total_relation_size(l.relid)), 0) FROM ${leafRelationsSql(`${regclassLiteral}::regclass`)} l(relid))`;
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
export async function ensureHotSchema(client: pg.Client, options: { indexes: boolean; partitioned?: boolean } = { indexes: true }): Promise<void> {
  const partitioned = options.partitioned ?? (await canPartition(client));
  for (const name of DATASET_NAMES) {
    const spec = DATASETS[name];
    await createHotTable(client, spec, partitioned);
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
