import { describe, expect, it } from 'vitest';
import type { PanelData } from '../../../shared/api/dashboard';
import { markersOf } from './markers';

const panel = (columns: string[], rows: (string | number | null)[][]): PanelData =>
  ({ panel: 'scope.events', columns, rows, sql: '', exportSql: '', source: '', elapsedMs: 0, bucketMs: 0 }) as unknown as PanelData;

describe('chart markers', () => {
  it('labels a capacity test with its text alone, maintenance with its type, and skips alerts raised before the range', () => {
    const events = panel(
      ['kind', 'type', 'started_at', 'ended_at', 'text'],
      [
        ['capacity_test', 'pass', 1_000, 5_000, 'Capacity test: 107.9 % (pass), 19.00 A discharge'],
        ['maintenance', 'retorque', 2_000, null, 'Terminals retorqued'],
      ],
    );
    const alerts = panel(
      ['raised_at', 'severity', 'alert_type', 'message'],
      [
        [500, 'critical', 'resistance_high', 'before the range'],
        [3_000, 'warning', 'voltage_low', 'Jar 4 at 1.98 V'],
      ],
    );
    expect(markersOf(alerts, events, 1_000)).toEqual([
      { kind: 'alert', atMs: 3_000, label: 'warning voltage_low: Jar 4 at 1.98 V', severity: 'warning' },
      { kind: 'capacity_test', atMs: 1_000, toMs: 5_000, label: 'Capacity test: 107.9 % (pass), 19.00 A discharge' },
      { kind: 'maintenance', atMs: 2_000, toMs: null, label: 'retorque: Terminals retorqued' },
    ]);
  });
});
