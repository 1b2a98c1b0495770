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
