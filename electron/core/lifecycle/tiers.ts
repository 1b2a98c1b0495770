import { randomUUID } from 'node:crypto';
import type { LifecyclePolicy, TierBytes, TierPlan, TierStep } from '../../../shared/api/lifecycle';
import { WorkbenchError } from '../../../shared/api/errors';
import { formatBytes } from '../../../shared/format';
import type { CompactDeps } from '../lake/compact';
import type { LakeIntent } from '../lake/intents';
import type { Lake } from '../lake/lake';
import { LakeCatalog } from '../lake/lake-catalog';
import { liveFiles, writeManifest } from '../lake/manifest';
import { getHiddenFiles } from '../mirror/meta';
import { forEachLimit } from '../system/for-each-limit';
import { killPoint } from '../system/kill-switch';

const DAY_MS = 86_400_000;
/** Files copied (and dropped) at once by a move. */
const MOVE_CONCURRENCY = 4;

/** A policy's tier steps refused in words: each tier one the lake has (not its first), colder and later than the one before. */
export function tierStepsProblem(lake: Pick<Lake, 'tiers' | 'kind'>, steps: readonly TierStep[]): string | null {
  if (steps.length === 0) return null;
  if (lake.tiers.length < 2)
    return lake.kind === 'local'
      ? 'This lake has no colder tier: set an archive folder for it in Settings (another disk or a NAS) first.'
      : 'This lake has no colder tier.';
  let last = 0;
  let lastDays = 0;
  for (const s of steps) {
    const at = lake.tiers.indexOf(s.tier);
    if (at < 1) return `"${s.tier}" is not a colder tier of this lake; its colder tiers are ${lake.tiers.slice(1).join(', ')}.`;
    if (at <= last) return `The tiers must go colder step by step (${lake.tiers.join(' → ')}): ${s.tier} comes too late.`;
    if (s.afterDays <= lastDays) return `Each step must come later than the one before: ${s.tier} after ${s.afterDays} day(s) does not.`;
    last = at;
    lastDays = s.afterDays;
  }
  return null;
}

/** The tier a file of UTC `date` belongs in at `nowMs` under `steps` (the lake's first tier when none applies yet). */
function targetTier(lake: Pick<Lake, 'tiers'>, steps: readonly TierStep[], date: string, nowMs: number): string {
  const age = Math.floor(nowMs / DAY_MS) - Date.parse(`${date}T00:00:00Z`) / DAY_MS;
  let tier = lake.tiers[0];
  for (const s of steps) if (age > s.afterDays) tier = s.tier;
  return tier;
}

interface PlannedMove {
  key: string;
  date: string;
  bytes: number;
  to: string;
}

/** Per tier of the lake, warmest first. */
function byTier(lake: Pick<Lake, 'tiers'>, files: readonly { tier: string; bytes: number }[]): TierBytes[] {
  return lake.tiers.map((tier) => {
    const in_ = files.filter((f) => f.tier === tier);
    return { tier, files: in_.length, bytes: in_.reduce((a, f) => a + f.bytes, 0) };
  });
}

/**
 * The tier dry run of `dataset` under `policy` at `nowMs`: where its visible files are (per the catalog's records of
 * earlier moves), and which would go colder. Reads only. A file never moves back to a warmer tier.
 */
export async function planTiers(
  deps: Pick<CompactDeps, 'conn' | 'lake'>,
  dataset: string,
  policy: LifecyclePolicy,
  nowMs: number,
): Promise<TierPlan & { planned: PlannedMove[] }> {
  const { lake } = deps;
  const steps = policy.tiers ?? [];
  const hidden = await getHiddenFiles(deps.conn);
  const files = (await new LakeCatalog(deps.conn, lake).files(dataset)).filter((f) => !hidden.has(f.key));
  const now: { key: string; date: string | undefined; bytes: number; tier: string }[] = files.map((f) => ({
    key: f.key,
    date: f.partition.date,
    bytes: f.size,
    tier: f.tier ?? lake.tiers[0],
  }));
  const planned: PlannedMove[] = [];
  const after = now.map((f) => {
    if (f.date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) return f;
    const to = targetTier(lake, steps, f.date, nowMs);
    if (lake.tiers.indexOf(to) <= lake.tiers.indexOf(f.tier)) return f;
    planned.push({ key: f.key, date: f.date, bytes: f.bytes, to });
    return { ...f, tier: to };
  });
  const moves = lake.tiers.slice(1).flatMap((tier) => {
    const going = planned.filter((m) => m.to === tier);
    if (going.length === 0) return [];
    const dates = going.map((m) => m.date).sort();
    return [{ tier, files: going.length, bytes: going.reduce((a, m) => a + m.bytes, 0), first: dates[0], last: dates[dates.length - 1] }];
  });
  const summary =
    steps.length === 0
      ? `No tier policy is set for ${dataset}: its files stay in ${lake.tiers[0]}.`
      : moves.length === 0
        ? `Every file of ${dataset} is in the tier its policy says: nothing to move.`
        : `${moves.map((m) => `${m.files} file(s) (${formatBytes(m.bytes)}, ${m.first} to ${m.last}) to ${m.tier}`).join('; ')}.`;
  return { dataset, tiers: steps, today: byTier(lake, now), applied: byTier(lake, after), moves, summary, planned };
}

