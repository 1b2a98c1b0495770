import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';

/** The dashboards' time range: a preset ending at the newest data (or now), or a custom [from, to). */
export const RANGE_PRESETS = [
  { id: '24h', label: '24 h', ms: 86_400_000 },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 d', ms: 30 * 86_400_000 },
  { id: '90d', label: '90 d', ms: 90 * 86_400_000 },
  { id: '1y', label: '1 y', ms: 365 * 86_400_000 },
] as const;
export type PresetId = (typeof RANGE_PRESETS)[number]['id'];

export type RangeChoice = { kind: 'preset'; preset: PresetId } | { kind: 'custom'; fromMs: number; toMs: number };
export type ZoneChoice = 'site' | 'utc';

export interface DashboardSettings {
  range: RangeChoice;
  zone: ZoneChoice;
  /** When the range was chosen: presets end then (or at the newest reading). */
  at: number;
}

const KEY = 'bw.dashboards.v1';
const store = createStore<DashboardSettings>(read);

function read(): DashboardSettings {
  const fallback: DashboardSettings = { range: { kind: 'preset', preset: '7d' }, zone: 'site', at: Date.now() };
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return fallback;
    return parseSettings(JSON.parse(raw) as unknown) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Validate stored settings; null when unusable. */
export function parseSettings(v: unknown): DashboardSettings | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { range?: unknown; zone?: unknown };
  const zone: ZoneChoice = o.zone === 'utc' ? 'utc' : 'site';
  const r = o.range as Record<string, unknown> | undefined;
  const at = Date.now();
  if (r?.kind === 'preset' && RANGE_PRESETS.some((p) => p.id === r.preset))
    return { range: { kind: 'preset', preset: r.preset as PresetId }, zone, at };
  if (r?.kind === 'custom' && typeof r.fromMs === 'number' && typeof r.toMs === 'number' && r.fromMs < r.toMs) {
    return { range: { kind: 'custom', fromMs: r.fromMs, toMs: r.toMs }, zone, at };
  }
  return null;
}

export function setDashboardSettings(next: Partial<Omit<DashboardSettings, 'at'>>): void {
  const state = { ...store.get(), ...next, at: Date.now() };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // Session only.
  }
  store.set(state);
}

export function useDashboardSettings(): DashboardSettings {
  return useStore(store);
}

/**
 * The concrete [from, to) of a choice. Presets end at the newest reading when the data stops before now
 * (an offline laptop, an old workspace), else now; ends are rounded up to the 5-minute grid.
 */
export function resolveRange(choice: RangeChoice, nowMs: number, dataToMs: number | null): { fromMs: number; toMs: number } {
  if (choice.kind === 'custom') return { fromMs: choice.fromMs, toMs: choice.toMs };
  const preset = RANGE_PRESETS.find((p) => p.id === choice.preset) ?? RANGE_PRESETS[1];
  const end = dataToMs !== null && dataToMs < nowMs ? dataToMs + 1 : nowMs;
  const toMs = Math.ceil(end / 300_000) * 300_000;
  return { fromMs: toMs - preset.ms, toMs };
}
