import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../../shared/api/errors';
import type { QueryRunResult, QueryWindowResult } from '../../../shared/api/query';
import { runCli } from '../testing/cli-process.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { ROLE_NAMES, SERVER_ACCESS_ROLES } from './hot-roles';
import type { HotStore } from './hot-store';

let ws: string;
let dataDir: string | null = null;
let wb: Workbench | null = null;

async function open(): Promise<{ wb: Workbench; hot: HotStore }> {
  wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  const hot = await wb.data.hotStore();
  dataDir = hot.info.dataDir;
  return { wb, hot };
}

async function close(): Promise<void> {
  await wb?.close();
  wb = null;
}

let runs = 0;
async function runHot(sql: string, allowWrites?: boolean): Promise<{ ok: true; value: QueryRunResult } | { ok: false; error: ApiError }> {
  if (!wb) throw new Error('not open');
  const res = await wb.dispatch(
    'query.run',
    { sql, target: 'hot', runId: `r${++runs}`, ...(allowWrites === undefined ? {} : { allowWrites }) },
    { transport: 'test' },
  );
  return res as { ok: true; value: QueryRunResult } | { ok: false; error: ApiError };
}

async function probeRows(hot: HotStore): Promise<number[]> {
  return hot.withClient(async (c) => (await c.query<{ id: number }>('SELECT id FROM probe ORDER BY id')).rows.map((r) => r.id));
}

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bw-roles-'));
  const { hot } = await open();
  await hot.withClient(async (c) => {
    await c.query('CREATE TABLE probe (id int PRIMARY KEY)');
    await c.query('INSERT INTO probe SELECT generate_series(1, 5)');
  });
});

afterAll(async () => {
  await close();
  await rm(ws, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the SQL editor on the embedded PostgreSQL', () => {
  it('reads as a non-superuser role in a read-only session', async () => {
    const res = await runHot(
      'SELECT current_user::text AS who, current_setting($$transaction_read_only$$) AS ro, count(*) AS n FROM probe',
    );
    expect(res.ok).toBe(true);
    if (!res.ok || !wb) return;
    const w = await wb.dispatch('query.window', { resultId: res.value.resultId, offset: 0, limit: 1 }, { transport: 'test' });
    if (!w.ok) throw new Error(w.error.message);
    const row = tableFromIPC((w.value as QueryWindowResult).arrow)
      .get(0)
      ?.toJSON();
    expect(row).toMatchObject({ who: ROLE_NAMES.reader, ro: 'on' });
    const hot = await wb.data.hotStore();
    const roles = await hot.withClient(
      async (c) =>
        (
          await c.query<{ name: string; super: boolean; access: string[] }>(
            `SELECT r.rolname AS name, r.rolsuper AS super,
               ARRAY(SELECT p FROM unnest($2::text[]) p WHERE pg_has_role(r.rolname, p, 'MEMBER')) AS access
             FROM pg_roles r WHERE r.rolname = ANY($1::text[]) ORDER BY 1`,
            [Object.values(ROLE_NAMES), [...SERVER_ACCESS_ROLES]],
          )
        ).rows,
    );
    // No task role reads or writes server files or runs programs (the archive streams its COPY over its connection).
    expect(roles).toEqual(
      Object.values(ROLE_NAMES)
        .sort()
        .map((name) => ({ name, super: false, access: [] })),
    );
  });

  it('refuses a DELETE until writes are allowed, and then deletes', async () => {
    if (!wb) throw new Error('not open');
    const hot = await wb.data.hotStore();
    const refused = await runHot('DELETE FROM probe WHERE id = 1');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('READ_ONLY');
    expect(refused.error.message).toContain('Turn on "Allow writes" for this tab (CLI: --allow-writes)');
    // The read-only mode is a guard; the reader's grants are the wall.
    const sneaky = await runHot('SET default_transaction_read_only = off; DELETE FROM probe WHERE id = 1');
    expect(sneaky.ok ? null : sneaky.error.code).toBe('READ_ONLY');
    expect(await probeRows(hot)).toEqual([1, 2, 3, 4, 5]);

    const done = await runHot('DELETE FROM probe WHERE id = 1', true);
    expect(done.ok).toBe(true);
    expect(await probeRows(hot)).toEqual([2, 3, 4, 5]);
    // Writes are DML: TRUNCATE (which no trigger sees) and DDL stay with the owner.
    for (const sql of ['TRUNCATE probe', 'DROP TABLE probe', 'CREATE TABLE scratch (x int)']) {
      const r = await runHot(sql, true);
      expect(r.ok ? sql : r.error.code).toBe('SQL_ERROR');
    }
    expect(await probeRows(hot)).toEqual([2, 3, 4, 5]);
  });

  it('never reaches the server: COPY TO PROGRAM and pg_read_file fail with and without writes', async () => {
    for (const allowWrites of [false, true]) {
      const copy = await runHot("COPY (SELECT 1) TO PROGRAM 'id'", allowWrites);
      expect(copy.ok).toBe(false);
      if (!copy.ok) expect(copy.error.message).toMatch(/permission denied|superuser|pg_execute_server_program/);
      for (const sql of ["SELECT pg_read_file('/etc/passwd')", "SELECT pg_ls_dir('.')", "COPY probe FROM '/etc/passwd'"]) {
        const read = await runHot(sql, allowWrites);
        expect(read.ok ? sql : read.error.code).toBe('SQL_ERROR');
      }
      const escalate = await runHot('SET ROLE postgres', allowWrites);
      expect(escalate.ok ? 'SET ROLE' : escalate.error.code).toBe('SQL_ERROR');
    }
  });
});

describe('query --on hot (CLI)', () => {
  it('refuses a DELETE without --allow-writes, deletes with it, and never runs a program', async () => {
    await close();
    const base = ['query', '--on', 'hot', '--workspace', ws, '--json'];
    const refused = await runCli([...base, 'DELETE FROM probe WHERE id = 2'], { BATTERY_WORKBENCH_WORKSPACE: '', PGPASSWORD: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-writes');
    const program = await runCli([...base, '--allow-writes', "COPY (SELECT 1) TO PROGRAM 'id'"], { PGPASSWORD: '' });
    expect(program.code).toBe(1);
    expect(program.stderr).toMatch(/permission denied/);
    const done = await runCli([...base, '--allow-writes', 'DELETE FROM probe WHERE id = 2'], { PGPASSWORD: '' });
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const left = await runCli([...base, 'SELECT count(*) AS n FROM probe'], { PGPASSWORD: '' });
    expect(JSON.parse(left.stdout)).toEqual([{ n: 3 }]);
    const misuse = await runCli(['query', '--workspace', ws, '--allow-writes', 'SELECT 1']);
    expect(misuse.code).toBe(2);
  });
});

describe('a workspace made before the roles', () => {
  it('gains them on its next start', async () => {
    let { hot } = await open();
    const names = Object.values(ROLE_NAMES);
    await hot.withClient(async (c) => {
      for (const n of names) await c.query(`DROP OWNED BY ${n}`);
      await c.query(`DROP ROLE ${names.join(', ')}`);
    });
    await close();
    ({ hot } = await open());
    const present = await hot.withClient(
      async (c) => (await c.query<{ n: string }>('SELECT rolname AS n FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1', [names])).rows,
    );
    expect(present.map((r) => r.n)).toEqual([...names].sort());
    const read = await runHot('SELECT count(*) FROM probe');
    expect(read.ok).toBe(true);
    const write = await runHot('DELETE FROM probe WHERE id = 3', true);
    expect(write.ok).toBe(true);
    expect(await probeRows(hot)).toEqual([4, 5]);
  });
});
