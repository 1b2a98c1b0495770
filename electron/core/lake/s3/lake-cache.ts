import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakePin } from '../../../../shared/api/storage';
import { writeFileAtomic } from '../../files/atomic';
import { partitionOf } from '../lake';
import type { BatchManifest } from '../manifest';

interface CachedObject {
  size: number;
  mtimeMs: number;
  sha256: string;
  /** When it was last fetched or written here (eviction goes least recently used first). */
  usedAt: number;
}

interface IndexFile {
  version: 1;
  /** The lake this cache belongs to: a cache of another lake is never read. */
  url: string;
  manifests: Record<string, BatchManifest>;
  cached: Record<string, CachedObject>;
  pins: LakePin[];
  lastContact: string | null;
  lastError: string | null;
}

/** Saves at most this often during a pull (a kill loses at most this much bookkeeping; the files are re-adopted by hash). */
const SAVE_EVERY_MS = 1_000;

/**
 * The S3 lake's local cache bookkeeping, `<cache>/.bw-cache/index.json`: the manifests read from S3 (what the lake
 * holds, also offline), the objects with a verified local copy (size, mtime and SHA-256 as verified), the pinned
 * working sets and the last contact. A cached file whose size or mtime changed since it was verified is suspect:
 * it is not read, and the next pull fetches it again.
 */
export class LakeCache {
  private data: IndexFile | null = null;
  private readonly suspects = new Set<string>();
  private savedAt = 0;
  private saving: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly url: string,
  ) {
    this.file = join(dir, '.bw-cache', 'index.json');
  }

  async load(): Promise<IndexFile> {
    if (this.data) return this.data;
    let read: IndexFile | null = null;
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as IndexFile;
      if (parsed.version === 1 && parsed.url === this.url) read = parsed;
    } catch {
      // Missing or torn: start empty; cached files are re-adopted by their hash on the next pull.
    }
    this.data = read ?? { version: 1, url: this.url, manifests: {}, cached: {}, pins: [], lastContact: null, lastError: null };
    return this.data;
  }

  async save(): Promise<void> {
    const data = await this.load();
    this.savedAt = Date.now();
    this.saving = this.saving.then(async () => {
      await mkdir(join(this.dir, '.bw-cache'), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(data));
    });
    await this.saving;
  }

  private async saveSoon(): Promise<void> {
    if (Date.now() - this.savedAt >= SAVE_EVERY_MS) await this.save();
  }

  async noteContact(error: string | null): Promise<void> {
    const d = await this.load();
    const wasError = d.lastError;
    if (error === null) d.lastContact = new Date().toISOString();
    d.lastError = error;
    if (error !== null || wasError !== null) await this.save();
    else await this.saveSoon();
  }

  async lastContact(): Promise<string | null> {
    return (await this.load()).lastContact;
  }

  async lastError(): Promise<string | null> {
    return (await this.load()).lastError;
  }

  async manifestKeys(): Promise<Set<string>> {
    return new Set(Object.keys((await this.load()).manifests));
  }

  /** One manifest of the index (null when the index has none under that key, or it was unreadable). */
  async manifest(key: string): Promise<BatchManifest | null> {
    const m = (await this.load()).manifests[key] as BatchManifest | undefined;
    return m && m.source !== 'unreadable' ? m : null;
  }

  async manifests(dataset?: string): Promise<{ key: string; manifest: BatchManifest }[]> {
    const d = await this.load();
    const prefix = dataset === undefined ? '_manifests/' : `_manifests/${dataset}/`;
    return Object.keys(d.manifests)
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((key) => ({ key, manifest: d.manifests[key] }));
  }

  async setManifests(add: readonly { key: string; manifest: BatchManifest }[], remove: readonly string[]): Promise<void> {
    if (add.length === 0 && remove.length === 0) return;
    const d = await this.load();
    for (const { key, manifest } of add) d.manifests[key] = manifest;
    for (const k of remove) delete d.manifests[k];
    await this.save();
  }

  /** The keys whose cached copy is present and unchanged since it was verified; changed ones become suspect. */
  async verifiedKeys(keys: readonly string[], pathOf: (key: string) => string): Promise<Set<string>> {
    const d = await this.load();
    const ok = new Set<string>();
    let changed = false;
    for (const key of keys) {
      const c = d.cached[key];
      if (!c) continue;
      const s = await stat(pathOf(key)).catch(() => null);
      if (s && s.size === c.size && s.mtimeMs === c.mtimeMs) ok.add(key);
      else {
        delete d.cached[key];
        this.suspects.add(key);
        changed = true;
      }
    }
    if (changed) await this.save();
    return ok;
  }

  /** Keys found changed or missing on disk since they were verified (fetched again by the next pull). */
  async suspectKeys(): Promise<Set<string>> {
    return new Set(this.suspects);
  }

  async recordCached(key: string, v: { size: number; mtimeMs: number; sha256: string }, flush = false): Promise<void> {
    const d = await this.load();
    d.cached[key] = { ...v, usedAt: Date.now() };
    this.suspects.delete(key);
    if (flush) await this.save();
    else await this.saveSoon();
  }

  async forget(keys: readonly string[]): Promise<void> {
    const d = await this.load();
    for (const k of keys) {
      delete d.cached[k];
      delete d.manifests[k];
    }
    await this.save();
  }

  async forgetDataset(dataset: string): Promise<void> {
    const d = await this.load();
    for (const k of Object.keys(d.cached)) if (k.startsWith(`${dataset}/`)) delete d.cached[k];
    for (const k of Object.keys(d.manifests)) if (k.startsWith(`_manifests/${dataset}/`)) delete d.manifests[k];
    await this.save();
  }

  /** The verified copies' bytes. */
  async bytes(): Promise<number> {
    return Object.values((await this.load()).cached).reduce((a, c) => a + c.size, 0);
  }

  async pins(): Promise<LakePin[]> {
    return [...(await this.load()).pins];
  }

  async addPin(pin: LakePin): Promise<void> {
    const d = await this.load();
    if (!d.pins.some((p) => samePin(p, pin))) d.pins.push(pin);
    await this.save();
  }

  async removePin(pin: LakePin): Promise<void> {
    const d = await this.load();
    d.pins = d.pins.filter((p) => !samePin(p, pin));
    await this.save();
  }

  isPinned(pins: readonly LakePin[], key: string): boolean {
    const ds = key.split('/')[0];
    const day = partitionOf(key).date;
    return pins.some(
      (p) => p.dataset === ds && (day === undefined || ((p.from === null || day >= p.from) && (p.to === null || day <= p.to))),
    );
  }

  /** Above `maxBytes`, removes unpinned copies, least recently used first. Returns how many. */
  async evict(maxBytes: number | null, pathOf: (key: string) => string): Promise<number> {
    const d = await this.load();
    if (maxBytes === null) {
      await this.save();
      return 0;
    }
    let total = await this.bytes();
    let evicted = 0;
    const order = Object.entries(d.cached)
      .filter(([k]) => !this.isPinned(d.pins, k))
      .sort(([, a], [, b]) => a.usedAt - b.usedAt);
    for (const [key, c] of order) {
      if (total <= maxBytes) break;
      await rm(pathOf(key), { force: true });
      delete d.cached[key];
      total -= c.size;
      evicted++;
    }
    await this.save();
    return evicted;
  }
}

function samePin(a: LakePin, b: LakePin): boolean {
  return a.dataset === b.dataset && a.from === b.from && a.to === b.to;
}
