import type { Battery, BatteryModel, BatteryString, BatterySystem, EnvironmentalSensor, Location } from './entities';
import { DEMO_ROOM_SENSORS, fleetSize, type DemoScale } from './demo-scale';

/** The demo fleet's master data, built deterministically from a seed. Pure. */
export interface DemoFleet {
  locations: Location[];
  models: BatteryModel[];
  systems: BatterySystem[];
  strings: BatteryString[];
  batteries: Battery[];
  /** The sensors of each site's battery room (see demoSensors). */
  sensors: EnvironmentalSensor[];
  /** Fixed UTC offset (hours) per location, used for the daily temperature cycle. */
  utcOffsetHours: Map<number, number>;
}

const SITES: { code: string; name: string; city: string; country: string; tz: string; offset: number; lat: number; lon: number }[] = [
  { code: 'FRA1', name: 'Frankfurt DC 1', city: 'Frankfurt', country: 'DE', tz: 'Europe/Berlin', offset: 1, lat: 50.11, lon: 8.68 },
  { code: 'AMS1', name: 'Amsterdam DC 1', city: 'Amsterdam', country: 'NL', tz: 'Europe/Amsterdam', offset: 1, lat: 52.37, lon: 4.9 },
  { code: 'LON2', name: 'London DC 2', city: 'London', country: 'GB', tz: 'Europe/London', offset: 0, lat: 51.51, lon: -0.13 },
  { code: 'IAD1', name: 'Ashburn DC 1', city: 'Ashburn', country: 'US', tz: 'America/New_York', offset: -5, lat: 39.04, lon: -77.49 },
  { code: 'DFW1', name: 'Dallas DC 1', city: 'Dallas', country: 'US', tz: 'America/Chicago', offset: -6, lat: 32.78, lon: -96.8 },
  { code: 'SJC1', name: 'San Jose DC 1', city: 'San Jose', country: 'US', tz: 'America/Los_Angeles', offset: -8, lat: 37.34, lon: -121.89 },
  { code: 'SIN1', name: 'Singapore DC 1', city: 'Singapore', country: 'SG', tz: 'Asia/Singapore', offset: 8, lat: 1.35, lon: 103.82 },
  { code: 'NRT1', name: 'Tokyo DC 1', city: 'Tokyo', country: 'JP', tz: 'Asia/Tokyo', offset: 9, lat: 35.68, lon: 139.69 },
  { code: 'SYD1', name: 'Sydney DC 1', city: 'Sydney', country: 'AU', tz: 'Australia/Sydney', offset: 10, lat: -33.87, lon: 151.21 },
];

export const DEMO_MODELS: BatteryModel[] = [
  {
    model_id: 1,
    manufacturer: 'Voltaris',
    model_name: 'VX12-190 VRLA',
    chemistry: 'VRLA AGM',
    nominal_voltage_v: 12,
    capacity_ah: 190,
    cells: 6,
    float_voltage_v: 13.62,
    nominal_resistance_mohm: 3.2,
    design_life_years: 10,
  },
  {
    model_id: 2,
    manufacturer: 'Ferrum Cells',
    model_name: 'OPzV 2-1000',
    chemistry: 'OPzV gel',
    nominal_voltage_v: 2,
    capacity_ah: 1000,
    cells: 1,
    float_voltage_v: 2.25,
    nominal_resistance_mohm: 0.42,
    design_life_years: 18,
  },
];

/** The demo's serial numbers (`VX07-000123`, `FC07-002001`): the live feed writes only into a fleet of these. */
export const DEMO_SERIAL_PATTERN = '^(VX|FC)[0-9]{2}-[0-9]{6}$';

/** The room every demo site keeps its battery systems in: one room per site, watched by DEMO_ROOM_SENSORS. */
export const DEMO_BATTERY_ROOM = 'Battery room';

/** One temperature and one humidity sensor in each site's battery room (sensor_id = (location_id - 1) * 2 + 1, + 2). */
export function demoSensors(locations: readonly Pick<Location, 'location_id'>[]): EnvironmentalSensor[] {
  return locations.flatMap((l) =>
    DEMO_ROOM_SENSORS.map((s, i) => ({
      sensor_id: (l.location_id - 1) * DEMO_ROOM_SENSORS.length + i + 1,
      location_id: l.location_id,
      room: DEMO_BATTERY_ROOM,
      ...s,
    })),
  );
}

/** Mulberry32: a tiny seeded PRNG, enough for master data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function buildDemoFleet(scale: DemoScale, seed: number, start: Date): DemoFleet {
  const rnd = seededRandom(seed);
  const locations: Location[] = [];
  const systems: BatterySystem[] = [];
  const strings: BatteryString[] = [];
  const batteries: Battery[] = [];
  const utcOffsetHours = new Map<number, number>();
  for (let s = 0; s < scale.sites; s++) {
    const site = SITES[s % SITES.length];
    const locationId = s + 1;
    locations.push({
      location_id: locationId,
      code: site.code,
      name: site.name,
      city: site.city,
      country: site.country,
      time_zone: site.tz,
      latitude: site.lat,
      longitude: site.lon,
    });
    utcOffsetHours.set(locationId, site.offset);
    const kinds: { type: 'ups' | 'rectifier'; strings: number }[] = [
      ...scale.layout.upsStrings.map((n) => ({ type: 'ups' as const, strings: n })),
      ...scale.layout.rectifierStrings.map((n) => ({ type: 'rectifier' as const, strings: n })),
    ];
    let upsNo = 0;
    let rectNo = 0;
    for (const k of kinds) {
      const systemId = systems.length + 1;
      const no = k.type === 'ups' ? ++upsNo : ++rectNo;
      const commissioned = start.getTime() - Math.floor((1 + rnd() * 5) * 365) * 86_400_000;
      systems.push({
        system_id: systemId,
        location_id: locationId,
        name: `${site.code} ${k.type === 'ups' ? 'UPS' : 'Rectifier'} ${String.fromCharCode(64 + no)}`,
        system_type: k.type,
        rated_power_kw: k.type === 'ups' ? 400 + Math.round(rnd() * 4) * 100 : 60 + Math.round(rnd() * 6) * 10,
        commissioned_on: isoDate(commissioned),
      });
      const modelId = k.type === 'ups' ? 1 : 2;
      for (let n = 1; n <= k.strings; n++) {
        const stringId = strings.length + 1;
        strings.push({ string_id: stringId, system_id: systemId, string_no: n, jar_count: scale.jarsPerString, model_id: modelId });
        // Each string was (re)installed between commissioning and a year before the data starts.
        const installed = commissioned + Math.floor(rnd() * Math.max(1, (start.getTime() - commissioned) / 86_400_000 - 365)) * 86_400_000;
        for (let p = 1; p <= scale.jarsPerString; p++) {
          const batteryId = batteries.length + 1;
          batteries.push({
            battery_id: batteryId,
            string_id: stringId,
            position: p,
            serial_no: `${modelId === 1 ? 'VX' : 'FC'}${(seed % 100).toString().padStart(2, '0')}-${batteryId.toString().padStart(6, '0')}`,
            model_id: modelId,
            installed_on: isoDate(installed),
          });
        }
      }
    }
  }
  const size = fleetSize(scale);
  if (batteries.length !== size.jars) throw new Error(`Demo fleet has ${batteries.length} jars, expected ${size.jars}`);
  return {
    locations,
    models: DEMO_MODELS.map((m) => ({ ...m })),
    systems,
    strings,
    batteries,
    sensors: demoSensors(locations),
    utcOffsetHours,
  };
}
