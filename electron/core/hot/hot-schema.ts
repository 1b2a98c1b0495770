import type pg from 'pg';
import { ARCHIVABLE_DATASETS } from '../../../shared/api/archive';
import { errorMessage } from '../../../shared/api/errors';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';

/** The schema the workbench's hot tables live in. */
export const HOT_SCHEMA = 'public';

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
 * CREATE TABLE for a dataset in the hot store. Every table gets an `ingest_id` identity (the mirror's
 * watermark; see change tracking below) and, with `partitioned`, the time series one partition per UTC day
 * plus a default partition: archiving a day then empties its partition with TRUNCATE instead of deleting
 * row by row (see archiver.ts).
 */
function createTableSql(spec: DatasetSpec, options: { partitioned?: boolean } = {}): string[] {
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${c.pg}${c.nullable ? '' : ' NOT NULL'}`);
  cols.push(`${quoteIdent(INGEST_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`);
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
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${qualifiedName(HOT_SCHEMA, part)} PARTITION OF ${parent} FOR VALUES FROM (${from}) TO (${to})`,
      );
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
  const r = await client.query<{ b: string }>('SELECT pg_get_expr(relpartbound, oid) AS b FROM pg_class WHERE oid = to_regclass($1)', [
    part,
  ]);
  return r.rows[0]?.b === `FOR VALUES FROM ('${day} 00:00:00+00') TO ('${nextUtcDay(day)} 00:00:00+00')`;
}

/** Day partitions from yesterday to PARTITION_DAYS_AHEAD days ahead, so incoming rows land in their own day. */
export async function ensureUpcomingPartitions(client: pg.Client, now = new Date()): Promise<string[]> {
  return ensureDayPartitions(
    client,
    daysBetween(new Date(now.getTime() - DAY_MS), new Date(now.getTime() + PARTITION_DAYS_AHEAD * DAY_MS)),
  );
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
    // The mirror reads every table by ingest_id range.
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_${INGEST_COLUMN}_idx`)} ON ${table} (${quoteIdent(INGEST_COLUMN)})`,
  ];
  if (spec.splitColumn) {
    out.push(
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_${spec.splitColumn}_idx`)} ON ${table} (${quoteIdent(spec.splitColumn)})`,
    );
  }
  return out;
}

/** Create every hot table that does not exist yet, with keys, indexes and change tracking. */
export async function ensureHotSchema(
  client: pg.Client,
  options: { indexes: boolean; partitioned?: boolean } = { indexes: true },
): Promise<void> {
  const partitioned = options.partitioned ?? (await canPartition(client));
  for (const name of DATASET_NAMES) {
    const spec = DATASETS[name];
    await createHotTable(client, spec, partitioned);
    if (options.indexes) {
      for (const sql of indexSql(spec)) await client.query(sql);
      await ensureChangeTracking(client, spec, { throwOnFailure: true });
    }
  }
}

/** Keys, indexes and change tracking after a bulk load (the demo): row triggers would slow the COPY down. */
export async function addHotIndexes(client: pg.Client): Promise<void> {
  for (const name of DATASET_NAMES) {
    for (const sql of indexSql(DATASETS[name])) await client.query(sql);
    await ensureChangeTracking(client, DATASETS[name], { throwOnFailure: true });
  }
  await client.query('ANALYZE');
}

/** Drop every workbench table from the hot store, change logs included (the demo starts from a clean slate). */
export async function dropHotTables(client: pg.Client): Promise<void> {
  for (const name of DATASET_NAMES) {
    await client.query(`DROP TABLE IF EXISTS ${qualifiedName(HOT_SCHEMA, name)}`);
    await client.query(`DROP TABLE IF EXISTS ${changeLogTable(name)}`);
  }
  // The new tables' identities start again at 1: marks of the old ones mean nothing.
  await client.query(`DROP TABLE IF EXISTS ${CHANGE_LOG_STATE}`);
}

// --- Change tracking -------------------------------------------------------------------------------
//
// The mirror must see every insert, update and delete at its next sync, at a cost that grows with the
// changes, not with the table. PostgreSQL's own tools for that (logical decoding, publications) need
// wal_level=logical, a replication slot per mirror and rights an external store rarely grants; a slot
// also holds WAL forever when a laptop mirror goes away. Instead every hot table carries an `ingest_id`
// identity, and one BEFORE UPDATE OR DELETE row trigger per table:
//  - logs the OLD key into `workbench.<table>_changes` with a change_id from the table's own identity sequence, and
//  - on UPDATE gives the row a fresh ingest_id from the same sequence (PostgreSQL lets a trigger set a
//    GENERATED ALWAYS identity; only the statement may not).
// The change_id is drawn before the new ingest_id, so a key's newest change is always below its current
// version: a mirror that applies an id range (lo, hi] as "delete the logged keys, then insert the rows"
// ends right however the range is cut (a key updated twice, or deleted and inserted again). INSERT and
// COPY pay nothing: the identity is all they need. TRUNCATE fires no row trigger (the archiver empties day
// partitions with it, and prunes the mirror itself), and deletes made with ARCHIVING_SETTING on are not logged.
// The trigger function is SECURITY DEFINER (fixed search_path, static SQL) so a writer needs no rights on
// the change log. The log is pruned by age; CHANGE_LOG_STATE records how far, and a mirror below that
// mark copies the table in full once. The logs live in their own schema: `public` keeps only the datasets.

/** The schema of the change logs, their state and the trigger functions. */
export const CHANGE_SCHEMA = 'workbench';

/** The change log of a hot table (its name in CHANGE_SCHEMA): the keys of rows updated or deleted, by change_id. */
export function changeLogName(dataset: string): string {
  return `${dataset}_changes`;
}

