import { describe, expect, it } from 'vitest';
import type { ChartData } from '../../../shared/api/chart';
import { ssrDrawn } from '../../lib/echarts/ssrDrawn';
import type { ChartOption } from '../../lib/echarts/registry';
import { chartOption } from './chartOption';

const hostile = '<img src=x onerror=alert(1)>';

function data(patch: Partial<ChartData>): ChartData {
  return {
    type: 'line',
    xKind: 'number',
    yKind: 'number',
    series: [],
    categories: [],
    range: { from: 0, to: 10 },
    extent: { from: 0, to: 10 },
    rows: 11,
    points: 0,
    bucket: 1,
    yBucket: 0,
    note: null,
    method: 'test',
    ...patch,
  };
}

function tooltipText(option: ReturnType<typeof chartOption>, param: unknown): string {
  const tooltip = option.tooltip as { formatter: (p: unknown) => string };
  return tooltip.formatter(param);
}

describe('result chart options', () => {
  it('draws every type, with data text escaped in tooltips', () => {
    const line = chartOption(
      data({
        series: [
          {
            name: hostile,
            points: [
              [0, 1],
              [5, 2],
              [10, 3],
            ],
          },
        ],
      }),
      hostile,
      'v',
    );
    expect(ssrDrawn(line as ChartOption).marks).toBe(3);
    const text = tooltipText(line, [{ seriesName: hostile, value: [5, 2] }]);
    expect(text).not.toContain('<img');
    expect(text).toContain('&lt;img');

    const bar = chartOption(
      data({
        type: 'bar',
        categories: [hostile, 'b'],
        series: [
          {
            name: 'n',
            points: [
              [0, 4],
              [1, 2],
            ],
          },
        ],
      }),
      'c',
      'n',
    );
    expect(ssrDrawn(bar as ChartOption).marks).toBe(2);
    expect(tooltipText(bar, [{ seriesName: 'n', value: [0, 4] }])).toBe('<b>&lt;img src=x onerror=alert(1)&gt;</b><br/>n: 4');

    const hist = chartOption(
      data({
        type: 'histogram',
        series: [
          {
            name: 'rows',
            points: [
              [0, 3],
              [5, 8],
            ],
          },
        ],
        bucket: 5,
      }),
      'v',
      '',
    );
    expect(ssrDrawn(hist as ChartOption).marks).toBe(2);

    const heat = chartOption(
      data({
        type: 'heatmap',
        series: [
          {
            name: 'rows',
            points: [
              [0, 0, 2],
              [5, 0, 1],
              [0, 3, 7],
            ],
          },
        ],
        bucket: 5,
        yBucket: 3,
      }),
      hostile,
      'y',
    );
    const heatText = tooltipText(heat, { value: [0, 1, 7] });
    expect(heatText).toContain('rows: 7');
    expect(heatText).not.toContain('<img');
  });

  it('shows times on a time axis in UTC', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const line = chartOption(
      data({
        xKind: 'time',
        range: { from: t0, to: t0 + 86_400_000 },
        series: [
          {
            name: 'v',
            points: [
              [t0, 1],
              [t0 + 3_600_000, 2],
            ],
          },
        ],
      }),
      'ts',
      'v',
    );
    expect(tooltipText(line, [{ seriesName: 'v', value: [t0 + 3_600_000, 2] }])).toBe('<b>01 Jan 2024, 01:00</b><br/>v: 2');
  });
});
