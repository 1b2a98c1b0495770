import { describe, expect, it } from 'vitest';
import { healthClass, healthCaseSql, thresholdsProblem, DEFAULT_HEALTH_THRESHOLDS } from '../../../shared/domain/health';
import { resolveRange, parseSettings } from './timeRange';
import { fromLocalInput, toLocalInput } from './timeFormat';
import { seriesOption } from './seriesOption';
import { zoomWindow } from './TimeChart';
import { duplicateLabels } from '../../lib/echarts/drawn';
import type { ChartOption } from '../../lib/echarts/registry';
import { ssrDrawn, ssrSvg, svgTextBox } from '../../lib/echarts/ssrDrawn';
import './chartParts';

/** A one-series voltage chart over two readings, its series named `name`. */
function voltageChart(first: number, second: number, name: string): ReturnType<typeof seriesOption> {
  return seriesOption({
    rows: [
      [1, 1000, first],
      [1, 2000, second],
    ],
    nameOf: () => name,
    quantity: 'Voltage',
    unit: 'V',
    digits: 2,
    zone: 'UTC',
    fromMs: 0,
    toMs: 3000,
  });
}

describe('dashboard model', () => {
  it('anchors presets at the newest reading when data stops before now', () => {
    const now = Date.parse('2024-06-10T12:00:00Z');
    const dataTo = Date.parse('2024-06-01T08:03:00Z');
    const r = resolveRange({ kind: 'preset', preset: '24h' }, now, dataTo);
    expect(r.toMs).toBe(Date.parse('2024-06-01T08:05:00Z'));
    expect(r.toMs - r.fromMs).toBe(86_400_000);
    expect(resolveRange({ kind: 'preset', preset: '7d' }, now, null).toMs).toBe(now);
    expect(parseSettings({ range: { kind: 'custom', fromMs: 5, toMs: 1 } })).toBeNull();
  });

  it('round-trips wall-clock input in a site zone, across DST', () => {
    for (const iso of ['2024-03-31T00:30:00Z', '2024-07-01T12:00:00Z', '2024-10-27T02:15:00Z']) {
      const ms = Date.parse(iso);
      expect(fromLocalInput(toLocalInput(ms, 'Europe/Berlin'), 'Europe/Berlin')).toBe(ms);
    }
    expect(toLocalInput(Date.parse('2024-07-01T12:00:00Z'), 'Asia/Tokyo')).toBe('2024-07-01T21:00');
  });

  it('classifies drift, in TypeScript and as SQL, and rejects unordered thresholds', () => {
    expect(healthClass(5)).toBe('healthy');
    expect(healthClass(15)).toBe('watch');
    expect(healthClass(20)).toBe('degraded');
    expect(healthClass(75)).toBe('replace');
    expect(healthClass(null)).toBe('unknown');
    expect(healthCaseSql('d', DEFAULT_HEALTH_THRESHOLDS)).toContain('>= 50');
    expect(thresholdsProblem({ watchPct: 20, degradedPct: 10, replacePct: 50, baselineDays: 7 })).toMatch(/rise/);
  });

  it('escapes data in series tooltips and reads drag-to-zoom windows', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const option = voltageChart(2, 3, hostile);
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    const html = tooltip.formatter([{ seriesName: hostile, value: [1000, 2] }]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(zoomWindow({ batch: [{ startValue: 1000.4, endValue: 5000.2 }] })).toEqual({ fromMs: 1000, toMs: 5001 });
    expect(zoomWindow({ batch: [{ start: 10, end: 20 }] })).toBeNull();
  });

  it('labels a narrow value axis with the precision its ticks need (a 10 mV range never reads 13.65 five times)', () => {
    const option = voltageChart(13.641, 13.649, 'Jar 5');
    const y = option.yAxis as { name: string; axisLabel: { formatter: (v: number) => string } };
    const labels = [13.642, 13.644, 13.646, 13.648, 13.65].map((v) => y.axisLabel.formatter(v));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toEqual(['13.642', '13.644', '13.646', '13.648', '13.65']);
    // The unit stays in the axis name.
    expect(y.name).toBe('Voltage (V)');
  });

  it('never repeats a time-axis label, whatever the range and the site zone', () => {
    const end = Date.parse('2026-12-02T05:12:00Z');
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo']) {
      for (const hours of [6, 24, 48, 7 * 24, 30 * 24, 90 * 24, 400 * 24]) {
        const fromMs = end - hours * 3_600_000;
        const option = seriesOption({
          rows: [
            [1, fromMs, 13.64],
            [1, end, 13.65],
          ],
          nameOf: () => 'J1',
          quantity: 'Voltage',
          unit: 'V',
          digits: 2,
          zone,
          fromMs,
          toMs: end,
        });
        const drawn = ssrDrawn(option as ChartOption, { width: 560, height: 280 });
        for (const axis of drawn.axes) {
          expect(duplicateLabels(axis), `${zone} ${hours} h ${axis.axis}: ${axis.labels.join(' | ')}`).toEqual([]);
        }
        expect(drawn.marks).toBe(2);
      }
    }
  });
});

