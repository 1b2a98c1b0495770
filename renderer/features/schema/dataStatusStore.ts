import { subscribe as subscribeEvent } from '../../../shared/api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { DataStatus } from '../../../shared/api/data';
import { api, transport } from '../../api/client';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';

export interface DataStatusState {
  status: DataStatus | null;
  loading: boolean;
  error: ApiError | null;
  /** When the state was last refreshed (ms): the clock "N min ago" texts count from. */
  now: number;
}

/** How often the status (and every "N min ago") refreshes on its own. */
const TICK_MS = 60_000;

const store = createStore<DataStatusState>({ status: null, loading: false, error: null, now: Date.now() }, { onFirstSubscribe: start });
let generation = 0;

function set(next: Partial<DataStatusState>): void {
  store.set((state) => ({ ...state, ...next }));
}

/** Reload data.status; an older answer arriving late is dropped. */
export async function refreshDataStatus(): Promise<void> {
  const mine = ++generation;
  set({ loading: true });
  const res = await api.data.status({});
  if (mine !== generation) return;
  if (res.ok) set({ status: res.value, loading: false, error: null, now: Date.now() });
  else set({ loading: false, error: res.error, now: Date.now() });
}

function start(): void {
  subscribeEvent(transport, 'catalog.changed', () => void refreshDataStatus());
  // A background sync ran, paused or failed (no view changed when nothing was new).
  subscribeEvent(transport, 'data.status', () => void refreshDataStatus());
  // A sync or demo that ends changes freshness even when no view changed.
  subscribeEvent(transport, 'job.progress', (p) => {
    if (p.state !== 'running' && (p.kind === 'sync' || p.kind === 'demo')) void refreshDataStatus();
  });
  setInterval(() => void refreshDataStatus(), TICK_MS);
  void refreshDataStatus();
}

/** The live data platform status: hot store, lake, mirror freshness per dataset. */
export function useDataStatus(): DataStatusState {
  return useStore(store);
}
