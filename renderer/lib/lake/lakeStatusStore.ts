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

const store = createStore<LakeStatusState>({ status: null, error: null, now: Date.now() }, { onFirstSubscribe: start });
let generation = 0;

/** Reload storage.lakeStatus; an older answer arriving late is dropped. */
export async function refreshLakeStatus(): Promise<void> {
  const mine = ++generation;
  const res = await api.storage.lakeStatus({});
  if (mine !== generation) return;
  const now = Date.now();
  store.set(res.ok ? { status: res.value, error: null, now } : { status: store.get().status, error: res.error, now });
}

function start(): void {
  subscribeEvent(transport, 'catalog.changed', () => void refreshLakeStatus());
  subscribeEvent(transport, 'job.progress', (p) => {
    if (p.state !== 'running' && LAKE_JOBS.has(p.kind)) void refreshLakeStatus();
  });
  setInterval(() => void refreshLakeStatus(), TICK_MS);
  void refreshLakeStatus();
}

/** The lake's status (days in the lake vs days cached, online, cache), loaded on first use and kept fresh. */
export function useLakeStatus(): LakeStatusState {
  return useStore(store);
}
