/** A tiny external store: one value, replaced (never mutated) by `set`, watched through `subscribe`. */
export interface Store<T> {
  /** The current value; the same object until the next `set` (a valid useSyncExternalStore snapshot). */
  get(): T;
  /** Replace the value (or derive it from the current one) and tell every listener. */
  set(next: T | ((prev: T) => T)): void;
  /** Call `listener` after every `set`; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface StoreOptions {
  /** Runs once, on the first subscribe: a store that loads itself starts when a component first reads it. */
  onFirstSubscribe?: () => void;
}

/**
 * A store for React's useSyncExternalStore (see `useStore`). `initial` may be a function (not a value of
 * function type) that computes the first value lazily, on the first `get`.
 */
export function createStore<T>(initial: T | (() => T), options: StoreOptions = {}): Store<T> {
  let ready = typeof initial !== 'function';
  let value = ready ? (initial as T) : (undefined as T);
  let started = false;
  const listeners = new Set<() => void>();
  const get = (): T => {
    if (!ready) {
      value = (initial as () => T)();
      ready = true;
    }
    return value;
  };
  return {
    get,
    set(next) {
      value = typeof next === 'function' ? (next as (prev: T) => T)(get()) : next;
      ready = true;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      if (!started) {
        started = true;
        options.onFirstSubscribe?.();
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
