import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { WorkbenchError } from '../../../shared/api/errors';
import { postgresBinaries } from './postgres-binaries';
import { checkPostmaster, waitForExit } from './postmaster-check';
import { ROOT_PG_BASE, sweepOrphanClusters } from './root-clusters';
import { isPidAlive } from '../system/pid';

const execFileAsync = promisify(execFile);

export interface EmbeddedServerOptions {
  /** `<workspace>/pg`; used as is when not running as root. */
  workspacePgDir: string;
  /** Names the data folder when running as root. */
  workspaceId: string;
  password: string;
  user?: string;
  /** Fixed port; default: a free one. */
  port?: number;
  log?: (line: string) => void;
}

/**
 * The data folder of the embedded cluster.
 * - Not root: inside the workspace (`<workspace>/pg`).
 * - Root (containers, CI): PostgreSQL must run as the unprivileged `postgres` user, which cannot traverse
 *   typical workspace parents (`/root` is 0700, mkdtemp folders are 0700). So the folder is
 *   `/var/lib/battery-workbench/pg/<workspace id>`, owned by `postgres`; the workspace id lives in the
 *   workspace's hot-store.json, so a recreated workspace at the same path gets a fresh cluster.
 */
export function embeddedDataDir(options: Pick<EmbeddedServerOptions, 'workspacePgDir' | 'workspaceId'>, isRoot = isRootUser()): string {
  if (!isRoot) return options.workspacePgDir;
  const safe = createHash('sha256').update(options.workspaceId).digest('hex').slice(0, 24);
  return join(ROOT_PG_BASE, safe);
}

export function isRootUser(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('No free port'))));
    });
  });
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const ids = async (): Promise<{ uid: number; gid: number }> => {
    const [u, g] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
    return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
  };
  try {
    return await ids();
  } catch {
    // First run as root on this machine: create the unprivileged user PostgreSQL will run as.
    try {
      await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await execFileAsync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres']);
      return await ids();
    } catch (err) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        'The embedded PostgreSQL cannot run as root, and the "postgres" user it would run as could not be created.',
        `Create a "postgres" OS user, run the workbench as a normal user, or set an external PostgreSQL URL. ${String(err)}`,
      );
    }
  }
}

/**
 * The embedded PostgreSQL cluster of a workspace: initialised on first use, started on a free port
 * bound to 127.0.0.1 (no Unix socket), stopped with a fast shutdown. A stale postmaster left by a crash
 * (a live orphan or a dead pid in postmaster.pid) is shut down or cleared, not fatal.
 */
export class EmbeddedServer {
  readonly dataDir: string;
  readonly user: string;
  private child: ChildProcess | null = null;
  private port_ = 0;
  private readonly logTail: string[] = [];
  /** The last start attempt met shared memory still held by backends of a killed postmaster. */
  private sharedMemoryBusy = false;
  private outbox: Promise<string> | null = null;

  constructor(private readonly options: EmbeddedServerOptions) {
    this.dataDir = embeddedDataDir(options);
    this.user = options.user ?? 'postgres';
  }

  get port(): number {
    return this.port_;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private log(line: string): void {
    this.logTail.push(line);
    if (this.logTail.length > 40) this.logTail.shift();
    if (line.includes('pre-existing shared memory block')) this.sharedMemoryBusy = true;
    this.options.log?.(line);
  }

  async start(): Promise<void> {
    if (this.child) return;
    const bins = await postgresBinaries();
    const ids = isRootUser() ? await postgresIds() : null;
    await this.initialise(bins.initdb, ids);
    await this.clearStalePostmaster();
    let lastError: unknown = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = this.options.port ?? (await freePort());
      this.sharedMemoryBusy = false;
      try {
        await this.spawnServer(bins.postgres, port, ids);
        this.port_ = port;
        return;
      } catch (err) {
        lastError = err;
        // Backends of a killed postmaster still hold its shared memory (PostgreSQL refuses to start): let them exit.
        if (this.sharedMemoryBusy) {
          await new Promise((r) => setTimeout(r, 2_000));
          continue;
        }
        if (this.options.port !== undefined) break;
      }
    }
    throw lastError instanceof WorkbenchError
      ? lastError
      : new WorkbenchError('HOT_UNAVAILABLE', 'The embedded PostgreSQL did not start.', String(lastError));
  }

