import { useSyncExternalStore } from 'react';
import { api, transport } from '../../api/client';
import { subscribe as subscribeEvent } from '../../../shared/api/client';
import type { CatalogTree } from '../../../shared/api/catalog';
import type { ApiError } from '../../../shared/api/errors';

export interface CatalogState {
  tree: CatalogTree | null;
  loading: boolean;
  error: ApiError | null;
}

let state: CatalogState = { tree: null, loading: false, error: null };
const listeners = new Set<() => void>();
let started = false;
let generation = 0;

function set(next: Partial<CatalogState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
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
  if (started) return;
  started = true;
  subscribeEvent(transport, 'catalog.changed', () => void refreshCatalog());
  void refreshCatalog();
}

function subscribe(listener: () => void): () => void {
  start();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): CatalogState {
  return state;
}

/** The live catalog (loaded on first use, refreshed on 'catalog.changed'). */
export function useCatalog(): CatalogState {
  return useSyncExternalStore(subscribe, snapshot);
}