describe('series chart layout', () => {
  it('keeps the value axis name clear of the legend when several series are drawn', () => {
    const option = seriesOption({
      rows: [
        [1, 0, 330.1],
        [1, 3_600_000, 330.4],
        [2, 0, 54.1],
        [2, 3_600_000, 54.2],
      ],
      nameOf: (k) => `FRA1 UPS A · S${String(k)}`,
      quantity: 'Voltage',
      unit: 'V',
      digits: 2,
      zone: 'UTC',
      fromMs: 0,
      toMs: 3_600_000,
    });
    const svg = ssrSvg(option as ChartOption, { width: 480, height: 260 });
    const name = svgTextBox(svg, 'Voltage (V)');
    for (const legend of ['FRA1 UPS A · S1', 'FRA1 UPS A · S2']) {
      const box = svgTextBox(svg, legend);
      expect(box[1] <= name[0] || box[0] >= name[1], `${legend} ${box.join('–')} overlaps the axis name ${name.join('–')}`).toBe(true);
    }
  });

  it('puts a second quantity on its own right axis, with its own unit in the tooltip (ambient: temperature and humidity)', () => {
    const option = seriesOption({
      rows: [
        [3, 0, 23.4, 'Battery room temperature'],
        [3, 3_600_000, 23.9, 'Battery room temperature'],
        [4, 0, 44.25, 'Battery room humidity'],
        [4, 3_600_000, 43.5, 'Battery room humidity'],
      ],
      nameOf: (_k, row) => String(row[3]),
      quantity: 'Temperature',
      unit: '°C',
      digits: 1,
      zone: 'UTC',
      fromMs: 0,
      toMs: 3_600_000,
      right: { keys: new Set(['4']), quantity: 'Humidity', unit: '%RH', digits: 1 },
    });
    const series = option.series as { name: string; yAxisIndex?: number }[];
    expect(series.map((s) => [s.name, s.yAxisIndex ?? 0])).toEqual([
      ['Battery room temperature', 0],
      ['Battery room humidity', 1],
    ]);
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    const html = tooltip.formatter([
      { seriesName: 'Battery room temperature', seriesIndex: 0, value: [0, 23.4] },
      { seriesName: 'Battery room humidity', seriesIndex: 1, value: [0, 44.25] },
    ]);
    expect(html).toContain('23.4 °C');
    expect(html).toContain('44.3 %RH');
    const svg = ssrSvg(option as ChartOption, { width: 480, height: 260 });
    // Both axes are named, each clear of the legend.
    for (const axis of ['Temperature (°C)', 'Humidity (%RH)']) {
      const name = svgTextBox(svg, axis);
      for (const legend of ['Battery room temperature', 'Battery room humidity']) {
        const box = svgTextBox(svg, legend);
        expect(box[1] <= name[0] || box[0] >= name[1], `${legend} overlaps ${axis}`).toBe(true);
      }
    }
  });
});
