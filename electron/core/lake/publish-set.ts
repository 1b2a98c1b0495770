import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hideFilesSql, unhideFilesSql, type Statement } from '../mirror/meta';
import { killPoint } from '../system/kill-switch';
import type { LakeIntent, LakeIntents } from './intents';
import type { Lake, LakeFile, StagedFile } from './lake';
import { manifestKey, writeManifest, type BatchManifest } from './manifest';

export interface PublishSetDeps {
  lake: Lake;
  intents: LakeIntents;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
}

interface PublishPayload {
  staged: StagedFile[];
  manifest: BatchManifest;
}

/**
 * Publishes several staged files of one dataset as one batch, all or nothing, journaled as an intent: the
 * keys are hidden from the views first, then published (no-clobber), then the manifest is written, then one
 * transaction shows them all. A run killed before the manifest is undone (the published files removed; they
 * were never visible); after it, finished. Fault tests: `BW_KILL_AT=<job>:publish`, `<job>:manifest`.
 */
export async function publishSet(deps: PublishSetDeps, job: 'convert', staged: readonly StagedFile[], manifest: BatchManifest): Promise<LakeFile[]> {
  const intent: LakeIntent<PublishPayload> = { id: `${job}-${randomUUID().slice(0, 12)}`, job, dataset: manifest.dataset, state: 'publishing', payload: { staged: [...staged], manifest } };
  const keys = staged.map((s) => s.key);
  await deps.commitViews([...hideFilesSql(keys), deps.intents.saveSql(intent)], []);
  const out: LakeFile[] = [];
  for (const s of staged) {
    killPoint(job, 'publish');
    out.push(await deps.lake.publish(s));
  }
  killPoint(job, 'manifest');
  await writeManifest(deps.lake, manifest);
  intent.state = 'done';
  await deps.commitViews([...unhideFilesSql(keys), deps.intents.saveSql(intent)], [manifest.dataset]);
  return out;
}

/** Finishes or undoes every set a killed run left half published. Returns what it did, one line each. */
export async function finishPublishSets(deps: PublishSetDeps): Promise<string[]> {
  const out: string[] = [];
  for (const i of await deps.intents.unfinished('convert')) {
    const intent = i as LakeIntent<PublishPayload>;
    const { staged, manifest } = intent.payload;
    const keys = staged.map((s) => s.key);
    if (await deps.lake.exists(manifestKey(manifest.dataset, manifest.batchId))) {
      intent.state = 'done';
      out.push(`${intent.id}: ${keys.length} file(s) of ${intent.dataset} were published with their manifest; shown now`);
    } else {
      for (const k of keys) await deps.lake.remove(k);
      intent.state = 'undone';
      out.push(`${intent.id}: ${keys.length} file(s) of ${intent.dataset} never finished publishing; removed (they were never visible)`);
    }
    for (const s of staged) await rm(s.path, { recursive: true, force: true });
    await deps.commitViews([...unhideFilesSql(keys), deps.intents.saveSql(intent)], [intent.dataset]);
  }
  return out;
}
