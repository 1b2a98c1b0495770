import { useCallback, useState, type SetStateAction } from 'react';

const values = new Map<string, unknown>();

/**
 * useState that outlives the view (switching views keeps the settings and a running job's id)
 * for the life of the page. Keys start with `archive.`.
 */
export function useViewMemory<T>(key: string, initial: T): [T, (next: SetStateAction<T>) => void] {
  const [value, setValue] = useState<T>(() => (values.has(key) ? (values.get(key) as T) : initial));
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