/** changeLogName, qualified. */
export function changeLogTable(dataset: string): string {
  return qualifiedName(CHANGE_SCHEMA, changeLogName(dataset));
}

/** The trigger on a hot table that fills its change log (its function has the same name in CHANGE_SCHEMA). */
export function changeTriggerName(dataset: string): string {
  return `${dataset}_track_change`;
}

/** Per dataset: change_ids up to `pruned_through` may have left the change log (see change-log.ts). */
export const CHANGE_LOG_STATE_NAME = 'change_log';
export const CHANGE_LOG_STATE = qualifiedName(CHANGE_SCHEMA, CHANGE_LOG_STATE_NAME);

/** How long change-log entries are kept: a mirror that has not synced for longer copies in full once. */
export const CHANGE_LOG_KEEP_DAYS = 7;

/** Transaction-local setting: deletes made while it is 'on' are not logged (the archiver's, see below). */
export const ARCHIVING_SETTING = 'workbench.archiving';

/**
 * Run inside a transaction whose deletes the mirrors need not hear about, i.e. the archiver's row-by-row
 * delete of rows it moved to the lake (it prunes the mirror itself; logging would only make the change log
 * as large as the day). Ends with the transaction.
 */
export const SKIP_CHANGE_LOG_SQL = `SELECT set_config(${quoteLiteral(ARCHIVING_SETTING)}, 'on', true)`;

function keyColumns(spec: DatasetSpec): { name: string; pg: string }[] {
  return spec.primaryKey.map((k) => {
    const col = spec.columns.find((c) => c.name === k);
    if (!col) throw new Error(`${spec.name}: key column ${k} is not a column`);
    return { name: col.name, pg: col.pg };
  });
}

/** DDL of a table's change tracking; `sequence` is its ingest identity's sequence (a qualified name). */
export function changeTrackingSql(spec: DatasetSpec, sequence: string): string[] {
  const table = qualifiedName(HOT_SCHEMA, spec.name);
  const log = changeLogTable(spec.name);
  const fn = qualifiedName(CHANGE_SCHEMA, changeTriggerName(spec.name));
  const keys = keyColumns(spec);
  const seq = `${quoteLiteral(sequence)}::regclass`;
  const body =
    'BEGIN\n' +
    `  IF TG_OP = 'UPDATE' OR current_setting(${quoteLiteral(ARCHIVING_SETTING)}, true) IS DISTINCT FROM 'on' THEN\n` +
    `    INSERT INTO ${log} (${keys.map((k) => quoteIdent(k.name)).join(', ')}, change_id) ` +
    `VALUES (${keys.map((k) => `OLD.${quoteIdent(k.name)}`).join(', ')}, nextval(${seq}));\n` +
    '  END IF;\n' +
    "  IF TG_OP = 'UPDATE' THEN\n" +
    `    NEW.${quoteIdent(INGEST_COLUMN)} := nextval(${seq});\n` +
    '    RETURN NEW;\n' +
    '  END IF;\n' +
    '  RETURN OLD;\n' +
    'END';
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(CHANGE_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${CHANGE_LOG_STATE} (dataset text PRIMARY KEY, pruned_through bigint NOT NULL DEFAULT 0, pruned_at timestamptz)`,
    `CREATE TABLE IF NOT EXISTS ${log} (${keys.map((k) => `${quoteIdent(k.name)} ${k.pg}`).join(', ')}, ` +
      'change_id bigint NOT NULL, logged_at timestamptz NOT NULL DEFAULT now())',
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_changes_change_id_idx`)} ON ${log} (change_id)`,
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$\n${body}\n$fn$`,
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ${quoteLiteral(table)}::regclass AND tgname = ${quoteLiteral(changeTriggerName(spec.name))}) THEN ` +
      `CREATE TRIGGER ${quoteIdent(changeTriggerName(spec.name))} BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}(); END IF; END $$`,
  ];
}

/**
 * Give a hot table its ingest identity (existing stores: added once, which rewrites the table) and change
 * tracking, in one transaction. Returns null when it is in place, else why it could not be (e.g. the
 * connecting role does not own the table): the mirror then copies that table in full at every sync.
 */
export async function ensureChangeTracking(
  client: pg.Client,
  spec: DatasetSpec,
  options: { throwOnFailure?: boolean } = {},
): Promise<string | null> {
  const table = qualifiedName(HOT_SCHEMA, spec.name);
  await client.query('BEGIN');
  try {
    await client.query("SET LOCAL lock_timeout = '5s'");
    await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(INGEST_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`);
    const seq = await client.query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [table, INGEST_COLUMN]);
    const sequence = seq.rows[0]?.s;
    if (!sequence) throw new Error(`${spec.name}.${INGEST_COLUMN} is not an identity column`);
    await client.query(
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${spec.name}_${INGEST_COLUMN}_idx`)} ON ${table} (${quoteIdent(INGEST_COLUMN)})`,
    );
    for (const sql of changeTrackingSql(spec, sequence)) await client.query(sql);
    await client.query('COMMIT');
    return null;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (options.throwOnFailure) throw err;
    return errorMessage(err);
  }
}

/** True when the hot store holds none of the workbench's tables, or they are all empty. */
export async function hotStoreIsEmpty(client: pg.Client): Promise<boolean> {
  const res = await client.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2::text[])',
    [HOT_SCHEMA, [...DATASET_NAMES]],
  );
  if (Number(res.rows[0]?.n ?? '0') === 0) return true;
  const probe = await client
    .query<{ has: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${qualifiedName(HOT_SCHEMA, 'battery')}) AS has`)
    .catch(() => ({ rows: [{ has: false }] }));
  return !probe.rows[0]?.has;
}
