import { useCallback, useState, type SetStateAction } from 'react';

const values = new Map<string, unknown>();

/**
 * useState that survives the view being unmounted (switching views keeps a half-filled form
 * and a running job's id) for the life of the page. Keys are per view: `convert.inputs`, `archive.days`, ...
 */
export function useSessionState<T>(key: string, initial: T | (() => T)): [T, (next: SetStateAction<T>) => void] {
  const [value, setValue] = useState<T>(() => {
    if (values.has(key)) return values.get(key) as T;
    const v = typeof initial === 'function' ? (initial as () => T)() : initial;
    values.set(key, v);
    return v;
  });
  const set = useCallback(
    (next: SetStateAction<T>) => {
      setValue((prev) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
        values.set(key, v);
        return v;
      });
    },
    [key],
  );
  return [value, set];
}
