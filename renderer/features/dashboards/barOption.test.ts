import { describe, expect, it } from 'vitest';
import { duplicateLabels } from '../../lib/echarts/drawn';
import type { ChartOption } from '../../lib/echarts/registry';
import { ssrDrawn } from '../../lib/echarts/ssrDrawn';
import { barOption, MIN_BAR_PX } from './barOption';
import { jarIdText, rulText } from './panelData';

const JARS = Array.from({ length: 12 }, (_, i) => `FRA1 UPS A · S1 · J${i + 1}`);

/** A bar's label text, as ECharts' label formatter gives it. */
function labelOf(option: ReturnType<typeof barOption>, value: number): string {
  const series = (option.series as { label: { formatter: (p: unknown) => string } }[])[0];
  return series.label.formatter({ value });
}

describe('ranked bar charts', () => {
  it('draws jars with no remaining life as labelled minimum bars, not an empty axis', () => {
    const option = barOption({
      categories: JARS,
      horizontal: true,
      valueName: 'Remaining useful life (days)',
      valueText: rulText,
      series: [{ name: 'RUL', values: JARS.map(() => 0) }],
    });
    const drawn = ssrDrawn(option as ChartOption, { width: 640, height: 360 });
    expect(drawn.marks).toBe(12);
    expect(labelOf(option, 0)).toBe('overdue');
    expect(labelOf(option, 3)).toBe('3 d');
    expect(labelOf(option, 0.4)).toBe('0.4 d');
    expect(labelOf(option, 412)).toBe('412 d');
    expect((option.series as { barMinHeight: number }[])[0].barMinHeight).toBe(MIN_BAR_PX);
    for (const axis of drawn.axes) expect(duplicateLabels(axis), axis.axis).toEqual([]);
  });

  it('labels every bar with its value and unit, and keeps value ticks distinct on a narrow range', () => {
    const option = barOption({
      categories: JARS.slice(0, 3),
      horizontal: true,
      valueName: 'Peak jar temperature (°C)',
      digits: 1,
      unit: '°C',
      series: [{ name: 'Peak', values: [36.25, 36.2, 36.1] }],
      details: (i) => [['Jar id', String(i + 40)]],
    });
    expect(labelOf(option, 36.25)).toBe('36.3 °C');
    const drawn = ssrDrawn(option as ChartOption);
    expect(drawn.marks).toBe(3);
    const value = drawn.axes.find((a) => a.type === 'value');
    expect(value?.name).toBe('Peak jar temperature (°C)');
    expect(value && duplicateLabels(value)).toEqual([]);
    // The tooltip names the jar, then its value and id, all as escaped text.
    const tooltip = (option.tooltip as { formatter: (p: unknown) => string }).formatter([
      { seriesName: 'Peak', value: 36.25, dataIndex: 1 },
    ]);
    expect(tooltip).toBe('<b>FRA1 UPS A · S1 · J2</b><br/>Peak: 36.3 °C<br/>Jar id: 41');
  });

  it('keeps counts on whole-number ticks (never "0.5 jars" twice rounded to "1")', () => {
    const option = barOption({ categories: ['a', 'b'], valueName: 'Jars', integer: true, series: [{ name: 'Jars', values: [1, 1] }] });
    const value = ssrDrawn(option as ChartOption).axes.find((a) => a.type === 'value');
    expect(value?.labels.every((l) => /^\d+$/.test(l))).toBe(true);
    expect(value && duplicateLabels(value)).toEqual([]);
    expect(jarIdText(170)).toBe('Jar id 170');
  });
});
