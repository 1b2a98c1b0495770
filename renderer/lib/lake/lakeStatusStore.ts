import { subscribe as subscribeEvent } from '../../../shared/api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { LakeStatus } from '../../../shared/api/storage';
import { api, transport } from '../../api/client';
import { createStore } from '../state/createStore';
import { useStore } from '../state/useStore';

export interface LakeStatusState {
  status: LakeStatus | null;
  error: ApiError | null;
  /** When the state was last refreshed (ms): the clock "last contact N min ago" counts from. */
  now: number;
}

/** Jobs whose end can change what the lake holds or caches (a pull that fetched nothing changes no view). */
const LAKE_JOBS = new Set(['lake-pull', 'archive', 'compact', 'convert', 'demo', 'lake-check']);
/** Online state and last contact move without events; look again this often. */
const TICK_MS = 60_000;

/**
 * storage.lakeStatus, loaded on first use and kept fresh (lake jobs' ends, catalog changes, a minute's tick); an
 * older answer arriving late is dropped. `coverageOnly`: the cold-coverage notes' view of it, which a local lake
 * answers without listing its files (they show on the first page, so opening the app lists nothing).
 */
function lakeStatusStore(coverageOnly: boolean) {
  let generation = 0;
  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    const res = await api.storage.lakeStatus({ coverageOnly });
    if (mine !== generation) return;
    const now = Date.now();
    store.set(res.ok ? { status: res.value, error: null, now } : { status: store.get().status, error: res.error, now });
  };
  const start = (): void => {
    subscribeEvent(transport, 'catalog.changed', () => void refresh());
    subscribeEvent(transport, 'job.progress', (p) => {
      if (p.state !== 'running' && LAKE_JOBS.has(p.kind)) void refresh();
    });
    setInterval(() => void refresh(), TICK_MS);
    void refresh();
  };
  const store = createStore<LakeStatusState>({ status: null, error: null, now: Date.now() }, { onFirstSubscribe: start });
  return { store, refresh };
}

const full = lakeStatusStore(false);
const coverage = lakeStatusStore(true);

/** Reload the lake's full status. */
export const refreshLakeStatus = (): Promise<void> => full.refresh();

/** The lake's status (days in the lake vs days cached, online, cache). */
export function useLakeStatus(): LakeStatusState {
  return useStore(full.store);
}

/** What the cold-coverage notes need: days missing from the local cache (none for a local lake). */
export function useLakeCoverage(): LakeStatusState {
  return useStore(coverage.store);
}
