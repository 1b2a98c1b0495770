import type pg from 'pg';
import { WorkbenchError } from '../../../shared/api/errors';

const ADVISORY_KEY = "hashtext('battery-workbench:archive')";

/** One archiver per PostgreSQL: the advisory lock, or CONFLICT naming who holds it. */
export async function lockArchive(c: pg.Client): Promise<void> {
  const got = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${ADVISORY_KEY}) AS ok`);
  if (got.rows[0]?.ok) return;
  const holder = await c
    .query<{ pid: number; app: string; since: string }>(
      `SELECT a.pid, a.application_name AS app, a.backend_start::text AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (${ADVISORY_KEY})::oid LIMIT 1`,
    )
    .catch(() => ({ rows: [] as { pid: number; app: string; since: string }[] }));
  const h = holder.rows[0];
  throw new WorkbenchError(
    'CONFLICT',
    `Another archive run holds the archive lock on this PostgreSQL${h ? ` (backend pid ${h.pid}, ${h.app || 'unknown app'}, since ${h.since})` : ''}. Only one runs at a time; nothing was done. Wait for it to finish and run again.`,
  );
}

/** Gives the lock back (best effort: it goes with the session anyway). */
export async function unlockArchive(c: pg.Client): Promise<void> {
  await c.query(`SELECT pg_advisory_unlock(${ADVISORY_KEY})`).catch(() => undefined);
}
