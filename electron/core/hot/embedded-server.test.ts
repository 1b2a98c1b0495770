import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPidAlive } from '../system/pid';
import { EmbeddedServer, isRootUser } from './embedded-server';
import { checkPostmaster, dataDirArgument } from './postmaster-check';
import { ROOT_PG_BASE, sweepOrphanClusters } from './root-clusters';
import { HOT_IDENTITY_FILE } from './hot-identity';
import { HotStore } from './hot-store';

/**
 * A long-running process whose command line says "postgres" but which is no PostgreSQL at all. Returned once it
 * runs its own program (until then /proc shows the forked test worker's command line, however busy the machine).
 */
async function spawnDecoy(cwd?: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'postgres-decoy', ...extra], {
    stdio: 'ignore',
    ...(cwd ? { cwd } : {}),
  });
  if (child.pid === undefined) throw new Error('decoy did not start');
  const cmdline = `/proc/${child.pid}/cmdline`;
  await expect
    .poll(async () => (await readFile(cmdline, 'utf8').catch(() => '')).includes('postgres-decoy'), { timeout: 15_000 })
    .toBe(true);
  return child;
}

async function stopDecoy(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
}

/** postmaster.pid as PostgreSQL writes it (pid, data folder, start time, port, socket dir, listen address, shmem key, status). */
function postmasterPid(pid: number, dataDir: string): string {
  return [pid, dataDir, Math.floor(Date.now() / 1000), 54329, '', '127.0.0.1', '  1234567     65536', 'ready   '].join('\n') + '\n';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('postgres data folder argument', () => {
  it('reads -D, -D<dir> and --pgdata forms; the last one wins', () => {
    expect(dataDirArgument(['-D', '/a', '-p', '5432'])).toBe('/a');
    expect(dataDirArgument(['-D/b'])).toBe('/b');
    expect(dataDirArgument(['--pgdata=/c'])).toBe('/c');
    expect(dataDirArgument(['--pgdata', '/d'])).toBe('/d');
    expect(dataDirArgument(['-D', '/a', '-D', '/e'])).toBe('/e');
    expect(dataDirArgument(['-p', '5432', '-c', 'listen_addresses=127.0.0.1'])).toBeNull();
  });
});

describe('embedded server: stale postmaster.pid', () => {
  let dir: string;
  let dataDir: string | null = null;
  const decoys: ChildProcess[] = [];
  const open = (): Promise<HotStore> =>
    HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-pgpid-'));
    // An initialised, cleanly stopped cluster.
    const store = await open();
    dataDir = store.info.dataDir;
    await store.close();
  });
  afterAll(async () => {
    for (const d of decoys) await stopDecoy(d);
    await rm(dir, { recursive: true, force: true });
    if (dataDir) {
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}-outbox`, { recursive: true, force: true });
      await rm(`${dataDir}.owner.json`, { force: true });
    }
  });

  it('leaves an unrelated live process named in postmaster.pid alone and starts anyway', async () => {
    const pgData = dataDir as string;
    const decoy = await spawnDecoy();
    decoys.push(decoy);
    const pid = decoy.pid as number;
    await writeFile(join(pgData, 'postmaster.pid'), postmasterPid(pid, pgData));
    const lines: string[] = [];
    const server = new EmbeddedServer({
      workspacePgDir: join(dir, 'pg'),
      workspaceId: JSON.parse(await readFile(join(dir, HOT_IDENTITY_FILE), 'utf8')).id,
      password: JSON.parse(await readFile(join(dir, HOT_IDENTITY_FILE), 'utf8')).password,
      log: (l) => lines.push(l),
    });
    try {
      await server.start();
      expect(server.pid).toBeTypeOf('number');
      expect(server.pid).not.toBe(pid);
    } finally {
      await server.stop();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(isPidAlive(pid)).toBe(true);
    expect(decoy.exitCode).toBeNull();
    expect(decoy.signalCode).toBeNull();
    expect(lines.join('')).toContain(`${pid} is alive but is not this folder's postmaster`);
  });

  it("tells a process naming another data folder from this folder's postmaster", async () => {
    const other = await spawnDecoy(undefined, ['-D', join(dir, 'elsewhere')]);
    decoys.push(other);
    const mine = await spawnDecoy(undefined, ['-D', dataDir as string]);
    decoys.push(mine);
    expect(await checkPostmaster(other.pid as number, dataDir as string)).toMatchObject({ kind: 'unrelated' });
    // Names this folder but is not the postgres program: not proof enough to signal it.
    expect(await checkPostmaster(mine.pid as number, dataDir as string)).toMatchObject({ kind: 'unknown' });
    await stopDecoy(other);
    await stopDecoy(mine);
  });

  it("refuses to start (and signals nobody) when the live process cannot be told apart from this folder's postmaster", async () => {
    const pgData = dataDir as string;
    // Its working folder is the data folder, as a postmaster's is, but it names no data folder: undecidable.
    const decoy = await spawnDecoy(pgData);
    decoys.push(decoy);
    const pid = decoy.pid as number;
    await writeFile(join(pgData, 'postmaster.pid'), postmasterPid(pid, pgData));
    await expect(open()).rejects.toThrow(/could not be identified/);
    expect(isPidAlive(pid)).toBe(true);
    expect(await exists(join(pgData, 'postmaster.pid'))).toBe(true);
    await stopDecoy(decoy);
    // Once that process is gone the file is plainly stale.
    const store = await open();
    expect(await store.withClient(async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0].one)).toBe(1);
    await store.close();
  });

  it('clears a garbled postmaster.pid (a postmaster that died while starting) and starts', async () => {
    await writeFile(join(dataDir as string, 'postmaster.pid'), '');
    const store = await open();
    expect(await store.withClient(async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0].one)).toBe(1);
    await store.close();
  });

  it('still stops a real orphan postmaster of this data folder', async () => {
    const a = await open();
    const orphan = a.embedded?.pid as number;
    expect(orphan).toBeTypeOf('number');
    // Proof is the -D argument, compared with symlinks resolved.
    const link = join(dir, 'data-link');
    await symlink(dataDir as string, link);
    expect((await checkPostmaster(orphan, link)).kind).toBe('ours');
    expect((await checkPostmaster(orphan, dir)).kind).toBe('unrelated');
    // The owner vanishes without stopping its postmaster; the next open must stop that orphan and start afresh.
    const b = await open();
    expect(b.embedded?.pid).not.toBe(orphan);
    await new Promise((r) => setTimeout(r, 300));
    expect(isPidAlive(orphan)).toBe(false);
    await b.close();
  });
});

