import { describe, expect, it } from 'vitest';
import { tickLabel } from './ticks';

/** Ticks as ECharts places them: multiples of a nice step from the first one at or above `min`. */
function ticks(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step / 1e6; v += step) out.push(v);
  return out;
}

describe('tickLabel', () => {
  it('gives every tick of a narrow range its own label (a 10 mV voltage range)', () => {
    const labels = ticks(13.6405, 13.6495, 0.002).map(tickLabel);
    expect(labels).toEqual(['13.642', '13.644', '13.646', '13.648']);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('shows wide ranges without decimals and tiny ones with as many as they need', () => {
    expect(ticks(0, 1000, 200).map(tickLabel)).toEqual(['0', '200', '400', '600', '800', '1000']);
    expect(ticks(0.0001, 0.0005, 0.0001).map(tickLabel)).toEqual(['0.0001', '0.0002', '0.0003', '0.0004', '0.0005']);
    expect(ticks(-1, 1, 0.5).map(tickLabel)).toEqual(['-1', '-0.5', '0', '0.5', '1']);
  });

  it('drops float noise and trailing zeros', () => {
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
    expect(tickLabel(2.5)).toBe('2.5');
    expect(tickLabel(-0)).toBe('0');
    expect(tickLabel(1e-12)).toBe('0');
    expect(tickLabel(Number.NaN)).toBe('');
  });
});
