import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, ok } from '../../shared/api/errors';
import { destinationsOf, MAX_REVEAL_DESTINATIONS, revealablePath, RevealDestinations } from './reveal-policy';

let base: string;
let ws: string;
let lake: string;
let chosen: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'bw-reveal-'));
  ws = join(base, 'ws');
  lake = join(base, 'lake');
  chosen = join(base, 'my-slices', 'telemetry-slice');
  await mkdir(join(ws, 'exports'), { recursive: true });
  await mkdir(join(lake, 'telemetry'), { recursive: true });
  await mkdir(chosen, { recursive: true });
  await mkdir(join(base, 'ws-evil'), { recursive: true });
  await mkdir(join(base, 'outside'), { recursive: true });
  await writeFile(join(ws, 'exports', 'result.csv'), 'a\n1\n');
  await writeFile(join(lake, 'telemetry', 'part-0.parquet'), 'x');
  await writeFile(join(chosen, 'manifest.json'), '{}');
  await writeFile(join(base, 'ws-evil', 'x.txt'), 'x');
  await writeFile(join(base, 'outside', 'secret.txt'), 'x');
  await writeFile(join(base, 'my-slices', 'neighbour.txt'), 'x');
  // Links inside the workspace: one leaves it, one stays in it.
  await symlink(join(base, 'outside'), join(ws, 'escape'));
  await symlink(join(ws, 'exports'), join(ws, 'exports-link'));
  // A link outside pointing into the workspace.
  await symlink(ws, join(base, 'ws-link'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('revealablePath', () => {
  const roots = (): string[] => [ws, lake, chosen];

  it('shows paths inside the workspace, the lake and a chosen destination, and those folders themselves', async () => {
    for (const p of [
      ws,
      join(ws, 'exports'),
      join(ws, 'exports', 'result.csv'),
      lake,
      join(lake, 'telemetry', 'part-0.parquet'),
      chosen,
      join(chosen, 'manifest.json'),
    ]) {
      expect(await revealablePath(p, roots()), p).not.toBeNull();
    }
  });

  it('refuses paths outside every root', async () => {
    for (const p of [base, join(base, 'outside', 'secret.txt'), join(base, 'my-slices', 'neighbour.txt'), '/etc/passwd', tmpdir()]) {
      expect(await revealablePath(p, roots()), p).toBeNull();
    }
  });

  it('refuses a sibling whose name only starts like a root (/ws-evil is not inside /ws)', async () => {
    expect(await revealablePath(join(base, 'ws-evil'), roots())).toBeNull();
    expect(await revealablePath(join(base, 'ws-evil', 'x.txt'), roots())).toBeNull();
  });

  it('resolves `..` before checking', async () => {
    expect(await revealablePath(`${ws}/exports/../../outside/secret.txt`, roots())).toBeNull();
    expect(await revealablePath(`${ws}/../ws-evil/x.txt`, roots())).toBeNull();
    expect(await revealablePath(`${ws}/exports/../exports/result.csv`, roots())).toBe(join(ws, 'exports', 'result.csv'));
  });

  it('follows symlinks: a link in the workspace to elsewhere is refused, and the real path is what is shown', async () => {
    expect(await revealablePath(join(ws, 'escape'), roots())).toBeNull();
    expect(await revealablePath(join(ws, 'escape', 'secret.txt'), roots())).toBeNull();
    expect(await revealablePath(join(ws, 'exports-link', 'result.csv'), roots())).toBe(join(ws, 'exports', 'result.csv'));
    // A root reached through a link still counts (on macOS /tmp is itself a link to /private/tmp).
    expect(await revealablePath(join(base, 'ws-link', 'exports'), roots())).toBe(join(ws, 'exports'));
    expect(await revealablePath(join(ws, 'exports'), [join(base, 'ws-link')])).toBe(join(ws, 'exports'));
  });

  it('refuses what is not an absolute path to an existing file', async () => {
    for (const p of [
      '',
      'exports/result.csv',
      './ws',
      join(ws, 'missing.csv'),
      `${ws}/\0x`,
      42,
      null,
      undefined,
      { path: ws },
      'x'.repeat(5000),
    ]) {
      expect(await revealablePath(p, roots()), String(p)).toBeNull();
    }
  });

  it('refuses everything when there are no roots, and ignores roots that do not exist', async () => {
    expect(await revealablePath(join(ws, 'exports'), [])).toBeNull();
    expect(await revealablePath(join(ws, 'exports'), [join(base, 'gone')])).toBeNull();
  });
});

describe('destinationsOf', () => {
  it('takes the folder slice.run answers with', () => {
    expect(destinationsOf('slice.run', ok({ jobId: 'j1', dir: '/data/slices/a' }))).toEqual(['/data/slices/a']);
  });

  it('takes the folders and files of finished slice and export jobs from jobs.list', () => {
    const jobs = [
      { kind: 'slice', state: 'done', report: { dir: '/data/s1' } },
      { kind: 'export', state: 'done', report: { path: '/data/out.parquet' } },
      { kind: 'export', state: 'failed', report: null },
      { kind: 'export', state: 'running', report: { path: '/data/not-yet.csv' } },
      { kind: 'convert', state: 'done', report: { path: '/elsewhere/x' } },
      { kind: 'slice', state: 'done', report: { dir: 42 } },
      'junk',
    ];
    expect(destinationsOf('jobs.list', ok({ jobs }))).toEqual(['/data/s1', '/data/out.parquet']);
  });

  it('takes nothing from other channels, errors or odd values', () => {
    expect(destinationsOf('query.run', ok({ dir: '/x' }))).toEqual([]);
    expect(destinationsOf('slice.run', fail('CONFLICT', 'taken'))).toEqual([]);
    expect(destinationsOf('slice.run', ok(null))).toEqual([]);
    expect(destinationsOf('jobs.list', ok({ jobs: 'no' }))).toEqual([]);
  });
});

describe('RevealDestinations', () => {
  it('keeps absolute destinations once each, newest last, and at most MAX_REVEAL_DESTINATIONS', () => {
    const list = new RevealDestinations();
    list.note('slice.run', ok({ jobId: 'j', dir: '/a' }));
    list.note('slice.run', ok({ jobId: 'j', dir: 'relative/b' }));
    list.add('/c');
    list.add('/a');
    expect(list.list()).toEqual(['/c', '/a']);
    for (let i = 0; i < MAX_REVEAL_DESTINATIONS + 5; i++) list.add(`/d${i}`);
    expect(list.list()).toHaveLength(MAX_REVEAL_DESTINATIONS);
    expect(list.list()).not.toContain('/a');
    expect(list.list().at(-1)).toBe(`/d${MAX_REVEAL_DESTINATIONS + 4}`);
  });
});
