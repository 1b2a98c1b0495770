import { describe, expect, it } from 'vitest';
import { chartColumnKind, ChartSettings, defaultChartSettings } from './chart';

const col = (name: string, type: string) => ({ name, type });

describe('chart defaults', () => {
  it('classifies engine types', () => {
    expect(['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'DATE', 'TIMESTAMP_NS'].map(chartColumnKind)).toEqual([
      'time',
      'time',
      'time',
      'time',
    ]);
    expect(['BIGINT', 'DECIMAL(18,3)', 'DOUBLE', 'HUGEINT'].map(chartColumnKind)).toEqual(['number', 'number', 'number', 'number']);
    expect(['VARCHAR', 'INTEGER[]', 'TIME', 'BOOLEAN'].map(chartColumnKind)).toEqual(['text', 'text', 'text', 'text']);
  });

  it('picks a line over time, bars over text, a histogram for one number', () => {
    const line = defaultChartSettings([col('site', 'VARCHAR'), col('ts', 'TIMESTAMP'), col('v', 'DOUBLE'), col('t', 'BIGINT')]);
    expect(line).toMatchObject({ type: 'line', x: 'ts', y: ['v', 't'] });
    // A key column is no measure: a line is split by it.
    expect(
      defaultChartSettings([col('ts', 'TIMESTAMP'), col('battery_id', 'BIGINT'), col('voltage_v', 'DOUBLE'), col('id', 'INTEGER')]),
    ).toMatchObject({ type: 'line', x: 'ts', y: ['voltage_v'], series: 'battery_id' });
    expect(defaultChartSettings([col('site', 'VARCHAR'), col('n', 'BIGINT')])).toMatchObject({ type: 'bar', x: 'site', y: ['n'] });
    expect(defaultChartSettings([col('n', 'BIGINT')])).toMatchObject({ type: 'histogram', x: 'n', y: [] });
    expect(defaultChartSettings([col('a', 'DOUBLE'), col('b', 'DOUBLE')])).toMatchObject({ type: 'scatter', x: 'a', y: ['b'] });
    expect(defaultChartSettings([col('s', 'VARCHAR')])).toMatchObject({ type: 'bar', x: 's', aggregate: 'count' });
    // Every default is a valid setting (it travels with the tab as plain data).
    expect(ChartSettings.safeParse(line).success).toBe(true);
  });
});
