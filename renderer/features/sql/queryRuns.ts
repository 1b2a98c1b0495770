import { useSyncExternalStore } from 'react';
import { api, transport } from '../../api/client';
import { subscribe as subscribeEvent } from '../../../shared/api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { ParamDecl, ParamValues } from '../../../shared/api/params';
import type { QueryRunResult, QueryTarget } from '../../../shared/api/query';

/** The last run of one editor tab. Kept outside React so results survive tab and view switches. */
export type RunState =
  | { status: 'idle' }
  | {
      status: 'running';
      runId: string;
      sql: string;
      target: QueryTarget;
      startedAt: number;
      progress: number | null;
      previous: QueryRunResult | null;
    }
  | { status: 'done'; runId: string; sql: string; target: QueryTarget; result: QueryRunResult }
  | { status: 'error'; runId: string; sql: string; target: QueryTarget; error: ApiError; previous: QueryRunResult | null };

const IDLE: RunState = { status: 'idle' };
const runs = new Map<string, RunState>();
const listeners = new Set<() => void>();
let progressHooked = false;

function emit(): void {
  for (const l of listeners) l();
}

function setRun(tabId: string, s: RunState): void {
  runs.set(tabId, s);
  emit();
}

function hookProgress(): void {
  if (progressHooked) return;
  progressHooked = true;
  subscribeEvent(transport, 'query.progress', (p) => {
    for (const [tabId, s] of runs) {
      if (s.status === 'running' && s.runId === p.runId) {
        setRun(tabId, { ...s, progress: p.percentage >= 0 ? p.percentage : null });
      }
    }
  });
}

function lastResult(s: RunState): QueryRunResult | null {
  if (s.status === 'done') return s.result;
  if (s.status === 'running' || s.status === 'error') return s.previous;
  return null;
}

export function getRun(tabId: string): RunState {
  return runs.get(tabId) ?? IDLE;
}

/** Run SQL for a tab. The previous result stays visible until the new one arrives, then is closed in the core. */
/** `allowWrites`: the tab's "Allow writes" (PostgreSQL only); off, the hot store refuses writes. `bound`: parameter values and types. */
export async function runQuery(
  tabId: string,
  sql: string,
  target: QueryTarget,
  allowWrites = false,
  bound: { params?: ParamValues; paramTypes?: ParamDecl[] } = {},
): Promise<void> {
  hookProgress();
  const before = getRun(tabId);
  if (before.status === 'running') return;
  const runId = crypto.randomUUID();
  const previous = lastResult(before);
  setRun(tabId, { status: 'running', runId, sql, target, startedAt: performance.now(), progress: null, previous });
  const res = await api.query.run({ sql, target, runId, sessionId: tabId, allowWrites: target === 'hot' && allowWrites, ...bound });
  const now = getRun(tabId);
  if (now.status !== 'running' || now.runId !== runId) {
    // The tab was closed meanwhile: free the result.
    if (res.ok) void api.query.close({ resultId: res.value.resultId });
    return;
  }
  if (res.ok) {
    if (previous && previous.resultId !== res.value.resultId) void api.query.close({ resultId: previous.resultId });
    setRun(tabId, { status: 'done', runId, sql, target, result: res.value });
  } else {
    // The error replaces the old result (a stale grid under an error reads as this query's output).
    if (previous) void api.query.close({ resultId: previous.resultId });
    setRun(tabId, { status: 'error', runId, sql, target, error: res.error, previous: null });
  }
}

/** Cancel the tab's running query; true when a run was asked to stop. */
export function cancelQuery(tabId: string): boolean {
  const s = getRun(tabId);
  if (s.status !== 'running') return false;
  void api.query.cancel({ runId: s.runId });
  return true;
}

/** Forget a closed tab and free its result in the core. */
export function disposeRun(tabId: string): void {
  const s = getRun(tabId);
  const r = lastResult(s);
  if (s.status === 'running') void api.query.cancel({ runId: s.runId });
  if (r) void api.query.close({ resultId: r.resultId });
  // The tab's session (SET, TEMP tables, an open transaction) ends with it.
  void api.query.closeSession({ sessionId: tabId });
  runs.delete(tabId);
  emit();
}

export function subscribeRuns(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRun(tabId: string): RunState {
  return useSyncExternalStore(subscribeRuns, () => getRun(tabId));
}
