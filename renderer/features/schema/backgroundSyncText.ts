import type { BackgroundSyncStatus } from '../../../shared/api/data';
import { formatAgo } from './relativeTime';

/** "every 60 s", "every 5 min", "every 2 h". */
export function formatEvery(seconds: number): string {
  if (seconds < 120 || seconds % 60 !== 0) return `every ${seconds} s`;
  const min = seconds / 60;
  if (min < 120 || min % 60 !== 0) return `every ${min} min`;
  return `every ${min / 60} h`;
}

/**
 * One line on the background sync for the schema browser and the settings: whether it runs, how often,
 * what holds it, what failed last. `bad` marks a line to show as a problem. Null for a core without one.
 */
export function backgroundSyncText(bg: BackgroundSyncStatus | undefined, nowMs: number): { text: string; bad: boolean } | null {
  if (!bg) return null;
  const last =
    bg.lastRunAt && bg.state !== 'failing' && bg.state !== 'waiting' ? ` · last ran ${formatAgo(bg.lastRunAt, nowMs) ?? 'just now'}` : '';
  switch (bg.state) {
    case 'off':
      return { text: bg.intervalSeconds === 0 ? 'background sync off' : 'no background sync in this run', bad: false };
    case 'idle':
      return { text: `background sync ${formatEvery(bg.intervalSeconds)}${last}`, bad: false };
    case 'syncing':
      return { text: `background sync ${formatEvery(bg.intervalSeconds)} · syncing now`, bad: false };
    case 'paused':
      return { text: `background sync paused while ${bg.pausedBy ?? 'a job'} runs`, bad: false };
    case 'waiting':
      return { text: 'background sync waiting for PostgreSQL (retrying)', bad: true };
    case 'failing':
      return { text: `background sync failed: ${bg.lastError ?? 'unknown error'} (retrying)`, bad: true };
  }
}
