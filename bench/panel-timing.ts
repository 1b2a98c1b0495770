import type { PanelData } from '../shared/api/dashboard';
import type { Workbench } from '../electron/core/workbench';

/** Timed runs per panel figure (after one warm-up). */
export const PANEL_RUNS = 20;

/** The 95th percentile of timings (nearest rank), to 0.1 ms. */
export function p95(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] * 10) / 10;
}

/** The median of timings. */
export function median(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** One timed dispatch of a panel request; its data. */
export async function timedPanel(wb: Workbench, req: Record<string, unknown>, label: string): Promise<{ ms: number; data: PanelData }> {
  let data: PanelData | null = null;
  const ms = await time(async () => {
    const res = await wb.dispatch('dashboard.panel', req, { transport: 'test' });
    if (!res.ok) throw new Error(`${label}: ${res.error.message}`);
    data = res.value as PanelData;
  });
  return { ms, data: data as unknown as PanelData };
}

/** p95 of `runs` timed dispatches of `req(i)` (one warm-up first); the last result's PanelData. */
export async function panelP95(
  wb: Workbench,
  req: (i: number) => Record<string, unknown>,
  label: string,
  runs = PANEL_RUNS,
): Promise<{ p95: number; data: PanelData }> {
  let data: PanelData | null = null;
  const ms: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const run = await timedPanel(wb, req(i), label);
    data = run.data;
    if (i > 0) ms.push(run.ms);
  }
  return { p95: p95(ms), data: data as unknown as PanelData };
}