  private async initialise(initdb: string, ids: { uid: number; gid: number } | null): Promise<void> {
    if (await exists(join(this.dataDir, 'PG_VERSION'))) return;
    // initdb into a temp folder next to the final one, then rename: a crash mid-initdb leaves no half cluster.
    const parent = dirname(this.dataDir);
    await mkdir(parent, { recursive: true, mode: 0o755 });
    if (ids) await chmod(parent, 0o755).catch(() => undefined);
    const staging = `${this.dataDir}.init`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { mode: 0o700 });
    const pwfile = join(tmpdir(), `bw-pg-${process.pid}-${Date.now()}.pw`);
    await writeFile(pwfile, `${this.options.password}\n`, { mode: 0o600 });
    if (ids) {
      await chown(staging, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    try {
      await runProcess(
        initdb,
        [
          `--pgdata=${staging}`,
          '--auth=scram-sha-256',
          `--username=${this.user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
          '--no-sync',
        ],
        ids,
        (l) => this.log(l),
      );
    } catch (err) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        'The embedded PostgreSQL could not initialise its data folder.',
        `${String(err)}\n${this.logTail.join('')}`,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
    await rm(this.dataDir, { recursive: true, force: true });
    await rename(staging, this.dataDir);
    if (ids) {
      // Root only: remember which workspace owns this cluster, so clusters of deleted workspaces can be swept.
      await writeFile(
        `${this.dataDir}.owner.json`,
        JSON.stringify({ workspacePgDir: this.options.workspacePgDir, workspaceId: this.options.workspaceId }) + '\n',
      );
      await sweepOrphanClusters(this.dataDir, ROOT_PG_BASE, (l) => this.log(l));
    }
  }

  /**
   * A crash can leave postmaster.pid behind, naming a dead postmaster, a live orphan of this cluster, or
   * (the pid reused since) an unrelated process. Only a process proven to be this folder's postmaster is
   * stopped; an unrelated one is left running and the stale file removed (PostgreSQL would refuse to start
   * over it); a process that cannot be told apart stops the start, with nothing signalled or removed.
   * A file naming a dead pid is left to PostgreSQL, which also checks that no backend of the old server
   * still holds its shared memory (that check needs the file).
   */
  private async clearStalePostmaster(): Promise<void> {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    let text: string;
    try {
      text = await readFile(pidFile, 'utf8');
    } catch {
      return;
    }
    const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
    if (!Number.isInteger(pid) || pid <= 0) {
      // A postmaster that died while writing it; PostgreSQL refuses an empty or garbled lock file.
      this.log(`Removing ${pidFile}: it names no process (a postmaster died while starting)\n`);
      await rm(pidFile, { force: true });
      return;
    }
    if (!isPidAlive(pid)) {
      this.log(`${pidFile} names process ${pid}, which is not running: PostgreSQL will clear it\n`);
      return;
    }
    const check = await checkPostmaster(pid, this.dataDir);
    if (check.kind === 'unrelated') {
      this.log(`Process ${pid} is alive but is not this folder's postmaster (${check.why}): left running; removing the stale ${pidFile}\n`);
      await rm(pidFile, { force: true });
      return;
    }
    if (check.kind === 'unknown') {
      this.log(`Process ${pid} named in ${pidFile} could not be identified (${check.why}): not signalled, file kept\n`);
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        `The embedded PostgreSQL did not start: ${pidFile} names running process ${pid}, which could not be identified as this folder's PostgreSQL or as an unrelated process (${check.why}).`,
        `Nothing was signalled and the file was kept. If process ${pid} is a PostgreSQL server for ${this.dataDir}, stop it; if it is not, delete ${pidFile}. Then open the workspace again.`,
      );
    }
    // An orphan postmaster of this cluster (its owner crashed): the workspace lock says nobody else uses it.
    this.log(`Stopping orphan postmaster ${pid} of ${this.dataDir} left by a previous run (${check.why})\n`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 20_000))) {
      process.kill(pid, 'SIGKILL');
      if (!(await waitForExit(pid, 5_000))) {
        throw new WorkbenchError(
          'HOT_UNAVAILABLE',
          `The embedded PostgreSQL did not start: the orphan postmaster ${pid} of ${this.dataDir} survived SIGINT and SIGKILL.`,
          `Stop process ${pid} (it may be stuck on a hung disk), then open the workspace again.`,
        );
      }
    }
    // Its own shutdown removed postmaster.pid; after a SIGKILL the file stays for PostgreSQL's shared-memory check.
  }

  private spawnServer(postgres: string, port: number, ids: { uid: number; gid: number } | null): Promise<void> {
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_wal_size=4GB',
      '-c',
      'checkpoint_timeout=15min',
      '-c',
      'lc_messages=C',
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(postgres, args, {
        ...(ids ?? {}),
        env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        child.kill('SIGKILL');
        reject(new WorkbenchError('HOT_UNAVAILABLE', 'The embedded PostgreSQL did not become ready within 60 s.', this.logTail.join('')));
      }, 60_000);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        this.log(text);
        if (!settled && text.includes('database system is ready to accept connections')) {
          settled = true;
          clearTimeout(timer);
          this.child = child;
          // If this process exits without close() (an uncaught error, process.exit), take the postmaster
          // along: a fast shutdown request is all 'exit' handlers can still send.
          const onExit = (): void => {
            child.kill('SIGINT');
          };
          process.once('exit', onExit);
          child.once('exit', () => process.off('exit', onExit));
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('error', (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new WorkbenchError('HOT_UNAVAILABLE', 'The embedded PostgreSQL could not be started.', String(err)));
      });
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          new WorkbenchError(
            'HOT_UNAVAILABLE',
            `The embedded PostgreSQL exited while starting (code ${code ?? 'none'}, signal ${signal ?? 'none'}).`,
            this.logTail.join('').slice(-4000),
          ),
        );
      });
    });
  }

  /** Fast shutdown (SIGINT); SIGKILL after 30 s. */
  /**
   * A folder the server itself writes into (`COPY ... TO '<file>'`, as the cluster's OS user) and the
   * workbench reads from: bulk exports then skip the client protocol, which costs the workbench about as
   * much CPU as PostgreSQL spends producing the rows. Next to the data folder, private to the server's user.
   */
  outboxDir(): Promise<string> {
    // Made once per server: every archive batch asks for it.
    this.outbox ??= (async () => {
      const dir = `${this.dataDir}-outbox`;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (isRootUser()) {
        const ids = await postgresIds();
        await chown(dir, ids.uid, ids.gid);
      }
      return dir;
    })();
    this.outbox.catch(() => {
      this.outbox = null;
    });
    return this.outbox;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGINT');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
    this.child = null;
  }

  /** Simulate a crash (tests): kill the postmaster without letting it clean up. */
  killHard(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function runProcess(cmd: string, args: string[], ids: { uid: number; gid: number } | null, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...(ids ?? {}),
      env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => log(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => log(c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with code ${code ?? 'none'} ${signal ?? ''}`)),
    );
  });
}
