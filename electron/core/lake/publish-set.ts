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

/**
 * The jobs that publish through a set (each finishes or undoes its own at its next run, and `lake check --repair`
 * all): a conversion adds files; a feature materialization and the calculated metrics may replace a day's files.
 */
export type PublishJob = 'convert' | 'features' | 'calc';
const PUBLISH_JOBS: readonly PublishJob[] = ['convert', 'features', 'calc'];

type PublishIntent = LakeIntent<PublishPayload>;

/**
 * Several files of one dataset written and published as one batch, all or nothing, journaled as an intent from
 * before the first byte: `writing` (temps tracked as they are made) → `publishing` (the keys hidden from the views,
 * then published no-clobber, then the manifest) → `done` (one transaction shows them all). A run killed before the
 * manifest is undone by `finishPublishSets` (temps and published files removed; they were never visible); after
 * it, finished. Fault tests: `BW_KILL_AT=<job>:publish`, `<job>:manifest`.
 *
 * A manifest that `replaces` files (a recomputed feature day) retires them in the same switch: the transaction that
 * shows the new files takes the old ones out of the views (the catalog reads the manifest), records the set as
 * `switched`, and only then are the old files removed (`BW_KILL_AT=<job>:cleanup` stops before that). While the set
 * is unfinished its keys, the replaced ones included, are its own: the lake check does not call them strays.
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
    const replaced = manifest.replaces ?? [];
    intent.state = 'publishing';
    intent.keys = [...keys, ...replaced];
    intent.payload = { staged: [...staged], manifest };
    await deps.commitViews([...hideFilesSql(keys), deps.intents.saveSql(intent)], []);
    const out: LakeFile[] = [];
    for (const s of staged) {
      killPoint(intent.job, 'publish');
      out.push(await deps.lake.publish(s));
    }
    killPoint(intent.job, 'manifest');
    await writeManifest(deps.lake, manifest);
    intent.state = replaced.length > 0 ? 'switched' : 'done';
    await deps.commitViews([...unhideFilesSql(keys), deps.intents.saveSql(intent)], [manifest.dataset]);
    await removeTemps(intent);
    if (intent.state === 'switched') await retire(deps, intent);
    return out;
  }

  /** The write failed or was cancelled: nothing of it stays (unless its manifest was written: then it is finished). */
  async abandon(): Promise<void> {
    if (this.intent.state !== 'done' && this.intent.state !== 'undone') await settle(this.deps, this.intent);
  }
}

async function removeTemps(intent: PublishIntent): Promise<void> {
  for (const t of intent.temps) await rm(t, { recursive: true, force: true });
}

/** The keys the set itself published (not those its manifest replaces). */
function ownKeys(intent: PublishIntent): string[] {
  return intent.payload.staged.map((s) => s.key);
}

async function undo(deps: PublishSetDeps, intent: PublishIntent): Promise<void> {
  const own = ownKeys(intent);
  for (const k of own) await deps.lake.remove(k);
  await removeTemps(intent);
  intent.state = 'undone';
  await deps.commitViews([...unhideFilesSql(own), deps.intents.saveSql(intent)], own.length > 0 ? [intent.dataset] : []);
}

/** After the switch: the replaced files (no view reads them now) are removed, and the set is done. */
async function retire(deps: PublishSetDeps, intent: PublishIntent): Promise<void> {
  killPoint(intent.job, 'cleanup');
  for (const k of intent.payload.manifest?.replaces ?? []) await deps.lake.remove(k);
  intent.state = 'done';
  await deps.intents.save(intent);
}

/** Finishes a set whose manifest was written, else undoes it. Says what it did. */
async function settle(deps: PublishSetDeps, intent: PublishIntent): Promise<string> {
  const manifest = intent.payload.manifest;
  const own = ownKeys(intent);
  const replaced = manifest?.replaces ?? [];
  if (intent.state === 'switched') {
    await retire(deps, intent);
    return `${intent.id}: ${replaced.length} file(s) of ${intent.dataset} replaced by its ${own.length} new one(s) removed`;
  }
  if (intent.state === 'publishing' && manifest && (await deps.lake.exists(manifestKey(manifest.dataset, manifest.batchId)))) {
    intent.state = replaced.length > 0 ? 'switched' : 'done';
    await deps.commitViews([...unhideFilesSql(own), deps.intents.saveSql(intent)], [intent.dataset]);
    await removeTemps(intent);
    if (intent.state === 'switched') await retire(deps, intent);
    return `${intent.id}: ${own.length} file(s) of ${intent.dataset} were published with their manifest; shown now${replaced.length > 0 ? `, the ${replaced.length} they replace removed` : ''}`;
  }
  const from = intent.state;
  await undo(deps, intent);
  return `${intent.id}: a ${intent.job} into ${intent.dataset} stopped while ${from}; its ${own.length} file(s) and temps removed (they were never visible)`;
}

/** Finishes or undoes every set a killed run left unfinished. Returns what it did, one line each. */
export async function finishPublishSets(deps: PublishSetDeps, jobs: readonly PublishJob[] = PUBLISH_JOBS): Promise<string[]> {
  const out: string[] = [];
  for (const job of jobs) for (const i of await deps.intents.unfinished(job)) out.push(await settle(deps, i as PublishIntent));
  return out;
}
