import { api, transport } from '../../api/client';
import { subscribe as subscribeEvent } from '../../../shared/api/client';
import type { CatalogTree } from '../../../shared/api/catalog';
import type { ApiError } from '../../../shared/api/errors';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';

export interface CatalogState {
  tree: CatalogTree | null;
  loading: boolean;
  error: ApiError | null;
}

const store = createStore<CatalogState>({ tree: null, loading: false, error: null }, { onFirstSubscribe: start });
let generation = 0;

function set(next: Partial<CatalogState>): void {
  store.set((state) => ({ ...state, ...next }));
}

/** Reload the catalog tree from the core. Older answers arriving late are ignored. */
export async function refreshCatalog(): Promise<void> {
  const mine = ++generation;
  set({ loading: true });
  const res = await api.catalog.tree({});
  if (mine !== generation) return;
  if (res.ok) set({ tree: res.value, loading: false, error: null });
  else set({ loading: false, error: res.error });
}

function start(): void {
  subscribeEvent(transport, 'catalog.changed', () => void refreshCatalog());
  void refreshCatalog();
}

/** The live catalog (loaded on first use, refreshed on 'catalog.changed'). */
export function useCatalog(): CatalogState {
  return useStore(store);
}
