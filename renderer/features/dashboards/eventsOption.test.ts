import { describe, expect, it } from 'vitest';
import { durationText, scoreText, timelineOption, zScoreOption } from './eventsOption';

const range = { zone: 'UTC', fromMs: 0, toMs: 86_400_000 };

describe('event and anomaly charts', () => {
  it('the timeline draws each period in its lane from start to end, apart from the next', () => {
    const o = timelineOption(
      [
        { kind: 'float', start: 0, end: 3_600_000, duration_s: 3600 },
        { kind: 'discharge', start: 3_600_000, end: 4_200_000, duration_s: 600, ah: 12.5, depth_pct: 12.5, min_voltage_v: 50.1 },
        { kind: 'float', start: 7_200_000, end: 8_000_000, duration_s: 800 },
      ],
      range,
    ) as unknown as {
      series: { name: string; data: unknown[]; tooltip: { formatter: (p: unknown) => string } }[];
      yAxis: { data: string[] };
    };
    expect(o.yAxis.data).toEqual(['rest', 'float', 'discharge', 'charge']);
    const float = o.series.find((s) => s.name === 'Float');
    expect(float?.data).toEqual([[0, 'float'], [3_600_000, 'float'], '-', [7_200_000, 'float'], [8_000_000, 'float'], '-']);
    const discharge = o.series.find((s) => s.name === 'Discharge');
    const tip = discharge?.tooltip.formatter({ dataIndex: 1 }) ?? '';
    expect(tip).toContain('Duration: 10 min');
    expect(tip).toContain('Minimum voltage: 50.10 V');
  });

  it('the z-score chart marks the threshold both ways and keeps it in view', () => {
    const rows = [
      { metric: 'voltage', ts: 0, z: 1.2, z_threshold: 4 },
      { metric: 'voltage', ts: 3_600_000, z: -0.5, z_threshold: 4 },
      { metric: 'temperature', ts: 0, z: 0.3, z_threshold: 4 },
    ];
    const o = zScoreOption(rows, range) as unknown as {
      series: { name: string; markLine?: { data: { yAxis: number }[] } }[];
      yAxis: { min: number; max: number };
    };
    expect(o.series.map((s) => s.name)).toEqual(['Voltage', 'Temperature']);
    expect(o.series[0].markLine?.data).toEqual([
      { yAxis: 4, name: '|z| ≥ 4' },
      { yAxis: -4, name: '-|z| ≥ 4' },
    ]);
    expect(o.yAxis.min).toBeLessThanOrEqual(-4);
    expect(o.yAxis.max).toBeGreaterThanOrEqual(4);
  });

  it('durations and scores read as people say them', () => {
    expect(durationText(600)).toBe('10 min');
    expect(durationText(7500)).toBe('2 h 05 min');
    expect(durationText(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
    expect(durationText(null)).toBe('—');
    expect(scoreText('hotspot', 7.26)).toBe('+7.3 °C');
    expect(scoreText('voltage_outlier', 4.04)).toBe('|z| 4.0');
  });
});
