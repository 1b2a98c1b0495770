import { seededRandom, type DemoFleet } from './demo-fleet';
import type { JarPlan } from './demo-plan';
import { DAY_MS, SLOT_MS, type DemoWindow } from './demo-scale';

/**
 * What the demo seeds for the battery analytics, besides the jars' ageing (demo-plan.ts): site outages (every string
 * of the site discharges, then recharges), imbalanced jars (a persistent voltage offset against their siblings) and
 * one hotspot jar per site (it runs hot against the string's ambient). Pure and seeded, so tests know what to find
 * without reading a row; a random stream of its own, so the jars' plan is the same as without it.
 */
export interface OutagePlan {
  location_id: number;
  /** Start (epoch ms, on the 5-minute grid) and end of the discharge. */
  startMs: number;
  endMs: number;
  /** Discharge current as a C-rate of each string's rated capacity. */
  rateC: number;
  /** The recharge that follows, at RECHARGE_C, until recharge_end. */
  rechargeEndMs: number;
}

export interface ImbalancedJar {
  battery_id: number;
  location_id: number;
  /** The jar's float-voltage offset against its siblings (V; replaces its random offset). */
  offsetV: number;
}

export interface HotspotJar {
  battery_id: number;
  location_id: number;
  /** How much hotter than its siblings the jar runs (°C; replaces its random offset). */
  excessC: number;
}

export interface DemoPhenomena {
  outages: OutagePlan[];
  imbalanced: ImbalancedJar[];
  hotspots: HotspotJar[];
}

/** The recharge after an outage, as a C-rate; it puts back 110 % of what was discharged. */
export const RECHARGE_C = 0.1;
export const RECHARGE_FACTOR = 1.1;
/** An imbalanced jar's offset per cell (V): well clear of its siblings' spread, well above the voltage_low threshold. */
export const IMBALANCE_V_PER_CELL = 0.05;
/** A hotspot runs this much hotter than its siblings: 7.5 °C or so above ambient, where healthy jars stay within 2.5. */
export const HOTSPOT_C = 6;
/** Imbalanced jars: this share of a site's jars (at least one). */
const IMBALANCED_SHARE = 0.008;

/** Outages per site: a few over the window. */
export function outagesPerSite(window: DemoWindow): number {
  const days = (window.end.getTime() - window.start.getTime()) / DAY_MS;
  return Math.max(2, Math.min(6, Math.round(days / 15)));
}

/** The day index (from the window's start) of each string's capacity test, as demo-sql.ts schedules it. */
export function capacityTestDay(stringId: number, seed: number, window: DemoWindow): number {
  const days = Math.max(1, Math.floor((window.end.getTime() - window.start.getTime()) / DAY_MS));
  return (stringId * 7 + seed) % days;
}

export function planDemoPhenomena(fleet: DemoFleet, window: DemoWindow, seed: number, jars: readonly JarPlan[]): DemoPhenomena {
  const rnd = seededRandom(seed ^ 0x0a7a_6e55);
  const startMs = window.start.getTime();
  const wholeDays = Math.floor((window.end.getTime() - startMs) / DAY_MS);
  const locationOfSystem = new Map(fleet.systems.map((s) => [s.system_id, s.location_id]));
  const stringSite = new Map(fleet.strings.map((s) => [s.string_id, locationOfSystem.get(s.system_id) ?? 0]));
  const cells = new Map(fleet.models.map((m) => [m.model_id, m.cells]));
  const profile = new Map(jars.map((j) => [j.battery_id, j.profile]));
  const outages: OutagePlan[] = [];
  const imbalanced: ImbalancedJar[] = [];
  const hotspots: HotspotJar[] = [];
  for (const loc of fleet.locations) {
    const site = loc.location_id;
    const strings = fleet.strings.filter((s) => stringSite.get(s.string_id) === site);
    // Outages fall on whole days of the window that hold no capacity test of the site (and not the first or last).
    const testDays = new Set(strings.map((s) => capacityTestDay(s.string_id, seed, window)));
    const free: number[] = [];
    for (let d = 1; d < wholeDays - 1; d++) if (!testDays.has(d)) free.push(d);
    const n = Math.min(outagesPerSite(window), free.length);
    for (let i = 0; i < n; i++) {
      const day = free.splice(Math.floor(rnd() * free.length), 1)[0];
      // 00:00 to 10:55 UTC, 10 to 90 minutes at 0.15C to 0.4C: the recharge ends the same day.
      const begin = startMs + day * DAY_MS + Math.floor(rnd() * 132) * SLOT_MS;
      const slots = 2 + Math.floor(rnd() * 17);
      const rateC = Math.round((0.15 + 0.25 * rnd()) * 100) / 100;
      const rechargeSlots = Math.ceil((slots * rateC * RECHARGE_FACTOR) / RECHARGE_C);
      const endMs = begin + slots * SLOT_MS;
      outages.push({ location_id: site, startMs: begin, endMs, rateC, rechargeEndMs: endMs + rechargeSlots * SLOT_MS });
    }
    // Imbalanced and hotspot jars are steady jars (their signal is theirs alone), each on a string of its own.
    const steady = fleet.batteries
      .filter((b) => stringSite.get(b.string_id) === site && profile.get(b.battery_id) === 'steady')
      .map((b) => ({ b, key: rnd() }))
      .sort((x, y) => x.key - y.key)
      .map((x) => x.b);
    // One per string while strings last, then any steady jar not yet taken.
    const usedStrings = new Set<number>();
    const taken = new Set<number>();
    const take = (): (typeof steady)[number] | undefined => {
      const b = steady.find((j) => !usedStrings.has(j.string_id)) ?? steady.find((j) => !taken.has(j.battery_id));
      if (b) {
        usedStrings.add(b.string_id);
        taken.add(b.battery_id);
      }
      return b;
    };
    const siteJars = fleet.batteries.filter((b) => stringSite.get(b.string_id) === site).length;
    for (let i = 0; i < Math.max(1, Math.round(IMBALANCED_SHARE * siteJars)); i++) {
      const b = take();
      if (!b) break;
      const sign = rnd() < 0.5 ? -1 : 1;
      imbalanced.push({ battery_id: b.battery_id, location_id: site, offsetV: sign * IMBALANCE_V_PER_CELL * (cells.get(b.model_id) ?? 1) });
    }
    const h = take();
    if (h) hotspots.push({ battery_id: h.battery_id, location_id: site, excessC: HOTSPOT_C });
  }
  return {
    outages: outages.sort((a, b) => a.startMs - b.startMs || a.location_id - b.location_id),
    imbalanced: imbalanced.sort((a, b) => a.battery_id - b.battery_id),
    hotspots: hotspots.sort((a, b) => a.battery_id - b.battery_id),
  };
}
