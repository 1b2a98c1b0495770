import type { HealthClass } from '../../../shared/domain/health';

/** Health colours: the same in charts, badges and the legend (readable on light and dark). */
export const HEALTH_COLORS: Readonly<Record<HealthClass, string>> = {
  healthy: '#2da44e',
  watch: '#d4a72c',
  degraded: '#e16f24',
  replace: '#cf222e',
  unknown: '#8c959f',
};

export const SEVERITY_COLORS: Readonly<Record<string, string>> = { critical: '#cf222e', warning: '#d4a72c' };

/** Series colours for strings and jars. */
export const SERIES_COLORS = [
  '#2f6fdb',
  '#2da44e',
  '#e16f24',
  '#8250df',
  '#0aa3a3',
  '#cf222e',
  '#bf8700',
  '#6e7781',
  '#d63384',
  '#1a7f37',
  '#953800',
];
