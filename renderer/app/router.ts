import { useSyncExternalStore, type ComponentType, type LazyExoticComponent } from 'react';

/** A top-level view, reachable at `#/<id>`. Later issues register #/fleet, #/convert, ... here. */
export interface ViewSpec {
  id: string;
  title: string;
  /** Position in the top bar; lower first. */
  order: number;
  /** The view, or its code loaded on first show (React.lazy, shown inside the shell's Suspense). */
  component: ComponentType | LazyExoticComponent<ComponentType>;
  /** Reachable by link only (e.g. #/battery/<id>), not listed in the top bar. */
  hidden?: boolean;
  /** When the page opens on this view: asks for its first data while the view's code loads (with the route's rest). */
  prefetch?: (rest: string) => void;
}

const views = new Map<string, ViewSpec>();
let defaultViewId = 'sql';

export function registerView(spec: ViewSpec, options: { isDefault?: boolean } = {}): void {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.id)) throw new Error(`View id "${spec.id}" must be lower-case letters, digits or -`);
  views.set(spec.id, spec);
  if (options.isDefault) defaultViewId = spec.id;
}

export function listViews(): ViewSpec[] {
  return [...views.values()].sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
}

export function getView(id: string): ViewSpec | undefined {
  return views.get(id);
}

export interface Route {
  /** View id, e.g. `sql`. */
  view: string;
  /** Whatever follows the view id, without the leading slash (for a view's own sub-routes). */
  rest: string;
}

/** `#/sql/foo` → { view: 'sql', rest: 'foo' }; anything unknown or empty → the default view. */
export function parseHash(hash: string, known: (id: string) => boolean = (id) => views.has(id)): Route {
  const m = /^#?\/?([a-z][a-z0-9-]*)(?:\/(.*))?$/.exec(hash);
  if (m && known(m[1])) return { view: m[1], rest: m[2] ?? '' };
  return { view: defaultViewId, rest: '' };
}

export function hrefFor(viewId: string, rest = ''): string {
  return rest ? `#/${viewId}/${rest}` : `#/${viewId}`;
}

function subscribeHash(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentHash(): string {
  return window.location.hash;
}

/** The current route; re-renders on hash changes. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribeHash, currentHash);
  return parseHash(hash);
}
