import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { promisify } from 'node:util';
import { isPidAlive } from '../system/pid';

const execFileAsync = promisify(execFile);

/** What the live process named in a postmaster.pid turned out to be. */
export type PostmasterCheck = { kind: 'ours'; why: string } | { kind: 'unrelated'; why: string } | { kind: 'unknown'; why: string };

/** The data folder a postgres command line names (`-D dir`, `-Ddir`, `--pgdata=dir`, `--pgdata dir`; the last wins), or null. */
export function dataDirArgument(args: readonly string[]): string | null {
  let found: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-D' || a === '--pgdata') found = args[i + 1] ?? found;
    else if (a.startsWith('--pgdata=')) found = a.slice('--pgdata='.length);
    else if (a.startsWith('-D') && a.length > 2) found = a.slice(2);
  }
  return found;
}

/** A path with symlinks resolved where it exists, else just made absolute. */
async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/**
 * Is live process `pid` the postmaster of `dataDir`? Only proof counts: the `postgres` binary whose
 * command line names this very folder after -D (relative paths resolved against the process's working
 * folder, symlinks resolved on both sides). A process that names another folder, or names none and runs
 * elsewhere, is unrelated (a pid reused after a crash). Anything in between (a command line that cannot be
 * read, no -D but a working folder inside the cluster) is unknown: neither signalled nor cleared.
 * Reads /proc on Linux; elsewhere falls back to the `ps` line, matched as text.
 */
export async function checkPostmaster(pid: number, dataDir: string): Promise<PostmasterCheck> {
  const dir = await canonical(dataDir);
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\u0000');
  if (argv.at(-1) === '') argv.pop();
  if (argv.length === 0) return checkPostmasterByPs(pid, dataDir, dir);
  // Named by its program only: another program's arguments may hold secrets, and this text is logged.
  const command = `a "${basename(argv[0]).slice(0, 60)}" process`;
  const isPostgres = ['postgres', 'postmaster'].includes(basename(argv[0]));
  const cwd = await realpath(`/proc/${pid}/cwd`).catch(() => null);
  const arg = dataDirArgument(argv.slice(1));
  if (arg !== null) {
    if (!arg.startsWith('/') && cwd === null)
      return { kind: 'unknown', why: `${command} names a relative data folder and its working folder cannot be read` };
    const named = await canonical(resolve(cwd ?? '/', arg));
    if (named !== dir) return { kind: 'unrelated', why: `${command} with data folder ${named}` };
    return isPostgres
      ? { kind: 'ours', why: `${command} with data folder ${named}` }
      : { kind: 'unknown', why: `${command} names this data folder but is not the postgres binary` };
  }
  if (cwd === null) {
    return isPostgres
      ? { kind: 'unknown', why: `${command} names no data folder and its working folder cannot be read` }
      : { kind: 'unrelated', why: command };
  }
  if (cwd === dir || cwd.startsWith(`${dir}/`)) return { kind: 'unknown', why: `${command} names no data folder but runs inside this one` };
  return { kind: 'unrelated', why: `${command} running in ${cwd}` };
}

/** No /proc (macOS): `ps` gives the command line as one string, so the -D match is textual. */
async function checkPostmasterByPs(pid: number, dataDir: string, dir: string): Promise<PostmasterCheck> {
  let line: string;
  try {
    line = (await execFileAsync('ps', ['-ww', '-o', 'args=', '-p', String(pid)])).stdout.trim();
  } catch (err) {
    return { kind: 'unknown', why: `its command line could not be read (${String(err)})` };
  }
  if (line === '') return { kind: 'unknown', why: 'its command line could not be read' };
  const command = `a "${basename(line.split(' ')[0] ?? '').slice(0, 60)}" process`;
  const namesDir = [dataDir, dir].some((d) =>
    [` -D ${d}`, ` -D${d}`, ` --pgdata=${d}`].some((form) => (line + ' -').includes(`${form} -`)),
  );
  if (namesDir)
    return /postgres|postmaster/.test(line)
      ? { kind: 'ours', why: `${command} with data folder ${dataDir}` }
      : { kind: 'unknown', why: `${command} names this data folder` };
  if (/ (-D|--pgdata)/.test(line)) return { kind: 'unrelated', why: `${command} with another data folder` };
  if (/postgres|postmaster/.test(line)) return { kind: 'unknown', why: `${command} that names no data folder` };
  return { kind: 'unrelated', why: command };
}

/** True once `pid` is gone, waiting at most `ms`. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isPidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isPidAlive(pid);
}
