import type pg from 'pg';
import { INGEST_COLUMN } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import {
  CHANGE_LOG_KEEP_DAYS,
  CHANGE_LOG_STATE,
  CHANGE_LOG_STATE_NAME,
  CHANGE_SCHEMA,
  changeLogName,
  changeLogTable,
  changeTriggerName,
  HOT_SCHEMA,
} from './hot-schema';

/**
 * What the mirror reads of the hot store's change tracking (see hot-schema.ts): whether a table has it,
 * how far its ids go, whether writers that may still hold lower ids are done, and how far its change log
 * was pruned.
 */

export interface TrackingState {
  /** The table exists. */
  table: boolean;
  /** It has the ingest_id identity. */
  ingest: boolean;
  /** Its change log and trigger are in place. */
  tracked: boolean;
  /** This role may read the change log (a mirror role needs SELECT on it, like on the table). */
  readable: boolean;
}

/** Change tracking per table, in one catalog query (by name: a role without USAGE on the schema still sees it). */
export async function trackingStates(client: pg.Client, datasets: readonly string[]): Promise<Map<string, TrackingState>> {
  const res = await client.query<{
    dataset: string;
    has_table: boolean;
    has_ingest: boolean;
    log_oid: number | null;
    state_oid: number | null;
    has_trigger: boolean;
  }>(
    `SELECT x.dataset, to_regclass(x.t) IS NOT NULL AS has_table,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass(x.t) AND a.attname = $4 AND a.attidentity <> '' AND NOT a.attisdropped) AS has_ingest,
       (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $5 AND c.relname = x.log) AS log_oid,
       (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $5 AND c.relname = $6) AS state_oid,
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = to_regclass(x.t) AND g.tgname = x.trg) AS has_trigger
     FROM unnest($1::text[], $2::text[], $3::text[], $7::text[]) AS x(dataset, t, log, trg)`,
    [
      datasets,
      datasets.map((d) => qualifiedName(HOT_SCHEMA, d)),
      datasets.map((d) => changeLogName(d)),
      INGEST_COLUMN,
      CHANGE_SCHEMA,
      CHANGE_LOG_STATE_NAME,
      datasets.map((d) => changeTriggerName(d)),
    ],
  );
  const usage =
    (
      await client.query<{ u: boolean }>(
        "SELECT coalesce(has_schema_privilege(n.oid, 'USAGE'), false) AS u FROM pg_namespace n WHERE n.nspname = $1",
        [CHANGE_SCHEMA],
      )
    ).rows[0]?.u ?? false;
  const out = new Map<string, TrackingState>();
  for (const r of res.rows) {
    const tracked = r.has_ingest && r.has_trigger && r.log_oid !== null && r.state_oid !== null;
    let readable = false;
    if (tracked && usage) {
      const p = await client.query<{ ok: boolean }>(
        "SELECT has_table_privilege($1::oid, 'SELECT') AND has_table_privilege($2::oid, 'SELECT') AS ok",
        [r.log_oid, r.state_oid],
      );
      readable = p.rows[0]?.ok ?? false;
    }
    out.set(r.dataset, { table: r.has_table, ingest: r.has_ingest, tracked, readable });
  }
  return out;
}

/**
 * The highest id (ingest_id or change_id) a tracked table has handed out: its identity sequence's last
 * value, or, where the role may not read the sequence (PostgreSQL then answers NULL or refuses), the
 * highest id in the table and its change log (both indexed).
 */
export async function highMark(client: pg.Client, dataset: string): Promise<number> {
  const table = qualifiedName(HOT_SCHEMA, dataset);
  const fromSequence = await client
    .query<{ v: string | null }>('SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)::text AS v', [
      table,
      INGEST_COLUMN,
    ])
    .then((r) => r.rows[0]?.v ?? null)
    .catch(() => null);
  if (fromSequence !== null) return Number(fromSequence);
  const log = changeLogTable(dataset);
  const r = await client.query<{ v: string | null }>(
    `SELECT greatest((SELECT max(${quoteIdent(INGEST_COLUMN)}) FROM ${table}), (SELECT max(change_id) FROM ${log}))::text AS v`,
  );
  return Number(r.rows[0]?.v ?? 0);
}

/** Write locks on these tables (and their partitions) held by other sessions: their transactions (vxids). */
async function writers(client: pg.Client, datasets: readonly string[], among: readonly string[] | null): Promise<string[]> {
  const res = await client.query<{ vxid: string }>(
    `WITH rels AS (
       SELECT to_regclass(t) AS relid FROM unnest($1::text[]) t
       UNION SELECT p.relid FROM unnest($1::text[]) t, pg_partition_tree(to_regclass(t)) p)
     SELECT DISTINCT l.virtualtransaction AS vxid FROM pg_locks l
     WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.relation IN (SELECT relid FROM rels WHERE relid IS NOT NULL)
       AND ($2::text[] IS NULL OR l.virtualtransaction = ANY($2::text[]))`,
    [datasets.map((d) => qualifiedName(HOT_SCHEMA, d)), among],
  );
  return res.rows.map((r) => r.vxid);
}

/**
 * Waits (up to `timeoutMs`) until every transaction that is writing to these tables now has ended. Call it
 * after reading the high marks: an id is drawn inside a statement that already holds the table's
 * RowExclusiveLock, so once those transactions are gone every id up to the marks is committed or rolled
 * back, and a range read afterwards is final. (An id order alone is not a commit order: without this wait,
 * an update committed late below the mark would be missed for good.) Other writers are never blocked:
 * this only watches pg_locks, as CREATE INDEX CONCURRENTLY does. Returns how many were still open.
 */
export async function waitForWriters(client: pg.Client, datasets: readonly string[], timeoutMs: number): Promise<number> {
  if (datasets.length === 0) return 0;
  let open = await writers(client, datasets, null);
  const deadline = Date.now() + timeoutMs;
  while (open.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    open = await writers(client, datasets, open);
  }
  return open.length;
}

/** How far each change log was pruned (change_ids up to it may be gone). */
export async function prunedThrough(client: pg.Client): Promise<Map<string, number>> {
  const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [CHANGE_LOG_STATE]);
  if (!found.rows[0]?.t) return new Map();
  const res = await client.query<{ dataset: string; p: string }>(`SELECT dataset, pruned_through::text AS p FROM ${CHANGE_LOG_STATE}`);
  return new Map(res.rows.map((r) => [r.dataset, Number(r.p)]));
}

/**
 * Drops change-log entries older than `keepDays` and raises the dataset's pruned-through mark to the
 * highest change_id dropped. Which mirrors still need an entry is unknowable (several workspaces may
 * mirror one PostgreSQL), so the cut is by age; a mirror whose watermark is below the mark resyncs in full.
 */
export async function pruneChangeLog(client: pg.Client, dataset: string, keepDays = CHANGE_LOG_KEEP_DAYS): Promise<number> {
  const log = changeLogTable(dataset);
  const res = await client.query<{ n: string }>(
    `WITH gone AS (DELETE FROM ${log} WHERE logged_at < now() - make_interval(days => $2) RETURNING change_id),
     mark AS (
       INSERT INTO ${CHANGE_LOG_STATE} AS s (dataset, pruned_through, pruned_at)
       SELECT $1, max(change_id), now() FROM gone HAVING count(*) > 0
       ON CONFLICT (dataset) DO UPDATE SET pruned_through = greatest(s.pruned_through, excluded.pruned_through), pruned_at = excluded.pruned_at)
     SELECT count(*)::text AS n FROM gone`,
    [dataset, keepDays],
  );
  return Number(res.rows[0]?.n ?? 0);
}
