import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPidAlive } from '../system/pid';
import { HOT_IDENTITY_FILE } from './hot-identity';

/** Where root-run clusters live: PostgreSQL refuses to run as root, so it runs as the `postgres` OS user. */
export const ROOT_PG_BASE = '/var/lib/battery-workbench/pg';

/** Who a root-run cluster belongs to: `<cluster>.owner.json`, written next to it when it is initialised. */
export interface ClusterOwner {
  workspacePgDir: string;
  workspaceId: string;
}

/**
 * May the cluster of `owner` go? Only on proof that its workspace no longer uses it: the workspace folder
 * is absent (ENOENT), or its hot-store.json reads and names another cluster id (a workspace recreated at the
 * same path). Anything unsure (EACCES, EIO, ENOTDIR, an unreadable or unparsable or missing hot-store.json)
 * keeps it: a cluster may hold the only copy of hot rows.
 */
export async function orphanClusterVerdict(owner: ClusterOwner): Promise<{ verdict: 'orphan' | 'in-use' | 'unsure'; why: string }> {
  const workspace = dirname(owner.workspacePgDir);
  try {
    await stat(workspace);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === 'ENOENT') return { verdict: 'orphan', why: `its workspace ${workspace} no longer exists` };
    return { verdict: 'unsure', why: `its workspace ${workspace} could not be checked (${code})` };
  }
  const identityFile = join(workspace, HOT_IDENTITY_FILE);
  let id: unknown;
  try {
    id = (JSON.parse(await readFile(identityFile, 'utf8')) as { id?: unknown }).id;
  } catch (err) {
    return { verdict: 'unsure', why: `${identityFile} could not be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (typeof id !== 'string') return { verdict: 'unsure', why: `${identityFile} names no cluster id` };
  if (id === owner.workspaceId) return { verdict: 'in-use', why: `${identityFile} names it` };
  return { verdict: 'orphan', why: `its workspace ${workspace} now uses cluster id ${id}` };
}

/**
 * Root only: remove clusters under `base` whose workspace provably no longer uses them (see
 * orphanClusterVerdict) and whose postmaster is not running, each with its outbox folder and owner record
 * (removed last, so an interrupted sweep is retried); also outbox folders left without cluster or owner.
 * Tests and deleted workspaces would otherwise leak them. Returns the removed cluster folders.
 */
export async function sweepOrphanClusters(
  keep: string | null,
  base = ROOT_PG_BASE,
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.owner.json'))) {
    const dataDir = join(base, entry.slice(0, -'.owner.json'.length));
    if (dataDir === keep) continue;
    try {
      const owner = JSON.parse(await readFile(join(base, entry), 'utf8')) as { workspacePgDir?: unknown; workspaceId?: unknown };
      if (typeof owner.workspacePgDir !== 'string' || typeof owner.workspaceId !== 'string') continue;
      const { verdict, why } = await orphanClusterVerdict({ workspacePgDir: owner.workspacePgDir, workspaceId: owner.workspaceId });
      if (verdict === 'unsure') log(`Keeping cluster ${dataDir}: ${why}\n`);
      if (verdict !== 'orphan') continue;
      const pidText = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
      const pid = Number.parseInt(pidText.split('\n')[0] ?? '', 10);
      if (Number.isFinite(pid) && pid > 0 && isPidAlive(pid)) continue;
      log(`Removing cluster ${dataDir} and its outbox: ${why}\n`);
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}-outbox`, { recursive: true, force: true });
      await rm(join(base, entry), { force: true });
      removed.push(dataDir);
    } catch {
      // A cluster we cannot judge is left alone.
    }
  }
  // Outboxes of clusters swept before outboxes were swept with them.
  const present = new Set(await readdir(base).catch(() => []));
  for (const entry of [...present].filter((e) => e.endsWith('-outbox'))) {
    const name = entry.slice(0, -'-outbox'.length);
    if (join(base, name) === keep || present.has(name) || present.has(`${name}.owner.json`)) continue;
    log(`Removing ${join(base, entry)}: its cluster is gone\n`);
    await rm(join(base, entry), { recursive: true, force: true }).catch(() => undefined);
  }
  return removed;
}
