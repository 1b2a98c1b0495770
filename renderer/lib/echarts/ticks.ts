/**
 * A value axis's tick label with the precision the visible range needs. ECharts picks "nice" ticks (1, 2 or 5 ×
 * 10^k apart) for whatever range is shown, zoomed or not; the label shows each tick exactly, without float noise
 * (0.30000000000000004 → 0.3) or trailing zeros, so a 10 mV range reads 13.642, 13.644, … and never 13.64 five times.
 */
export function tickLabel(value: number): string {
  if (!Number.isFinite(value)) return '';
  // 12 significant digits drop binary noise; at most 9 decimals cover any tick a chart of sensor values shows.
  const exact = Number(value.toPrecision(12));
  const text = Math.abs(exact) >= 1e-9 ? exact.toFixed(9).replace(/\.?0+$/, '') : '0';
  return text === '-0' ? '0' : text;
}

/** A unit an axis can show its values in: `factor` base units (bytes, ms) make one. */
export interface AxisUnit {
  unit: string;
  factor: number;
}

/** Bytes in the binary units formatBytes uses (1 KB = 1024 B). */
export const BYTE_UNITS: readonly AxisUnit[] = ['B', 'KB', 'MB', 'GB', 'TB'].map((unit, i) => ({ unit, factor: 1024 ** i }));

/** Milliseconds up to hours. */
export const DURATION_UNITS: readonly AxisUnit[] = [
  { unit: 'ms', factor: 1 },
  { unit: 's', factor: 1000 },
  { unit: 'min', factor: 60_000 },
  { unit: 'h', factor: 3_600_000 },
];

/** The unit for an axis showing these values: the largest that keeps the largest |value| at 1 or more. */
export function axisUnit(values: Iterable<number | null | undefined>, units: readonly AxisUnit[]): AxisUnit {
  let max = 0;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  let pick = units[0];
  for (const u of units) if (max >= u.factor) pick = u;
  return pick;
}

/**
 * A value axis whose whole range is in one unit: the series carry values already divided by `unit.factor`
 * (inUnit), so ECharts picks nice ticks in that unit and tickLabel shows each exactly (1.1, 1.2 MB, never
 * "1 MB" twice as a per-tick unit formatter rounding to fixed digits would); the unit stays in the axis name.
 */
export function unitValueAxis(name: string, unit: AxisUnit) {
  return { type: 'value' as const, name: `${name} (${unit.unit})`, axisLabel: { formatter: tickLabel } };
}

/** Values in an axis unit (nulls stay null). */
export function inUnit(values: readonly (number | null)[], unit: AxisUnit): (number | null)[] {
  return values.map((v) => (v === null ? null : v / unit.factor));
}
