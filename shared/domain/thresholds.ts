/** Alert thresholds of the monitoring system. Pure; the demo raises and clears alerts with them. */

/** Resistance above nominal x factor raises an alert. */
export const RESISTANCE_WARNING_FACTOR = 1.3;
export const RESISTANCE_CRITICAL_FACTOR = 1.5;
/** Jar temperature (C) above which an alert is raised. */
export const TEMPERATURE_WARNING_C = 35;
/** Jar voltage below float x factor (outside capacity tests) raises an alert. */
export const VOLTAGE_LOW_FACTOR = 0.97;
/** End of life: resistance at the critical factor. RUL counts the days until then. */
export const END_OF_LIFE_FACTOR = RESISTANCE_CRITICAL_FACTOR;
