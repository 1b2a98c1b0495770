import { describe, expect, it } from 'vitest';
import type { PanelCell } from '../../../shared/api/dashboard';
import type { ChartOption } from '../../lib/echarts/registry';
import { ssrDrawn, ssrSvg } from '../../lib/echarts/ssrDrawn';
import './chartParts';
import { sohTrendOption } from './SohPanels';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const range = { zone: 'UTC', fromMs: T0, toMs: T0 + 15 * DAY };

/** 14 daily rows: flat at 100 % to day 6, then falling 1 point a day; the knee on day 6 when `knee`. */
function rows(knee: boolean): Record<string, PanelCell>[] {
  return Array.from({ length: 14 }, (_, d) => ({
    day: T0 + d * DAY,
    soh_resistance_day_pct: d <= 6 ? 100 : 100 - (d - 6),
    knee_day: knee ? T0 + 6 * DAY : null,
  }));
}

describe('the SoH trend chart', () => {
  it('draws every day and marks the knee with a line and a point on the curve, labelled by its date', () => {
    const option = sohTrendOption(rows(true), range) as ChartOption;
    const drawn = ssrDrawn(option);
    expect(drawn.marks).toBe(14);
    expect(drawn.markers).toEqual(['knee 2024-01-07', 'knee 2024-01-07']);
    expect(ssrSvg(option)).toContain('knee 2024-01-07');
  });

  it('marks nothing when there is no knee, and skips the row of a jar without readings', () => {
    expect(ssrDrawn(sohTrendOption(rows(false), range) as ChartOption).markers).toEqual([]);
    const none = ssrDrawn(sohTrendOption([{ day: null, soh_resistance_day_pct: null, knee_day: null }], range) as ChartOption);
    expect(none).toMatchObject({ marks: 0, markers: [] });
  });
});
