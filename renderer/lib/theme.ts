import { useSyncExternalStore } from 'react';

/** The user's choice: follow the OS (the default), or always light or dark. */
export type ThemePreference = 'system' | 'light' | 'dark';
export type ColorScheme = 'light' | 'dark';

const KEY = 'bw.theme';
const QUERY = '(prefers-color-scheme: dark)';
const listeners = new Set<() => void>();

function stored(): ThemePreference {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

let preference: ThemePreference = 'system';

function resolve(): ColorScheme {
  if (preference !== 'system') return preference;
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

let scheme: ColorScheme = 'light';

/** The stylesheet's variables follow `data-theme` on the root element. */
function apply(): void {
  const next = resolve();
  document.documentElement.dataset.theme = next;
  if (next === scheme) return;
  scheme = next;
  for (const l of listeners) l();
}

/** Reads the stored choice, applies it before the first paint, and follows the OS while the choice is "system". */
export function initTheme(): void {
  preference = stored();
  scheme = resolve();
  document.documentElement.dataset.theme = scheme;
  window.matchMedia(QUERY).addEventListener('change', apply);
}

export function themePreference(): ThemePreference {
  return preference;
}

export function setThemePreference(next: ThemePreference): void {
  preference = next;
  try {
    if (next === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
  } catch {
    // Not remembered; it applies to this page.
  }
  apply();
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The colour scheme in use (charts pick their theme from it); re-renders when it changes. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(
    subscribe,
    () => scheme,
    () => 'light',
  );
}

/** The user's choice; re-renders when it changes. */
export function useThemePreference(): ThemePreference {
  return useSyncExternalStore(
    subscribe,
    () => preference,
    () => 'system',
  );
}
