import { describe, expect, it } from 'vitest';
import type { FeatureDrift } from '../../../shared/api/features';
import { driftOption } from './driftOption';

const DRIFT: FeatureDrift = {
  set: 'jar_daily_stats',
  version: 2,
  reference: { from: '2026-01-05', to: '2026-01-19' },
  threshold: 0.25,
  bins: 10,
  columns: [
    {
      name: '<img src=x onerror=alert(1)>',
      unit: 'V',
      weeks: [
        { week: '2026-01-05', rows: 7, psi: 0 },
        { week: '2026-01-12', rows: 7, psi: 0.01 },
        { week: '2026-01-26', rows: 7, psi: 0.4 },
      ],
      maxPsi: 0.4,
      shiftedWeeks: ['2026-01-26'],
    },
    { name: 'readings', unit: null, weeks: [{ week: '2026-01-19', rows: 7, psi: null }], maxPsi: null, shiftedWeeks: [] },
  ],
};

describe('driftOption', () => {
  it('draws one line per column over every week, with gaps, the alarm line and the reference shaded', () => {
    const o = driftOption(DRIFT) as unknown as {
      xAxis: { data: string[] };
      series: {
        name: string;
        data: (number | null)[];
        markLine?: { data: { yAxis: number }[]; label: { position: string } };
        markArea?: { data: unknown };
      }[];
      tooltip: { formatter: (p: unknown) => string };
    };
    expect(o.xAxis.data).toEqual(['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26']);
    expect(o.series.map((s) => s.name)).toEqual(['<img src=x onerror=alert(1)> [V]', 'readings']);
    expect(o.series[0]!.data).toEqual([0, 0.01, null, 0.4]);
    expect(o.series[1]!.data).toEqual([null, null, null, null]);
    expect(o.series[0]!.markLine?.data).toEqual([{ yAxis: 0.25, name: 'shifted at 0.25' }]);
    expect(o.series[0]!.markLine?.label.position).toBe('insideEndTop');
    expect(o.series[0]!.markArea?.data).toEqual([[{ xAxis: '2026-01-05' }, { xAxis: '2026-01-12' }]]);
    // The tooltip escapes the column name taken from a stored definition.
    const html = o.tooltip.formatter([{ seriesName: DRIFT.columns[0]!.name, value: 0.4, dataIndex: 3, name: '2026-01-26' }]);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('0.400');
    expect(html).toContain('Week of 2026-01-26');
  });
});
