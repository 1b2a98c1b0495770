import type { EnvironmentalSensor } from './entities';

/** Demo fleet sizes and the row counts the generator promises for them. Pure. */

export type DemoScaleName = 'small' | 'full' | 'year';

export const DEMO_SCALE_NAMES: readonly DemoScaleName[] = ['small', 'full', 'year'];

export interface SiteLayout {
  /** Strings of each UPS system at the site. */
  upsStrings: number[];
  /** Strings of each rectifier system at the site. */
  rectifierStrings: number[];
}

export interface DemoScale {
  name: DemoScaleName;
  sites: number;
  layout: SiteLayout;
  jarsPerString: number;
  defaultDaysHot: number;
  defaultDaysCold: number;
}

export const DEMO_SCALES: Readonly<Record<DemoScaleName, DemoScale>> = {
  // 3 sites x (1 UPS string + 1 rectifier string) x 24 jars = 144 jars, 14 days: starts in seconds.
  small: {
    name: 'small',
    sites: 3,
    layout: { upsStrings: [1], rectifierStrings: [1] },
    jarsPerString: 24,
    defaultDaysHot: 7,
    defaultDaysCold: 7,
  },
  // The seed's fleet: 9 sites x (2 UPS x 4 strings + 1 rectifier x 3 strings) x 24 jars = 2,376 jars, 90 days.
  full: {
    name: 'full',
    sites: 9,
    layout: { upsStrings: [4, 4], rectifierStrings: [3] },
    jarsPerString: 24,
    defaultDaysHot: 7,
    defaultDaysCold: 83,
  },
  // The same fleet over a year (7 hot days like full, 358 cold): ~250M telemetry rows, streamed to the lake a day at a time.
  year: {
    name: 'year',
    sites: 9,
    layout: { upsStrings: [4, 4], rectifierStrings: [3] },
    jarsPerString: 24,
    defaultDaysHot: 7,
    defaultDaysCold: 358,
  },
};

/** Telemetry cadence: one reading per jar (and per string) every 5 minutes. */
export const SAMPLE_MINUTES = 5;
export const SLOT_MS = SAMPLE_MINUTES * 60_000;
export const DAY_MS = 86_400_000;

/** Battery-room sensors report less often than the jars: one reading per sensor every 15 minutes. */
export const ENV_SAMPLE_MINUTES = 15;
export const ENV_SLOT_MS = ENV_SAMPLE_MINUTES * 60_000;

/** The sensors of a demo site's battery room, in sensor_id order within the site (see demoSensors in demo-fleet.ts). */
export const DEMO_ROOM_SENSORS: readonly Pick<EnvironmentalSensor, 'sensor_type' | 'unit'>[] = [
  { sensor_type: 'temperature', unit: 'degC' },
  { sensor_type: 'humidity', unit: '%RH' },
];

export function stringsPerSite(scale: DemoScale): number {
  return [...scale.layout.upsStrings, ...scale.layout.rectifierStrings].reduce((a, b) => a + b, 0);
}

export function fleetSize(scale: DemoScale): { sites: number; systems: number; strings: number; jars: number } {
  const systems = scale.sites * (scale.layout.upsStrings.length + scale.layout.rectifierStrings.length);
  const strings = scale.sites * stringsPerSite(scale);
  return { sites: scale.sites, systems, strings, jars: strings * scale.jarsPerString };
}

/** The time window of a demo run. Cold days are whole UTC days; the hot window runs up to `end`. */
export interface DemoWindow {
  /** First telemetry timestamp (inclusive), UTC midnight. */
  start: Date;
  /** The tier watermark: cold rows are before it, hot rows at or after it. UTC midnight. */
  split: Date;
  /** End of data (exclusive), on the 5-minute grid. */
  end: Date;
}

export function demoWindow(end: Date, daysHot: number, daysCold: number): DemoWindow {
  const endMs = Math.floor(end.getTime() / SLOT_MS) * SLOT_MS;
  const split = Math.floor((endMs - daysHot * DAY_MS) / DAY_MS) * DAY_MS;
  return { start: new Date(split - daysCold * DAY_MS), split: new Date(split), end: new Date(endMs) };
}

/**
 * Rows the generator promises for the time series, in total and per tier. `firstReadingsMs`: the first reading of
 * each jar that starts after the window's start (a jar installed during the window; see demo-plan.ts).
 */
export function promisedRows(
  scale: DemoScale,
  window: DemoWindow,
  firstReadingsMs: readonly number[] = [],
): {
  telemetry: { hot: number; cold: number };
  string_telemetry: { hot: number; cold: number };
  environmental_telemetry: { hot: number; cold: number };
} {
  const { jars, strings } = fleetSize(scale);
  const sensors = scale.sites * DEMO_ROOM_SENSORS.length;
  const coldSlots = (window.split.getTime() - window.start.getTime()) / SLOT_MS;
  const hotSlots = (window.end.getTime() - window.split.getTime()) / SLOT_MS;
  const start = window.start.getTime();
  const split = window.split.getTime();
  let missingCold = 0;
  let missingHot = 0;
  for (const first of firstReadingsMs) {
    if (first <= start) continue;
    missingCold += (Math.min(first, split) - start) / SLOT_MS;
    if (first > split) missingHot += (Math.min(first, window.end.getTime()) - split) / SLOT_MS;
  }
  return {
    telemetry: { hot: jars * hotSlots - missingHot, cold: jars * coldSlots - missingCold },
    string_telemetry: { hot: strings * hotSlots, cold: strings * coldSlots },
    // Cold days are whole; the hot window's last reading is the last 15-minute mark before its end.
    environmental_telemetry: {
      hot: sensors * Math.ceil((window.end.getTime() - split) / ENV_SLOT_MS),
      cold: sensors * ((split - start) / ENV_SLOT_MS),
    },
  };
}
