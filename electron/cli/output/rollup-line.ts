import type { RollupWait } from '../../../shared/api/dashboard';
import { formatDuration } from '../../../shared/format';
import { visibleControls } from './cell-text';

/** The report line of a job that waited for the gold rollups (none when it did not wait). */
export function rollupLines(report: Partial<RollupWait>): string[] {
  if (report.rollupMs === undefined) return [];
  const took = formatDuration(report.rollupMs);
  if (report.rollupError !== undefined) {
    return [`  rollups: the refresh failed after ${took}: ${visibleControls(report.rollupError)} (dashboards say they are not built)`];
  }
  return [`  rollups: current (waited ${took} for the refresh)`];
}
