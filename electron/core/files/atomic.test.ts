import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirDurable } from './atomic';

const execFileAsync = promisify(execFile);
const ATOMIC = resolve(import.meta.dirname, 'atomic.ts');
const REPO = resolve(import.meta.dirname, '..', '..', '..');

/** strace can trace a child here (installed, and ptrace allowed in this container). */
const canTrace = ((): boolean => {
  try {
    return spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
})();

/**
 * Run `call` (a TypeScript expression over atomic.ts's exports `a` and the scratch folder `root`) in a
 * fresh Node process under strace, and return the paths of every file or folder it fsynced, in order.
 */
async function fsyncedPaths(root: string, call: string): Promise<string[]> {
  const script = join(root, 'run.mts');
  await writeFile(
    script,
    `import * as a from ${JSON.stringify(pathToFileURL(ATOMIC).href)};\nconst root = ${JSON.stringify(root)};\nawait ${call};\n`,
  );
  const log = join(root, 'strace.log');
  await execFileAsync(
    'strace',
    ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', log, process.execPath, '--import', 'tsx', script],
    { cwd: REPO },
  );
  const paths: string[] = [];
  for (const line of (await readFile(log, 'utf8')).split('\n')) {
    const m = /f(?:data)?sync\(\d+<(.*)>\)\s+=\s+0/.exec(line);
    if (m) paths.push(m[1]);
  }
  return paths;
}

describe('durable folders', () => {
  let root: string;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'bw-atomic-')));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('mkdirDurable creates a nested path and fsyncs the parent of every folder it created', async () => {
    const partition = join(root, 'mk', 'lake', 'telemetry', 'date=2026-01-02');
    const synced = await mkdirDurable(partition);
    for (const d of ['mk', 'mk/lake', 'mk/lake/telemetry', 'mk/lake/telemetry/date=2026-01-02']) {
      expect((await stat(join(root, d))).isDirectory()).toBe(true);
    }
    // Each new folder's entry lives in its parent: those parents are what must reach the disk.
    expect(synced).toEqual([root, join(root, 'mk'), join(root, 'mk', 'lake'), join(root, 'mk', 'lake', 'telemetry')]);
    // Nothing new, nothing to sync.
    expect(await mkdirDurable(partition)).toEqual([]);
    // A sibling partition: only the one new folder, so only its parent.
    expect(await mkdirDurable(join(root, 'mk', 'lake', 'telemetry', 'date=2026-01-03'))).toEqual([join(root, 'mk', 'lake', 'telemetry')]);
    // A relative path is resolved (the parents are reported as absolute paths).
    const rel = await mkdirDurable(join(root, 'mk', 'rel', '..', 'rel2', 'x'));
    expect(rel).toEqual([join(root, 'mk'), join(root, 'mk', 'rel2')]);
  });

  it('mkdirDurable fails loudly when the path is blocked by a file', async () => {
    await mkdir(join(root, 'blocked'), { recursive: true });
    await writeFile(join(root, 'blocked', 'file'), 'x');
    await expect(mkdirDurable(join(root, 'blocked', 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.skipIf(!canTrace)(
    "publishFile makes a new partition folder durable: fsyncs the file, its folder and every new folder's parent",
    async () => {
      const dir = join(root, 'pub');
      await mkdir(dir);
      await writeFile(join(dir, 'staged.tmp'), 'parquet bytes');
      const final = join(dir, 'lake', 'telemetry', 'date=2026-01-02', 'part-0.parquet');
      const synced = await fsyncedPaths(dir, `a.publishFile(root + '/staged.tmp', ${JSON.stringify(final)})`);
      expect(await readFile(final, 'utf8')).toBe('parquet bytes');
      expect(synced).toContain(join(dir, 'staged.tmp'));
      for (const folder of [dir, join(dir, 'lake'), join(dir, 'lake', 'telemetry'), join(dir, 'lake', 'telemetry', 'date=2026-01-02')]) {
        expect(synced).toContain(folder);
      }
    },
  );

  it.skipIf(!canTrace)('writeFileAtomic makes a new folder durable the same way', async () => {
    const dir = join(root, 'write');
    await mkdir(dir);
    const final = join(dir, 'lake', '_manifests', 'batch-1.json');
    const synced = await fsyncedPaths(dir, `a.writeFileAtomic(${JSON.stringify(final)}, '{}\\n')`);
    expect(await readFile(final, 'utf8')).toBe('{}\n');
    for (const folder of [dir, join(dir, 'lake'), join(dir, 'lake', '_manifests')]) {
      expect(synced).toContain(folder);
    }
  });
});
