import type { EntityInfo, Scope } from '../../../shared/api/dashboard';
import type { Result } from '../../../shared/api/errors';
import { api } from '../../api/client';

/** An entity asked before its view's code has loaded, kept for the view's first ask. */
let prefetched: { key: string; answer: Promise<Result<EntityInfo>> } | null = null;

const keyOf = (scope: Scope): string => `${scope.kind}|${scope.id ?? ''}`;

/**
 * Asks for a scope's entity while the view's code (charts included) still loads: a dashboard's panels wait for its
 * entity (a preset range ends at the data's end), so the page opened on it does not wait for both in turn.
 */
export function prefetchEntity(scope: Scope): void {
  prefetched = { key: keyOf(scope), answer: api.dashboard.entity({ scope }) };
}

/** Forgets a prefetched entity (the rollups changed since it was asked). */
export function dropPrefetchedEntity(): void {
  prefetched = null;
}

/** A scope's entity: the prefetched answer when it is for this scope (taken once), else a new ask. */
export function requestEntity(scope: Scope): Promise<Result<EntityInfo>> {
  const kept = prefetched;
  prefetched = null;
  return kept?.key === keyOf(scope) ? kept.answer : api.dashboard.entity({ scope });
}