interface TierPayload {
  /** The tier manifest's batch id (the same when a finished run writes it again). */
  batchId: string;
  files: { key: string; to: string; bytes: number; sha256: string }[];
}

type TierIntent = LakeIntent<TierPayload>;

/**
 * Moves the planned files of `dataset` to their colder tiers, journaled as an intent (`copying` → `settling` → `done`):
 * 1. every file is copied to its tier under the same key (`Lake.copyToTier`: a local lake's archive folder, verified
 *    against the manifest's SHA-256; an S3 object's storage class changed in place);
 * 2. a `lifecycle` manifest records each file's tier (the lake's record, and the catalog's);
 * 3. the views are made again in one transaction with the intent's next state (they read the archive copies now);
 * 4. the warmer copies are dropped (`Lake.settleTier`), and the intent is done.
 * Every step is safe to repeat: killed anywhere, `finishTierMoves` (the next move, or `lake check --repair`) rolls it
 * forward. Fault tests: `BW_KILL_AT=move:<copy|record|settle>`.
 */
export async function applyTiers(
  deps: CompactDeps,
  dataset: string,
  policy: LifecyclePolicy,
  nowMs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<TierBytes[]> {
  await finishTierMoves(deps);
  const plan = await planTiers(deps, dataset, policy, nowMs);
  if (plan.planned.length === 0) return [];
  const live = liveFiles(await deps.lake.manifests(dataset));
  const files = plan.planned.map((m) => {
    const f = live.get(m.key)?.file;
    if (!f?.sha256)
      throw new WorkbenchError('LAKE_ERROR', `No manifest records the SHA-256 of ${m.key}: it is not moved (run \`lake check\`).`);
    return { key: m.key, to: m.to, bytes: f.bytes, sha256: f.sha256 };
  });
  const intent: TierIntent = {
    id: `tier-${randomUUID().slice(0, 12)}`,
    job: 'tier',
    dataset,
    state: 'copying',
    keys: files.map((f) => f.key),
    temps: [],
    payload: { batchId: `lifecycle-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`, files },
  };
  await deps.intents.save(intent);
  await finishTierMove(deps, intent, onProgress);
  return plan.moves.map(({ tier, files: n, bytes }) => ({ tier, files: n, bytes }));
}

async function finishTierMove(deps: CompactDeps, intent: TierIntent, onProgress?: (done: number, total: number) => void): Promise<void> {
  const { files } = intent.payload;
  if (intent.state === 'copying') {
    // A few at once: each copy's fsyncs (a local lake) or requests (S3) wait on the disk or the network, not the CPU.
    let copied = 0;
    await forEachLimit(files, MOVE_CONCURRENCY, async (f) => {
      if (deps.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The lifecycle move was cancelled; the next run finishes it.');
      await deps.lake.copyToTier(f.key, f.to, f);
      onProgress?.(++copied, files.length);
      // Killed here, some files are copied, some half copied (temps the next copy sweeps), some not yet.
      if (copied === 1) killPoint('move', 'copy');
    });
    await writeManifest(deps.lake, {
      batchId: intent.payload.batchId,
      dataset: intent.dataset,
      source: 'lifecycle',
      writtenAt: new Date().toISOString(),
      rows: 0,
      files: [],
      tiers: Object.fromEntries(files.map((f) => [f.key, f.to])),
      reason: `lifecycle: ${files.length} file(s) of ${intent.dataset} moved to a colder tier by its policy`,
    });
    killPoint('move', 'record');
    intent.state = 'settling';
    // The catalog takes the record in and the views are made again: a local lake's now read from the archive folder.
    await deps.commitViews([deps.intents.saveSql(intent)], [intent.dataset]);
  }
  await forEachLimit(files, MOVE_CONCURRENCY, async (f, i) => {
    await deps.lake.settleTier(f.key);
    if (i === 0) killPoint('move', 'settle');
  });
  intent.state = 'done';
  await deps.intents.save(intent);
}

/** Finishes every lifecycle move a killed run left between steps. Returns what it did, one line each. */
export async function finishTierMoves(deps: CompactDeps): Promise<string[]> {
  const out: string[] = [];
  for (const i of await deps.intents.unfinished('tier')) {
    const intent = i as TierIntent;
    const from = intent.state;
    await finishTierMove(deps, intent);
    out.push(`lifecycle move ${intent.id} of ${intent.dataset} (${intent.payload.files.length} file(s)): ${from} → ${intent.state}`);
  }
  return out;
}
