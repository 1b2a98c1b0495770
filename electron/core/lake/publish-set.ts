import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hideFilesSql, unhideFilesSql, type Statement } from '../mirror/meta';
import { killPoint } from '../system/kill-switch';
import type { LakeIntent, LakeIntents } from './intents';
import type { Lake, LakeFile, StagedFile } from './lake';
import { manifestKey, writeManifest, type BatchManifest } from './manifest';

export interface PublishSetDeps {
  lake: Lake;
  /** On the job's own workspace connection. */
  intents: LakeIntents;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
}

interface PublishPayload {
  staged: StagedFile[];
  manifest: BatchManifest | null;
}

/** The jobs that publish through a set (each finishes or undoes its own at its next run, and `lake check --repair` all). */
export type PublishJob = 'convert' | 'calc';
const PUBLISH_JOBS: readonly PublishJob[] = ['convert', 'calc'];

type PublishIntent = LakeIntent<PublishPayload>;

/**
 * Several files of one dataset written and published as one batch, all or nothing, journaled as an intent from
 * before the first byte: `writing` (temps tracked as they are made) → `publishing` (the keys hidden from the views,
 * then published no-clobber, then the manifest) → `done` (one transaction shows them all). A run killed before the
 * manifest is undone by `finishPublishSets` (temps and published files removed; they were never visible); after
 * it, finished. Fault tests: `BW_KILL_AT=<job>:publish`, `<job>:manifest`.
 */
export class PublishSet {
  private constructor(
    private readonly deps: PublishSetDeps,
    private readonly intent: PublishIntent,
  ) {}

  static async begin(deps: PublishSetDeps, job: PublishJob, dataset: string): Promise<PublishSet> {
    const intent: PublishIntent = {
      id: `${job}-${randomUUID().slice(0, 12)}`,
      job,
      dataset,
      state: 'writing',
      keys: [],
      temps: [],
      payload: { staged: [], manifest: null },
    };
    await deps.intents.save(intent);
    return new PublishSet(deps, intent);
  }

  /** A temp file or folder the writer is about to fill: recorded first, so a kill leaves nothing unaccounted for. */
  async track(temp: string): Promise<void> {
    this.intent.temps.push(temp);
    await this.deps.intents.save(this.intent);
  }

  async publish(staged: readonly StagedFile[], manifest: BatchManifest): Promise<LakeFile[]> {
    const { deps, intent } = this;
    const keys = staged.map((s) => s.key);
    intent.state = 'publishing';
    intent.keys = keys;
    intent.payload = { staged: [...staged], manifest };
    await deps.commitViews([...hideFilesSql(keys), deps.intents.saveSql(intent)], []);
    const out: LakeFile[] = [];
    for (const s of staged) {
      killPoint(intent.job, 'publish');
      out.push(await deps.lake.publish(s));
    }
    killPoint(intent.job, 'manifest');
    await writeManifest(deps.lake, manifest);
    // With files to replace: `replacing` until they are gone (the views stop reading them in this very commit).
    intent.state = (manifest.replaces ?? []).length > 0 ? 'replacing' : 'done';
    await deps.commitViews([...unhideFilesSql(keys), deps.intents.saveSql(intent)], [manifest.dataset]);
    if (intent.state === 'replacing') {
      killPoint(intent.job, 'replaced');
      await removeReplaced(deps, manifest);
      intent.state = 'done';
      await deps.intents.save(intent);
    }
    await removeTemps(intent);
    return out;
  }

  /** The write failed or was cancelled: nothing of it stays (unless its manifest was written: then it is finished). */
  async abandon(): Promise<void> {
    if (this.intent.state !== 'done' && this.intent.state !== 'undone') await settle(this.deps, this.intent);
  }
}

/**
 * The files a published manifest `replaces` are no longer live (the views stopped reading them when it was shown):
 * removed (idempotent). A kill before that leaves the set `replacing`: `finishPublishSets` removes them.
 */
async function removeReplaced(deps: PublishSetDeps, manifest: BatchManifest): Promise<void> {
  for (const k of manifest.replaces ?? []) await deps.lake.remove(k);
}

async function removeTemps(intent: PublishIntent): Promise<void> {
  for (const t of intent.temps) await rm(t, { recursive: true, force: true });
}

async function undo(deps: PublishSetDeps, intent: PublishIntent): Promise<void> {
  for (const k of intent.keys) await deps.lake.remove(k);
  await removeTemps(intent);
  intent.state = 'undone';
  await deps.commitViews([...unhideFilesSql(intent.keys), deps.intents.saveSql(intent)], intent.keys.length > 0 ? [intent.dataset] : []);
}

/** Finishes a set whose manifest was written, else undoes it. Says what it did. */
async function settle(deps: PublishSetDeps, intent: PublishIntent): Promise<string> {
  const manifest = intent.payload.manifest;
  if (intent.state === 'replacing' && manifest) {
    await removeReplaced(deps, manifest);
    intent.state = 'done';
    await deps.intents.save(intent);
    await removeTemps(intent);
    return `${intent.id}: the ${(manifest.replaces ?? []).length} file(s) of ${intent.dataset} its batch replaced were removed`;
  }
  if (intent.state === 'publishing' && manifest && (await deps.lake.exists(manifestKey(manifest.dataset, manifest.batchId)))) {
    intent.state = 'done';
    await deps.commitViews([...unhideFilesSql(intent.keys), deps.intents.saveSql(intent)], [intent.dataset]);
    await removeReplaced(deps, manifest);
    await removeTemps(intent);
    return `${intent.id}: ${intent.keys.length} file(s) of ${intent.dataset} were published with their manifest; shown now`;
  }
  const from = intent.state;
  await undo(deps, intent);
  return `${intent.id}: a ${intent.job} into ${intent.dataset} stopped while ${from}; its ${intent.keys.length} file(s) and temps removed (they were never visible)`;
}

/** Finishes or undoes every set a killed run left unfinished. Returns what it did, one line each. */
export async function finishPublishSets(deps: PublishSetDeps, jobs: readonly PublishJob[] = PUBLISH_JOBS): Promise<string[]> {
  const out: string[] = [];
  for (const job of jobs) for (const i of await deps.intents.unfinished(job)) out.push(await settle(deps, i as PublishIntent));
  return out;
}
