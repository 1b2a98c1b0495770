import { seededRandom, type DemoFleet } from './demo-fleet';
import { DAY_MS, SLOT_MS, type DemoWindow } from './demo-scale';
import { DEFAULT_HEALTH_THRESHOLDS, healthClass, type HealthClass } from './health';

/**
 * The demo's degradation plan: which jars age normally, which degrade (and how far), and which were
 * replaced days ago (too short a history for a baseline). Pure and seeded, so every site of every demo
 * shows every health class at the default thresholds (shared/domain/health.ts), and tests can check that
 * without generating a row.
 */
export type JarProfile = 'steady' | 'watch' | 'degraded' | 'replace' | 'new';

export interface JarPlan {
  battery_id: number;
  location_id: number;
  profile: JarProfile;
  /** Resistance drift (%) over the jar's own baseline that the profile reaches; 0 for steady, null for a new jar (no baseline). */
  targetDriftPct: number | null;
  /** Degrading jars: the day (from the window's start) the degradation begins, and the day it reaches its target. */
  onsetDay: number;
  rampEndDay: number;
  /** 0..1: how much hotter the jar runs and how far its float voltage sags at full degradation. */
  severity: number;
  /** Resistance growth at full degradation (before the heat's lowering of resistance), as a factor over 1. */
  failK: number;
  /** The jar's first reading (epoch ms, on the 5-minute grid): the window's start, or a new jar's installation. */
  firstReadingMs: number;
}

/** Each profile's share of a site's jars (at least one jar per site each); the rest are steady. */
const SHARES: readonly [Exclude<JarProfile, 'steady'>, number][] = [
  ['watch', 0.03],
  ['degraded', 0.02],
  ['replace', 0.01],
  ['new', 0.01],
];

/** Resistance falls 0.6 %/C (demo-sql.ts), and a degrading jar runs up to 9 C hotter: the target accounts for it. */
export const DEGRADATION_HEAT_C = 9;
export const RESISTANCE_PER_C = 0.006;

/** Target drift (%) of a profile, within its health band at the default thresholds; `r` in [0,1). */
function targetDrift(profile: JarProfile, r: number): number | null {
  const t = DEFAULT_HEALTH_THRESHOLDS;
  switch (profile) {
    case 'steady':
      return 0;
    case 'new':
      return null;
    case 'watch':
      return t.watchPct + (t.degradedPct - t.watchPct) * (0.35 + 0.3 * r);
    case 'degraded':
      return t.degradedPct + (t.replacePct - t.degradedPct) * (0.3 + 0.4 * r);
    case 'replace':
      return t.replacePct * (1.3 + 0.7 * r);
  }
}

const SEVERITY: Readonly<Record<JarProfile, number>> = { steady: 0, new: 0, watch: 0.15, degraded: 0.5, replace: 1 };

/** The health class a jar is planned to show on the window's last day (default thresholds). */
export function plannedHealth(plan: JarPlan): HealthClass {
  return healthClass(plan.targetDriftPct);
}

export function planDemoJars(fleet: DemoFleet, window: DemoWindow, seed: number): JarPlan[] {
  const rnd = seededRandom(seed ^ 0x5eed_da7a);
  const startMs = window.start.getTime();
  const endMs = window.end.getTime();
  const days = (endMs - startMs) / DAY_MS;
  // Degradation starts after the baseline window (so the baseline is the jar's healthy self) and is complete
  // by the last whole day, so the last day's mean shows the planned drift.
  const rampEnd = Math.max(1, Math.floor(days) - 1);
  const minOnset = Math.min(DEFAULT_HEALTH_THRESHOLDS.baselineDays + 0.5, rampEnd - 0.5);
  const maxOnset = Math.max(minOnset, Math.min(days * 0.6, rampEnd - 2));
  const locationOfString = new Map<number, number>();
  const locationOfSystem = new Map(fleet.systems.map((s) => [s.system_id, s.location_id]));
  for (const s of fleet.strings) locationOfString.set(s.string_id, locationOfSystem.get(s.system_id) ?? 0);
  const plans: JarPlan[] = [];
  for (const loc of fleet.locations) {
    const jars = fleet.batteries.filter((b) => locationOfString.get(b.string_id) === loc.location_id);
    // A seeded shuffle of the site's jars; the first ones take the profiles.
    const order = jars.map((b) => ({ b, key: rnd() })).sort((x, y) => x.key - y.key);
    const profiles: JarProfile[] = [];
    for (const [profile, share] of SHARES) for (let i = 0; i < Math.max(1, Math.round(share * jars.length)); i++) profiles.push(profile);
    order.forEach(({ b }, i) => {
      const profile = profiles[i] ?? 'steady';
      const severity = SEVERITY[profile];
      const drift = targetDrift(profile, rnd());
      const heatFactor = 1 - RESISTANCE_PER_C * DEGRADATION_HEAT_C * severity;
      const onsetDay = severity > 0 ? minOnset + (maxOnset - minOnset) * rnd() : 0;
      // A new jar went in 1.5 to 5.5 days before the end: too little history for a baseline.
      const installedMs = Math.floor((endMs - (1.5 + 4 * rnd()) * DAY_MS) / SLOT_MS) * SLOT_MS;
      plans.push({
        battery_id: b.battery_id,
        location_id: loc.location_id,
        profile,
        targetDriftPct: drift,
        onsetDay,
        rampEndDay: rampEnd,
        severity,
        failK: severity > 0 && drift !== null ? (1 + drift / 100) / heatFactor - 1 : 0,
        firstReadingMs: profile === 'new' ? Math.max(startMs, installedMs) : startMs,
      });
    });
  }
  return plans.sort((a, b) => a.battery_id - b.battery_id);
}
