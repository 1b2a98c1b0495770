import { createHmac } from 'node:crypto';
import type pg from 'pg';
import type { RolePowers } from '../../../shared/api/settings';
import { DATASET_NAMES } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { ARCHIVE_LOG_NAME, ensureArchiveLog } from '../archive/pg-journal';
import { CHANGE_LOG_STATE_NAME, CHANGE_SCHEMA, changeLogName, HOT_SCHEMA } from './hot-schema';

/**
 * Least power per task (see DESIGN.md, security model). Every connection to the hot store says which task it
 * serves; on the embedded store each task has a role of its own, created here:
 * - owner: the cluster's superuser. Setup only: tables, partitions, change-tracking triggers, these roles, the demo.
 * - reader: the SQL editor (and `query --on hot`) by default. SELECT on the workbench's schemas, read-only transactions.
 * - writer: the editor with "Allow writes" on: the reader's rights plus INSERT, UPDATE, DELETE on the hot tables.
 *   No TRUNCATE (it fires no trigger, so the mirror would never hear of it), no DDL.
 * - archiver: COPYs days out (streamed over its connection), deletes and truncates them (the locks come with those
 *   rights), VACUUMs (MAINTAIN), records them in workbench.archive_log. An earlier version wrote the COPY into the
 *   server's outbox folder (pg_write_server_files); that membership is revoked at the next start.
 * - mirror: reads the hot tables, their identity sequences and change logs, and prunes the change logs.
 * None is a superuser, and none is a member of pg_read_server_files, pg_write_server_files or
 * pg_execute_server_program (so no COPY TO PROGRAM, no server-side COPY to or from a file, no pg_read_file). Passwords are derived from the
 * workspace's hot-store.json secret, so an existing workspace gains the roles on its next start.
 * An external store is reached with its URL's role for every task (see README for the grants it needs).
 */
export type HotRole = 'owner' | 'reader' | 'writer' | 'archiver' | 'mirror';

/** The PostgreSQL role of each task on the embedded store (the owner is the cluster's own superuser). */
export const ROLE_NAMES: Record<Exclude<HotRole, 'owner'>, string> = {
  reader: 'workbench_reader',
  writer: 'workbench_writer',
  archiver: 'workbench_archiver',
  mirror: 'workbench_mirror',
};

/** The predefined roles that reach the server's files or programs: never granted to a task role. */
export const SERVER_ACCESS_ROLES = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'] as const;

/** A role's password: derived from the workspace's secret, so nothing new is stored. */
export function rolePassword(secret: string, role: Exclude<HotRole, 'owner'>): string {
  return createHmac('sha256', secret).update(`battery-workbench:${ROLE_NAMES[role]}`).digest('base64url');
}

/** Per role: privileges on the tables of the hot schema (present and future), on its sequences, and role memberships. */
const PUBLIC_GRANTS: Record<Exclude<HotRole, 'owner'>, { tables: string; sequences: string | null; memberOf: readonly string[] }> = {
  reader: { tables: 'SELECT', sequences: 'SELECT', memberOf: [] },
  writer: { tables: 'SELECT, INSERT, UPDATE, DELETE', sequences: 'SELECT', memberOf: [] },
  archiver: { tables: 'SELECT, DELETE, TRUNCATE, MAINTAIN', sequences: null, memberOf: [] },
  mirror: { tables: 'SELECT', sequences: 'SELECT', memberOf: [] },
};

/** Per role: privileges on the tables of the workbench schema (change logs, their state, the archive log), by table. */
function workbenchGrants(role: Exclude<HotRole, 'owner'>, table: string): string | null {
  const changeLogs = new Set(DATASET_NAMES.map((d) => changeLogName(d)));
  switch (role) {
    case 'reader':
    case 'writer':
      return 'SELECT';
    case 'archiver':
      return table === ARCHIVE_LOG_NAME ? 'SELECT, INSERT' : null;
    case 'mirror':
      if (changeLogs.has(table)) return 'SELECT, DELETE';
      if (table === CHANGE_LOG_STATE_NAME) return 'SELECT, INSERT, UPDATE';
      return null;
  }
}

const TASK_ROLES = Object.keys(ROLE_NAMES) as Exclude<HotRole, 'owner'>[];

/**
 * Creates the task roles on the embedded store (idempotent: run at every start, as the owner) and grants them
 * their rights on what exists now; default privileges give them the same on tables the owner creates later.
 */