describe('embedded server: root orphan-cluster sweep', () => {
  // Root runs use ROOT_PG_BASE, where the sweep runs in earnest; others sweep a private base folder.
  let base: string;
  let scratch: string;
  const tag = `bwtest-${process.pid}-${randomUUID().slice(0, 8)}`;
  const made: string[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'bw-sweep-'));
    base = isRootUser() ? ROOT_PG_BASE : join(scratch, 'pg-base');
    await mkdir(base, { recursive: true });
  });
  afterAll(async () => {
    for (const p of made) await rm(p, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  /** A fake cluster folder, its owner record and its outbox, owned by `<workspace>/pg` with this id. */
  async function fakeCluster(name: string, workspace: string, id: string): Promise<string> {
    const dataDir = join(base, `${tag}-${name}`);
    made.push(dataDir, `${dataDir}-outbox`, `${dataDir}.owner.json`);
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'PG_VERSION'), '18\n');
    await mkdir(`${dataDir}-outbox`, { recursive: true });
    await writeFile(join(`${dataDir}-outbox`, 'batch.txt'), 'rows\n');
    await writeFile(`${dataDir}.owner.json`, JSON.stringify({ workspacePgDir: join(workspace, 'pg'), workspaceId: id }) + '\n');
    return dataDir;
  }

  async function identity(workspace: string, id: string): Promise<void> {
    await mkdir(workspace, { recursive: true });
    await writeFile(join(workspace, HOT_IDENTITY_FILE), JSON.stringify({ id, password: 'p'.repeat(32) }) + '\n');
  }

  it('removes clusters (with their outbox) only when their workspace is provably gone or names another cluster', async () => {
    // (a) The workspace folder is gone.
    const gone = await fakeCluster('gone', join(scratch, 'deleted-workspace'), randomUUID());
    // (b) The workspace is there, but its hot-store.json cannot be read (here: it is a folder).
    const unreadableWs = join(scratch, 'unreadable');
    await mkdir(join(unreadableWs, HOT_IDENTITY_FILE), { recursive: true });
    const unreadable = await fakeCluster('unreadable', unreadableWs, randomUUID());
    // (b') The workspace path cannot even be looked up (a parent is a file: ENOTDIR).
    await writeFile(join(scratch, 'a-file'), 'not a folder\n');
    const notDir = await fakeCluster('notdir', join(scratch, 'a-file', 'workspace'), randomUUID());
    // (b'') The workspace is there but has no hot-store.json (yet): nothing proves the cluster is unused.
    const noIdentityWs = join(scratch, 'no-identity');
    await mkdir(noIdentityWs, { recursive: true });
    const noIdentity = await fakeCluster('noidentity', noIdentityWs, randomUUID());
    // (c) The workspace was recreated at the same path: its hot-store.json names another id.
    const recreatedWs = join(scratch, 'recreated');
    await identity(recreatedWs, randomUUID());
    const replaced = await fakeCluster('replaced', recreatedWs, randomUUID());
    // (d) The workspace still names this cluster.
    const liveWs = join(scratch, 'live');
    const liveId = randomUUID();
    await identity(liveWs, liveId);
    const live = await fakeCluster('live', liveWs, liveId);

    const removed = await sweepOrphanClusters(null, base);

    for (const d of [gone, replaced]) {
      expect.soft(await exists(d), `${d} removed`).toBe(false);
      expect.soft(await exists(`${d}-outbox`), `${d}-outbox removed`).toBe(false);
      expect.soft(await exists(`${d}.owner.json`), `${d}.owner.json removed`).toBe(false);
    }
    for (const d of [unreadable, notDir, noIdentity, live]) {
      expect.soft(await exists(join(d, 'PG_VERSION')), `${d} kept`).toBe(true);
      expect.soft(await exists(join(`${d}-outbox`, 'batch.txt')), `${d}-outbox kept`).toBe(true);
      expect.soft(await exists(`${d}.owner.json`), `${d}.owner.json kept`).toBe(true);
    }
    // The sweep reports what it removed.
    expect(removed.filter((p) => p.startsWith(join(base, tag))).sort()).toEqual([gone, replaced].sort());
  });

  it('removes outbox folders whose cluster and owner record are gone, and no others', async () => {
    const leftover = join(base, `${tag}-leftover-outbox`);
    const withCluster = join(base, `${tag}-old`);
    made.push(leftover, withCluster, `${withCluster}-outbox`);
    await mkdir(leftover, { recursive: true });
    await mkdir(withCluster, { recursive: true });
    await mkdir(`${withCluster}-outbox`, { recursive: true });
    await sweepOrphanClusters(null, base);
    expect(await exists(leftover)).toBe(false);
    expect(await exists(`${withCluster}-outbox`)).toBe(true);
  });

  it('never removes the cluster it is asked to keep', async () => {
    const keep = await fakeCluster('keep', join(scratch, 'also-deleted'), randomUUID());
    await sweepOrphanClusters(keep, base);
    expect(await exists(join(keep, 'PG_VERSION'))).toBe(true);
    expect(await exists(`${keep}-outbox`)).toBe(true);
  });
});
