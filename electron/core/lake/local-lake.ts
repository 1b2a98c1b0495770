import { statSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { mkdirDurable, publishFile, sweepStaleTempsIn, TEMP_PREFIX, tempPathFor, writeFileAtomic } from '../files/atomic';
import { isPidAlive } from '../system/pid';
import {
  checkKey,
  isReservedFolder,
  partitionOf,
  type Lake,
  type LakeEntry,
  type LakeFile,
  type LakeWriterLock,
  type StagedFile,
} from './lake';
import { liveFiles, MANIFESTS_FOLDER, parseManifest, sha256File, writeWithdrawal, type BatchManifest } from './manifest';
import { coverageOf } from './coverage';
import type { LakePin, LakePullReport, LakeStatus } from '../../../shared/api/storage';

const LOCK_KEY = '_locks/writer.lock';

/** A local lake's tiers: the lake folder, and the archive folder (another disk, a NAS) when one is set. */
export const LOCAL_TIERS = ['standard', 'archive'] as const;

interface LockOwner {
  pid: number;
  host: string;
  owner: string;
  since: string;
}

/**
 * The lake in a local folder. Staged files get a temp name in their final folder; publish links them into place. With an
 * archive folder (a colder tier: another disk, a NAS), a published file may live there instead, under the same key: the
 * lifecycle moves it (copy, verify, then drop the lake folder's copy), and every reader follows through `localPath`.
 * Manifests, locks and new files are always in the lake folder.
 */
export class LocalLake implements Lake {
  readonly kind = 'local' as const;
  private readonly root: string;
  private readonly archiveRoot: string | null;
  readonly tiers: readonly string[];

  constructor(root: string, archiveRoot?: string | null) {
    this.root = resolve(root);
    this.archiveRoot = archiveRoot ? resolve(archiveRoot) : null;
    if (this.archiveRoot !== null) checkArchiveFolder(this.root, this.archiveRoot);
    this.tiers = this.archiveRoot === null ? [LOCAL_TIERS[0]] : [...LOCAL_TIERS];
  }

  get location(): string {
    return this.root;
  }

  /** Where `key` is (or would be) in the lake folder. */
  private primaryPath(key: string): string {
    return pathUnder(this.root, key);
  }

  /** A published file's place in the archive folder, or null when there is none or `key` is no data file. */
  private archivePath(key: string): string | null {
    if (this.archiveRoot === null) return null;
    const name = key.split('/').pop() ?? '';
    if (!name.endsWith('.parquet') || name.startsWith('.') || key.startsWith('_')) return null;
    return pathUnder(this.archiveRoot, key);
  }

  localPath(key: string): string {
    const archived = this.archivePath(key);
    // A file in the archive folder is read there (once its verified copy is in place, even before the lake folder's goes).
    if (archived !== null && statSync(archived, { throwIfNoEntry: false })?.isFile()) return archived;
    return this.primaryPath(key);
  }

  async copyToTier(key: string, tier: string, want: { bytes: number; sha256: string }): Promise<void> {
    const target = this.archivePath(key);
    if (tier !== LOCAL_TIERS[1] || target === null)
      throw new WorkbenchError(
        'BAD_INPUT',
        this.archiveRoot === null
          ? `The lake at ${this.root} has no archive folder: set one in Settings to move files to a colder tier.`
          : `A local lake's colder tier is "${LOCAL_TIERS[1]}", not "${tier}".`,
      );
    const there = await stat(target).catch(() => null);
    if (there?.isFile()) {
      if (there.size === want.bytes && (await sha256File(target)) === want.sha256) return;
      throw new WorkbenchError(
        'CONFLICT',
        `The archive folder already has ${key}, and it is not the lake's file (size or SHA-256 differ).`,
        target,
      );
    }
    const source = this.primaryPath(key);
    await mkdirDurable(dirname(target));
    // A copy a killed move left half done is a temp of a process that is gone.
    await sweepStaleTempsIn(dirname(target));
    const temp = tempPathFor(target);
    try {
      await copyFile(source, temp);
      const s = await stat(temp);
      const sha = await sha256File(temp);
      if (s.size !== want.bytes || sha !== want.sha256)
        throw new WorkbenchError(
          'LAKE_ERROR',
          `The copy of ${key} in the archive folder does not match the manifest (${s.size} bytes, sha256 ${sha}); the lake folder's copy is kept.`,
        );
      await publishFile(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      if (err instanceof WorkbenchError) throw err;
      throw lakeError(`copy ${key} to the archive folder ${this.archiveRoot}`, err);
    }
  }

  async settleTier(key: string): Promise<void> {
    const archived = this.archivePath(key);
    // Only once the archive folder holds it: never the last copy.
    if (archived === null || !(await stat(archived).catch(() => null))?.isFile()) return;
    await rm(this.primaryPath(key), { force: true });
  }

  async ensure(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      const probe = join(this.root, `.probe-${process.pid}`);
      const fh = await open(probe, 'w');
      await fh.close();
      await rm(probe, { force: true });
    } catch (err) {
      throw lakeError('open the lake folder', err);
    }
  }

  async requireOnline(): Promise<void> {
    // A folder is always there (ensure() proved it writable).
  }

  async datasets(): Promise<string[]> {
    return [...(await this.liveByDataset()).keys()];
  }

  /** Every dataset folder with live files, and its live files (each folder walked once), sorted by name. */
  private async liveByDataset(): Promise<Map<string, LakeFile[]>> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw lakeError('list the datasets', err);
    }
    const out = new Map<string, LakeFile[]>();
    for (const name of entries
      .filter((e) => e.isDirectory() && !isReservedFolder(e.name))
      .map((e) => e.name)
      .sort()) {
      const files = await this.list(name);
      if (files.length > 0) out.set(name, files);
    }
    return out;
  }

  /**
   * The live files (per the dataset's manifests) on disk. A dataset written before manifests existed (an early
   * conversion's output) has none: its files are read as listed. A file no manifest names is not the lake's.
   */
  async list(dataset: string): Promise<LakeFile[]> {
    const files = dedupeTiers((await this.walk(dataset)).filter((e) => e.kind === 'data')).map((e): LakeFile => ({
      key: e.key,
      dataset,
      partition: partitionOf(e.key),
      size: e.size,
      modifiedAt: e.modifiedAt,
    }));
    const manifests = await this.manifests(dataset);
    if (manifests.length === 0) return files;
    const live = liveFiles(manifests);
    return files.flatMap((f) => {
      const l = live.get(f.key);
      return l ? [{ ...f, rows: l.file.rows }] : [];
    });
  }

  async listEntries(folder?: string): Promise<LakeEntry[]> {
    return this.walk(folder);
  }

  private async walk(folder?: string): Promise<LakeEntry[]> {
    if (folder !== undefined) checkKey(folder);
    const out: LakeEntry[] = [];
    const visit = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw lakeError(`list ${folder}`, err);
      }
      for (const e of entries) {
        const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
        const p = join(dir, e.name);
        const temp = e.name.startsWith(TEMP_PREFIX);
        if (e.isDirectory() && !temp) {
          // Dot folders are nobody's data (an old trash folder, a tool's cache).
          if (!e.name.startsWith('.')) await visit(p, childRel);
          continue;
        }
        if (!e.isFile() && !temp) continue;
        const s = await stat(p).catch(() => null);
        if (!s) continue;
        if (temp) {
          // `.bw-tmp-<pid>-...`: the writer's pid (a staging folder counts as one entry).
          const pid = Number(e.name.slice(TEMP_PREFIX.length).split('-')[0]);
          out.push({
            key: childRel,
            size: s.size,
            modifiedAt: s.mtime,
            kind: 'temp',
            writerAlive: Number.isInteger(pid) && (pid === process.pid || isPidAlive(pid)),
          });
          continue;
        }
        const kind: LakeEntry['kind'] = !e.name.startsWith('.') && e.name.endsWith('.parquet') ? 'data' : 'other';
        out.push({ key: childRel, size: s.size, modifiedAt: s.mtime, kind });
      }
    };
    await visit(folder === undefined ? this.root : join(this.root, ...folder.split('/')), folder ?? '');
    if (this.archiveRoot !== null && !(folder ?? '').startsWith('_')) {
      // The archive folder's published files, as the lake's: its temps are a killed move's, swept by the next copy.
      const inLake = out.length;
      await visit(folder === undefined ? this.archiveRoot : join(this.archiveRoot, ...folder.split('/')), folder ?? '');
      const archived = out.splice(inLake).filter((e) => e.kind === 'data' && !e.key.startsWith('_'));
      out.push(...archived.map((e) => ({ ...e, tier: LOCAL_TIERS[1] })));
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async manifests(dataset?: string): Promise<{ key: string; manifest: BatchManifest }[]> {
    const entries = await this.walk(dataset === undefined ? MANIFESTS_FOLDER : `${MANIFESTS_FOLDER}/${dataset}`);
    const out: { key: string; manifest: BatchManifest }[] = [];
    for (const e of entries) {
      if (e.kind !== 'other' || !e.key.endsWith('.json') || e.key.split('/').pop()?.startsWith('.')) continue;
      const m = parseManifest(await readFile(this.localPath(e.key), 'utf8').catch(() => ''));
      if (m) out.push({ key: e.key, manifest: m });
      else out.push({ key: e.key, manifest: { batchId: '', dataset: '', source: 'unreadable', writtenAt: '', rows: 0, files: [] } });
    }
    return out;
  }

  async manifestKeys(dataset?: string): Promise<string[]> {
    const names = async (dir: string): Promise<{ name: string; dir: boolean }[]> => {
      try {
        return (await readdir(join(this.root, ...dir.split('/')), { withFileTypes: true })).map((e) => ({
          name: e.name,
          dir: e.isDirectory(),
        }));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw lakeError(`list ${dir}`, err);
      }
    };
    const folders =
      dataset === undefined
        ? (await names(MANIFESTS_FOLDER)).filter((e) => e.dir && !e.name.startsWith('.')).map((e) => `${MANIFESTS_FOLDER}/${e.name}`)
        : [`${MANIFESTS_FOLDER}/${checkKey(dataset).join('/')}`];
    const out: string[] = [];
    for (const folder of folders) {
      for (const e of await names(folder))
        if (!e.dir && e.name.endsWith('.json') && !e.name.startsWith('.')) out.push(`${folder}/${e.name}`);
    }
    return out.sort();
  }

  async readManifest(key: string): Promise<BatchManifest | null> {
    return parseManifest(await readFile(this.localPath(key), 'utf8').catch(() => ''));
  }

  async read(key: string): Promise<Uint8Array> {
    const p = this.localPath(key);
    try {
      return await readFile(p);
    } catch (err) {
      throw lakeError(`read ${key}`, err);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const p = this.primaryPath(key);
    try {
      await writeFileAtomic(p, data);
    } catch (err) {
      throw lakeError(`write ${key}`, err);
    }
  }

  async stage(key: string): Promise<StagedFile> {
    const p = this.primaryPath(key);
    // A new partition folder is made durable here (its parent fsynced), before any file lands in it.
    await mkdirDurable(dirname(p));
    // Temp names start with '.bw-tmp-' and end in '.tmp': neither list() nor any view ever reads them.
    return { key, path: tempPathFor(p) };
  }

  async publish(staged: StagedFile): Promise<LakeFile> {
    const p = this.primaryPath(staged.key);
    try {
      // Never under a key the archive folder holds either.
      const archived = this.archivePath(staged.key);
      if (archived !== null && (await stat(archived).catch(() => null)))
        throw Object.assign(new Error(`${staged.key} is in the archive folder`), { code: 'EEXIST' });
      await publishFile(staged.path, p);
      const s = await stat(p);
      return { key: staged.key, dataset: staged.key.split('/')[0], partition: partitionOf(staged.key), size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WorkbenchError('CONFLICT', `The lake already has ${staged.key}; it is never replaced.`, errorMessage(err));
      }
      throw lakeError(`publish ${staged.key}`, err);
    }
  }

  async discard(staged: StagedFile): Promise<void> {
    await rm(staged.path, { force: true });
  }

  async withdraw(dataset: string, keys: readonly string[], reason: string): Promise<void> {
    for (const k of keys) checkKey(k);
    await writeWithdrawal(this, dataset, keys, reason);
  }

  async remove(key: string): Promise<void> {
    // A writer's temp may be a folder (a partitioned COPY's staging); a published key is always one file (in either tier).
    await rm(this.primaryPath(key), { force: true, recursive: (key.split('/').pop() ?? '').startsWith(TEMP_PREFIX) });
    const archived = this.archivePath(key);
    if (archived !== null) await rm(archived, { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.localPath(key));
      return true;
    } catch {
      return false;
    }
  }

  async removeDataset(dataset: string): Promise<void> {
    checkKey(dataset);
    const places: [string, string][] = [
      [this.root, dataset],
      [this.root, `${MANIFESTS_FOLDER}/${dataset}`],
      ...(this.archiveRoot === null ? [] : [[this.archiveRoot, dataset] as [string, string]]),
    ];
    for (const [root, folder] of places) {
      const dir = join(root, ...folder.split('/'));
      // Rename first so readers never see a half-deleted dataset, then delete.
      const trash = join(root, `${TEMP_PREFIX}${process.pid}-trash-${folder.replaceAll('/', '_')}-${Date.now()}`);
      try {
        await rename(dir, trash);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw lakeError(`remove ${dataset}`, err);
      }
      await rm(trash, { recursive: true, force: true });
    }
  }

  async readable(dataset: string): Promise<LakeFile[]> {
    return this.list(dataset);
  }

  /** The keys whose file is there (one stat each, no listing): a file removed behind the lake's back is left out of the views. */
  async cached(keys: readonly string[]): Promise<Set<string>> {
    const there = await Promise.all(keys.map(async (k) => ((await stat(this.localPath(k)).catch(() => null))?.isFile() ? k : null)));
    return new Set(there.filter((k): k is string => k !== null));
  }

  async fetch(): Promise<void> {
    // Every file is local already.
  }

  async describe(key: string): Promise<{ bytes: number; sha256: string | null } | null> {
    const s = await stat(this.localPath(key)).catch(() => null);
    return s?.isFile() ? { bytes: s.size, sha256: await sha256File(this.localPath(key)) } : null;
  }

  retryCount(): number {
    return 0;
  }

  async status(options: { coverageOnly?: boolean } = {}): Promise<LakeStatus> {
    const datasets = [];
    // Every day of a local lake is on disk: nothing is missing from a cache, so no listing is needed to say so.
    if (!options.coverageOnly)
      for (const [ds, files] of await this.liveByDataset()) datasets.push(coverageOf(ds, files, new Set(files.map((f) => f.key))));
    return { kind: 'local', location: this.root, online: true, lastContact: null, lastError: null, cache: null, datasets, complete: true };
  }

  async pull(): Promise<LakePullReport> {
    return {
      location: this.root,
      fetched: 0,
      fetchedBytes: 0,
      alreadyCached: 0,
      refetched: 0,
      evicted: 0,
      skipped: 0,
      retries: 0,
      elapsedMs: 0,
      status: await this.status(),
    };
  }

  async pin(_pin: LakePin): Promise<void> {
    throw new WorkbenchError('BAD_INPUT', `The lake at ${this.root} is a local folder: every day is on disk, so there is nothing to pin.`);
  }

  async unpin(pin: LakePin): Promise<void> {
    await this.pin(pin);
  }

  async lockWriter(owner: string): Promise<LakeWriterLock> {
    const path = this.localPath(LOCK_KEY);
    await mkdir(dirname(path), { recursive: true });
    const me: LockOwner = { pid: process.pid, host: hostname(), owner, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(path, 'wx', 0o644);
        try {
          await fh.writeFile(`${JSON.stringify(me)}\n`);
          await fh.sync();
        } finally {
          await fh.close();
        }
        let released = false;
        return {
          release: async () => {
            if (released) return;
            released = true;
            const now = await readOwner(path);
            if (now && now.pid === me.pid && now.host === me.host && now.since === me.since) await rm(path, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lakeError('take the lake-writer lock', err);
      }
      let holder = await readOwner(path);
      if (holder === null) {
        // Just created and not yet written, or a torn file a crash left behind long ago.
        await new Promise((r) => setTimeout(r, 250));
        holder = await readOwner(path);
        const age = Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? 0);
        if (holder === null && age < 10_000) holder = { pid: 0, host: '?', owner: 'another job', since: 'just now' };
      }
      // A holder on this machine whose process is gone (kill -9) left the lock behind: take it over.
      if (holder === null || (holder.host === me.host && !isPidAlive(holder.pid))) {
        await rm(path, { force: true });
        continue;
      }
      throw new WorkbenchError(
        'CONFLICT',
        `The lake at ${this.root} is in use by ${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since}). The jobs that write the lake, and the lake check, take turns: wait for it to finish and run again.`,
        `If that process is gone, remove ${path}.`,
      );
    }
    throw new WorkbenchError('CONFLICT', `The lake-writer lock at ${path} could not be taken.`);
  }
}

/** An archive folder must be apart from the lake folder (neither inside the other): BAD_INPUT otherwise. */
export function checkArchiveFolder(lakeDir: string, archiveDir: string): void {
  const [a, b] = [resolve(lakeDir), resolve(archiveDir)];
  if (a === b || b.startsWith(a + sep) || a.startsWith(b + sep))
    throw new WorkbenchError('BAD_INPUT', `The archive folder ${b} must be outside the lake folder ${a}, and the lake outside it.`);
}

/** `root/key`, refusing a key that would leave `root`. */
function pathUnder(root: string, key: string): string {
  const p = join(root, ...checkKey(key));
  if (!p.startsWith(root + sep)) throw new Error(`Lake key escapes the lake: ${key}`);
  return p;
}

/** One entry per key: a file in both tiers (a move not settled yet) is the archive's, as `localPath` reads it. */
function dedupeTiers(entries: readonly LakeEntry[]): LakeEntry[] {
  const byKey = new Map<string, LakeEntry>();
  for (const e of entries) if (!byKey.has(e.key) || e.tier !== undefined) byKey.set(e.key, e);
  return [...byKey.values()];
}

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string'
      ? { pid: o.pid, host: o.host, owner: String(o.owner ?? 'another job'), since: String(o.since ?? '?') }
      : null;
  } catch {
    return null;
  }
}

function lakeError(what: string, err: unknown): WorkbenchError {
  return new WorkbenchError('LAKE_ERROR', `The lake could not ${what}.`, errorMessage(err));
}
