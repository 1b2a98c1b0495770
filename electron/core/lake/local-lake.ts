import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import { publishFile, tempPathFor, writeFileAtomic } from '../files/atomic';
import { checkKey, partitionOf, type Lake, type LakeFile, type StagedFile } from './lake';

/** The lake in a local folder. Staged files get a temp name in their final folder; publish renames them. */
export class LocalLake implements Lake {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  private pathOf(key: string): string {
    const parts = checkKey(key);
    const p = join(this.root, ...parts);
    if (!p.startsWith(this.root + sep)) throw new Error(`Lake key escapes the lake: ${key}`);
    return p;
  }

  async list(dataset: string): Promise<LakeFile[]> {
    checkKey(dataset);
    const base = join(this.root, dataset);
    const out: LakeFile[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw lakeError(`list ${dataset}`, err);
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const childRel = `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(join(dir, e.name), childRel);
        else if (e.isFile() && e.name.endsWith('.parquet')) {
          const s = await stat(join(dir, e.name));
          out.push({ key: childRel, dataset, partition: partitionOf(childRel), size: s.size, modifiedAt: s.mtime });
        }
      }
    };
    await walk(base, dataset);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async read(key: string): Promise<Uint8Array> {
    const p = this.pathOf(key);
    try {
      return await readFile(p);
    } catch (err) {
      throw lakeError(`read ${key}`, err);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const p = this.pathOf(key);
    try {
      await mkdir(dirname(p), { recursive: true });
      await writeFileAtomic(p, data);
    } catch (err) {
      throw lakeError(`write ${key}`, err);
    }
  }

  async stage(key: string): Promise<StagedFile> {
    const p = this.pathOf(key);
    await mkdir(dirname(p), { recursive: true });
    // Temp files start with '.' and end in '.tmp': neither list() nor the DuckDB glob ever sees them.
    return { key, path: tempPathFor(p) };
  }

  async publish(staged: StagedFile): Promise<LakeFile> {
    const p = this.pathOf(staged.key);
    try {
      await publishFile(staged.path, p);
      const s = await stat(p);
      return { key: staged.key, dataset: staged.key.split('/')[0], partition: partitionOf(staged.key), size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      throw lakeError(`publish ${staged.key}`, err);
    }
  }

  async discard(staged: StagedFile): Promise<void> {
    await rm(staged.path, { force: true });
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async removeDataset(dataset: string): Promise<void> {
    checkKey(dataset);
    const dir = join(this.root, dataset);
    // Rename first so readers never see a half-deleted dataset, then delete.
    const trash = join(this.root, `.trash-${dataset}-${process.pid}-${Date.now()}`);
    try {
      await rename(dir, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw lakeError(`remove ${dataset}`, err);
    }
    await rm(trash, { recursive: true, force: true });
  }

  duckdbGlob(dataset: string): string {
    checkKey(dataset);
    return join(this.root, dataset, '*', '*.parquet');
  }

  /** Make sure the root exists (and is writable). */
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
}

function lakeError(what: string, err: unknown): WorkbenchError {
  return new WorkbenchError('LAKE_ERROR', `The lake could not ${what}.`, err instanceof Error ? err.message : String(err));
}
