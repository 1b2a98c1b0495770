import { describe, expect, it } from 'vitest';
import type { ChartData } from '../../../shared/api/chart';
import { ssrDrawn } from '../../lib/echarts/ssrDrawn';
import type { ChartOption } from '../../lib/echarts/registry';
import { chartOption, rightAxisColumns } from './chartOption';

const hostile = '<img src=x onerror=alert(1)>';

function data(patch: Partial<ChartData>): ChartData {
  return {
    type: 'line',
    xKind: 'number',
    yKind: 'number',
    yColumns: ['v'],
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
            y: 0,
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
            y: 0,
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
            y: 0,
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
            y: 0,
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
            y: 0,
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

  it('labels a time tick with its hour when the tick falls within a day, as the dashboards do', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const option = chartOption(
      data({ xKind: 'time', range: { from: t0, to: t0 + 3 * 86_400_000 }, series: [{ name: 'v', y: 0, points: [[t0, 1]] }] }),
      'hour',
      'v',
    );
    type Formatter = (v: number, i: number, extra?: { time?: { lowerTimeUnit?: string } }) => string;
    const label = (option.xAxis as { axisLabel: { formatter: Formatter } }).axisLabel.formatter;
    // ECharts places ticks every 12 hours over 3 days: '03 Jan' twice would say nothing of which half.
    expect(label(t0 + 2.5 * 86_400_000, 0, { time: { lowerTimeUnit: 'half-day' } })).toBe('03 Jan 12:00');
    expect(label(t0 + 2 * 86_400_000, 0, { time: { lowerTimeUnit: 'day' } })).toBe('03 Jan');
  });

  describe('a second y axis', () => {
    /** One series per column, its values spread evenly over [lo, hi] at x = 0..4. */
    function columns(type: ChartData['type'], ...extents: [string, number, number][]): ChartData {
      return data({
        type,
        yColumns: extents.map((e) => e[0]),
        series: extents.map(([name, lo, hi], y) => ({ name, y, points: [0, 1, 2, 3, 4].map((x) => [x, lo + ((hi - lo) * x) / 4]) })),
      });
    }
    const rightOf = (d: ChartData) => [...rightAxisColumns(d)].map((i) => d.yColumns[i]);

    it('takes the columns one axis would flatten, the first column keeping the left axis', () => {
      // A day's row count over its mean voltage: on one axis the voltage is a line on the floor.
      expect(rightOf(columns('line', ['rows', 38_000, 42_000], ['mean_v', 12.8, 13.4]))).toEqual(['mean_v']);
      expect(rightOf(columns('line', ['mean_v', 12.8, 13.4], ['rows', 38_000, 42_000]))).toEqual(['rows']);
      // Three columns: the cut goes where the scales part, not after the first column.
      expect(rightOf(columns('scatter', ['min_v', 12, 13], ['rows', 38_000, 42_000], ['max_v', 13, 14.5]))).toEqual(['rows']);
      // Bars stand on 0: a sum of 40,000 and one of 13 need two axes, two sums of 30,000 and 40,000 do not.
      expect(rightOf(columns('bar', ['n', 0, 40_000], ['v', 0, 13]))).toEqual(['v']);
      expect(rightOf(columns('bar', ['a', 25_000, 30_000], ['b', 35_000, 40_000]))).toEqual([]);
    });

    it('keeps one axis when every column fills a fifth of it, for one column, and for counts', () => {
      expect(rightOf(columns('line', ['min_v', 12, 13.2], ['max_v', 12.9, 14.4]))).toEqual([]);
      expect(rightOf(columns('line', ['v', 0, 1e9]))).toEqual([]);
      // A column of one value is flat on any axis: it asks for none of its own (it may still flatten another).
      expect(rightOf(columns('line', ['n', 13, 13], ['v', 12, 14]))).toEqual([]);
      expect(rightOf(columns('line', ['n', 40_000, 40_000], ['v', 12, 14]))).toEqual(['v']);
      expect(rightOf(columns('histogram', ['rows', 0, 10]))).toEqual([]);
    });

    it('draws the right columns against a right-hand axis named by them, only when asked', () => {
      const d = columns('line', ['rows', 38_000, 42_000], ['mean_v', 12.8, 13.4]);
      const split = chartOption(d, 'day', 'rows, mean_v', rightAxisColumns(d));
      const axes = split.yAxis as { name: string; position?: string }[];
      expect(axes.map((a) => [a.name, a.position ?? 'left'])).toEqual([
        ['rows', 'left'],
        ['mean_v', 'right'],
      ]);
      expect((split.series as { yAxisIndex: number }[]).map((s) => s.yAxisIndex)).toEqual([0, 1]);
      expect(ssrDrawn(split as ChartOption).axes.filter((a) => a.axis.startsWith('yAxis'))).toHaveLength(2);

      const one = chartOption(d, 'day', 'rows, mean_v');
      expect(Array.isArray(one.yAxis)).toBe(false);
      expect((one.yAxis as { name: string }).name).toBe('rows, mean_v');
    });
  });
});