export async function provisionRoles(owner: pg.Client, secret: string): Promise<void> {
  const me = (await owner.query<{ u: string }>('SELECT current_user AS u')).rows[0].u;
  await owner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(CHANGE_SCHEMA)}`);
  await ensureArchiveLog(owner);
  for (const role of TASK_ROLES) {
    const name = quoteIdent(ROLE_NAMES[role]);
    const password = quoteLiteral(rolePassword(secret, role));
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${password}`;
    // Two starts racing: the loser's CREATE fails with duplicate_object and ALTER sets the same.
    await owner.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${quoteLiteral(ROLE_NAMES[role])}) THEN CREATE ROLE ${name} ${attributes}; END IF; ` +
        'EXCEPTION WHEN duplicate_object THEN NULL; END $$',
    );
    await owner.query(`ALTER ROLE ${name} ${attributes}`);
    if (role === 'reader') await owner.query(`ALTER ROLE ${name} SET default_transaction_read_only = on`);
    const grants = PUBLIC_GRANTS[role];
    // Memberships never granted (a hand-made grant, an older version): revoked, so an editor cannot reach files.
    for (const predefined of SERVER_ACCESS_ROLES) {
      const keep = grants.memberOf.includes(predefined);
      await owner.query(`${keep ? 'GRANT' : 'REVOKE'} ${quoteIdent(predefined)} ${keep ? 'TO' : 'FROM'} ${name}`);
    }
    for (const schema of [HOT_SCHEMA, CHANGE_SCHEMA]) await owner.query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${name}`);
    await owner.query(`GRANT ${grants.tables} ON ALL TABLES IN SCHEMA ${quoteIdent(HOT_SCHEMA)} TO ${name}`);
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(me)} IN SCHEMA`;
    await owner.query(`${defaults} ${quoteIdent(HOT_SCHEMA)} GRANT ${grants.tables} ON TABLES TO ${name}`);
    if (grants.sequences) {
      await owner.query(`GRANT ${grants.sequences} ON ALL SEQUENCES IN SCHEMA ${quoteIdent(HOT_SCHEMA)} TO ${name}`);
      await owner.query(`${defaults} ${quoteIdent(HOT_SCHEMA)} GRANT ${grants.sequences} ON SEQUENCES TO ${name}`);
    }
  }
  await grantWorkbenchTables(owner);
}

/**
 * The task roles' rights on the workbench schema's tables as they are now. Run by the owner after it
 * (re)creates change logs (change tracking installed, the demo's fresh tables).
 */
export async function grantWorkbenchTables(owner: pg.Client): Promise<void> {
  const tables = await owner.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
    [CHANGE_SCHEMA],
  );
  for (const { name: table } of tables.rows) {
    for (const role of TASK_ROLES) {
      const privileges = workbenchGrants(role, table);
      if (privileges) await owner.query(`GRANT ${privileges} ON ${qualifiedName(CHANGE_SCHEMA, table)} TO ${quoteIdent(ROLE_NAMES[role])}`);
    }
  }
}

/** What the connected role may do in the hot store: the connection test reports it, the editor refuses a role that is too strong. */
export async function rolePowers(client: pg.Client): Promise<RolePowers> {
  const r = await client.query<{ role: string; superuser: boolean; server_access: string[]; can_create: boolean }>(
    `SELECT current_user AS role, r.rolsuper AS superuser, has_schema_privilege($1, 'CREATE') AS can_create,
       ARRAY(SELECT p FROM unnest($2::text[]) p WHERE pg_has_role(current_user, p, 'USAGE')) AS server_access
     FROM pg_roles r WHERE r.rolname = current_user`,
    [HOT_SCHEMA, [...SERVER_ACCESS_ROLES]],
  );
  const t = await client.query<{ n: string; readable: string; writable: string }>(
    `SELECT count(*)::text AS n,
       count(*) FILTER (WHERE has_table_privilege(to_regclass(x), 'SELECT'))::text AS readable,
       count(*) FILTER (WHERE has_table_privilege(to_regclass(x), 'INSERT, UPDATE, DELETE'))::text AS writable
     FROM unnest($1::text[]) x WHERE to_regclass(x) IS NOT NULL`,
    [DATASET_NAMES.map((d) => qualifiedName(HOT_SCHEMA, d))],
  );
  const row = r.rows[0];
  const counts = t.rows[0];
  const n = Number(counts?.n ?? 0);
  return {
    role: row?.role ?? '',
    superuser: row?.superuser ?? false,
    serverAccess: row?.server_access ?? [],
    canReadHot: n === 0 ? null : Number(counts?.readable ?? 0) === n,
    canWriteHot: Number(counts?.writable ?? 0) > 0,
    canCreate: row?.can_create ?? false,
  };
}
