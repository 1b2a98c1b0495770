import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import { createDispatcher } from '../dispatcher';
import { createFilesService, resolveUserPath } from './files';

describe('files.list', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bw-files-'));
    await mkdir(join(root, 'b-dir'));
    await mkdir(join(root, 'A-dir'));
    await mkdir(join(root, '.hidden-dir'));
    await writeFile(join(root, 'z.csv'), 'a,b\n1,2\n');
    await writeFile(join(root, 'file10.csv'), 'x');
    await writeFile(join(root, 'file9.csv'), 'xy');
    await writeFile(join(root, '.secret'), 'no');
    await symlink(join(root, 'missing-target'), join(root, 'dangling'));
    await symlink(join(root, 'b-dir'), join(root, 'link-to-dir'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists folders first, then files, by name; skips hidden and dangling entries', async () => {
    const files = createFilesService({ home: root });
    const listing = await files.list({ path: root }, { transport: 'test' });
    expect(listing.path).toBe(root);
    expect(listing.parent).not.toBeNull();
    expect(listing.entries.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'dir:A-dir',
      'dir:b-dir',
      'dir:link-to-dir',
      'file:file9.csv',
      'file:file10.csv',
      'file:z.csv',
    ]);
    const z = listing.entries.find((e) => e.name === 'z.csv');
    expect(z?.bytes).toBe(8);
    expect(z?.path).toBe(join(root, 'z.csv'));
    expect(Number.isNaN(Date.parse(z?.modifiedAt ?? ''))).toBe(false);
    expect(listing.file).toBeNull();
    expect(listing.truncated).toBe(false);
  });

  it('defaults to the home folder and resolves ~ and relative paths from it', async () => {
    const files = createFilesService({ home: root });
    expect((await files.list({}, { transport: 'test' })).path).toBe(root);
    expect((await files.list({ path: '~/A-dir' }, { transport: 'test' })).path).toBe(join(root, 'A-dir'));
    expect(resolveUserPath('b-dir', root)).toBe(join(root, 'b-dir'));
    expect(resolveUserPath('/x/../y', root)).toBe('/y');
  });

  it('a file path lists its folder and names the file', async () => {
    const files = createFilesService({ home: root });
    const listing = await files.list({ path: join(root, 'z.csv') }, { transport: 'test' });
    expect(listing.path).toBe(root);
    expect(listing.file).toBe(join(root, 'z.csv'));
  });

  it('the root has no parent', async () => {
    const listing = await createFilesService({ home: root }).list({ path: '/' }, { transport: 'test' });
    expect(listing.parent).toBeNull();
  });

  it('a missing folder is a NOT_FOUND error value through the dispatcher', async () => {
    const services = { files: createFilesService({ home: root }) };
    const dispatch = createDispatcher({ files: contract.files }, services);
    const res = await dispatch('files.list', { path: join(root, 'nope') }, { transport: 'test' });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('NOT_FOUND');
      expect(res.error.message).toContain('does not exist');
    }
    const bad = await dispatch('files.list', { path: 42 }, { transport: 'test' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('INVALID_REQUEST');
    const ok = await dispatch('files.list', {}, { transport: 'test' });
    expect(ok.ok).toBe(true);
  });
});
