import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import { subscribe } from '../../../shared/api/client';
import type { PanelData, PanelId, PanelRollups, Scope } from '../../../shared/api/dashboard';
import { api, transport } from '../../api/client';
import { dropPrefetchedEntity } from './entityRequest';

export interface PanelState {
  data: PanelData | null;
  error: ApiError | null;
  loading: boolean;
}

/**
 * Bumped when a rollup refresh ends that changed the gold tables ('rollups.changed' came first), failed, or ended
 * while a panel shows data read during a build: every panel re-reads. A refresh that found nothing new leaves them.
 */
let rollupGeneration = { generation: 0, at: Date.now() };
let goldChanged = false;
let readWhileBuilding = false;
const genListeners = new Set<() => void>();
/** The running refresh's latest progress (null when none runs): a building panel's percentage moves live. */
let rollupProgress: { fraction: number | null; message: string } | null = null;
const progressListeners = new Set<() => void>();
let watching = false;

function watchRollups(): void {
  if (watching) return;
  watching = true;
  subscribe(transport, 'rollups.changed', () => {
    goldChanged = true;
  });
  subscribe(transport, 'job.progress', (p) => {
    if (p.kind !== 'rollups') return;
    rollupProgress = p.state === 'running' ? { fraction: p.fraction, message: p.message } : null;
    for (const l of progressListeners) l();
    if (p.state === 'running') return;
    const reread = p.state !== 'done' || goldChanged || readWhileBuilding;
    goldChanged = false;
    readWhileBuilding = false;
    if (!reread) return;
    dropPrefetchedEntity();
    rollupGeneration = { generation: rollupGeneration.generation + 1, at: Date.now() };
    for (const l of genListeners) l();
  });
}

/** A panel's rollup build state, its progress followed live from the refresh job's events. */
export function useRollupBuild(build: PanelRollups | undefined): PanelRollups | null {
  watchRollups();
  const live = useSyncExternalStore(
    (l) => {
      progressListeners.add(l);
      return () => progressListeners.delete(l);
    },
    () => rollupProgress,
  );
  if (!build) return null;
  return build.building && live ? { building: true, fraction: live.fraction, message: live.message } : build;
}

/** "Building rollups… 15%" (or its message when they are not being built). */
export function rollupBuildText(build: PanelRollups, verb: 'Building' | 'updating'): string {
  if (!build.building) return build.message;
  const pct = build.fraction === null ? '' : ` ${Math.round(build.fraction * 100)}%`;
  return verb === 'Building' ? `Building rollups…${pct}` : `Rollups updating…${pct}`;
}

/** Which rollup refresh the data is from, and when it ended (presets end then). */
export function useRollupGeneration(): { generation: number; at: number } {
  watchRollups();
  return useSyncExternalStore(
    (l) => {
      genListeners.add(l);
      return () => genListeners.delete(l);
    },
    () => rollupGeneration,
  );
}

/**
 * One panel's data for a scope, range and plot width. Each panel asks on its own, so a failed panel shows
 * its error while the others draw. Width is rounded to 50 px so small resizes do not re-query; nothing is
 * asked while the scope or the width is not known yet (null).
 */
export function usePanel(panel: PanelId, scope: Scope | null, fromMs: number, toMs: number, width: number | null): PanelState {
  const { generation } = useRollupGeneration();
  const [state, setState] = useState<PanelState & { key: string }>({ data: null, error: null, loading: true, key: '' });
  const w = width === null ? null : Math.max(100, Math.round(width / 50) * 50);
  const key = scope && w !== null ? `${panel}|${scope.kind}|${scope.id ?? ''}|${fromMs}|${toMs}|${w}|${generation}` : '';

  useEffect(() => {
    if (!scope || w === null) return;
    let live = true;
    void api.dashboard
      .panel({ panel, scope, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), width: w })
      .then((res) => {
        if (!live) return;
        if (res.ok && res.value.rollups?.building) readWhileBuilding = true;
        if (res.ok) setState({ data: res.value, error: null, loading: false, key });
        else setState({ data: null, error: res.error, loading: false, key });
      });
    return () => {
      live = false;
    };
    // The key covers every input.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return { data: state.data, error: state.error, loading: state.loading || state.key !== key };
}
