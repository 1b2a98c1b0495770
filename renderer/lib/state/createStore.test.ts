import { describe, expect, it, vi } from 'vitest';
import { createStore } from './createStore';

describe('createStore', () => {
  it('gets the initial value and the value last set', () => {
    const store = createStore({ n: 1 });
    const first = store.get();
    expect(first).toEqual({ n: 1 });
    expect(store.get()).toBe(first);
    store.set({ n: 2 });
    expect(store.get()).toEqual({ n: 2 });
    store.set((prev) => ({ n: prev.n + 1 }));
    expect(store.get()).toEqual({ n: 3 });
  });

  it('computes a lazy initial value once, on the first get', () => {
    const init = vi.fn(() => ['a']);
    const store = createStore(init);
    expect(init).not.toHaveBeenCalled();
    expect(store.get()).toEqual(['a']);
    expect(store.get()).toBe(store.get());
    expect(init).toHaveBeenCalledTimes(1);
  });

  it('tells every listener after each set, until it unsubscribes', () => {
    const store = createStore(0);
    const a = vi.fn();
    const b = vi.fn();
    const offA = store.subscribe(a);
    store.subscribe(b);
    store.set(1);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    offA();
    store.set((n) => n + 1);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    expect(store.get()).toBe(2);
  });

  it('lets a listener read the new value and unsubscribe itself', () => {
    const store = createStore('x');
    const seen: string[] = [];
    const off = store.subscribe(() => {
      seen.push(store.get());
      off();
    });
    store.set('y');
    store.set('z');
    expect(seen).toEqual(['y']);
  });

  it('starts a self-loading store on its first subscribe only', () => {
    const start = vi.fn();
    const store = createStore(0, { onFirstSubscribe: start });
    store.get();
    store.set(1);
    expect(start).not.toHaveBeenCalled();
    const off = store.subscribe(() => {});
    store.subscribe(() => {});
    off();
    store.subscribe(() => {});
    expect(start).toHaveBeenCalledTimes(1);
  });
});
