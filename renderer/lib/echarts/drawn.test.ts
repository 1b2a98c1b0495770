import { describe, expect, it } from 'vitest';
import { duplicateLabels } from './drawn';
import { ssrDrawn } from './ssrDrawn';
import { BYTE_UNITS, DURATION_UNITS, axisUnit, inUnit, tickLabel, unitValueAxis } from './ticks';

const MB = 1024 * 1024;

describe('axes in one unit', () => {
  it('picks the largest unit that keeps the largest value at 1 or more', () => {
    expect(axisUnit([1.1 * MB, 1.2 * MB], BYTE_UNITS).unit).toBe('MB');
    expect(axisUnit([512, null, 900], BYTE_UNITS).unit).toBe('B');
    expect(axisUnit([3 * 1024 ** 3], BYTE_UNITS).unit).toBe('GB');
    expect(axisUnit([1.2, 1.9], DURATION_UNITS).unit).toBe('ms');
    expect(axisUnit([90_000], DURATION_UNITS).unit).toBe('min');
    expect(axisUnit([], DURATION_UNITS).unit).toBe('ms');
    expect(inUnit([1.5 * MB, null], BYTE_UNITS[2])).toEqual([1.5, null]);
  });

  it('gives 1.1 MB and 1.2 MB (and every tick between) their own labels, the unit in the axis name', () => {
    const unit = axisUnit([1.1 * MB, 1.2 * MB], BYTE_UNITS);
    const drawn = ssrDrawn({
      xAxis: { type: 'category', data: ['a', 'b'] },
      yAxis: { ...unitValueAxis('Size', unit), scale: true },
      series: [{ type: 'bar', data: inUnit([1.1 * MB, 1.2 * MB], unit) }],
    });
    const y = drawn.axes.find((a) => a.axis === 'yAxis[0]');
    expect(y?.name).toBe('Size (MB)');
    expect(y?.labels.length).toBeGreaterThan(2);
    expect(y?.labels).toContain('1.1');
    expect(y?.labels).toContain('1.2');
    expect(duplicateLabels(y ?? { axis: '', type: '', name: '', labels: [] })).toEqual([]);
    expect(drawn.marks).toBe(2);
  });

  it('keeps a narrow range readable on a wide one too (no float noise)', () => {
    const drawn = ssrDrawn({
      xAxis: { type: 'value', scale: true, axisLabel: { formatter: tickLabel } },
      yAxis: { type: 'value', axisLabel: { formatter: tickLabel } },
      series: [
        {
          type: 'line',
          data: [
            [13.6405, 0],
            [13.6495, 1000],
          ],
        },
      ],
    });
    for (const axis of drawn.axes) {
      expect(duplicateLabels(axis), axis.axis).toEqual([]);
      for (const l of axis.labels) expect(l).toMatch(/^-?\d+(\.\d{1,9})?$/);
    }
    expect(drawn.marks).toBe(2);
  });
});
