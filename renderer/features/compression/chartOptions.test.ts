import { describe, expect, it } from 'vitest';
import type { CodecResult, ColumnChunkStats, DatasetStats } from '../../../shared/api/storage';
import type { ChartOption } from '../../lib/echarts/registry';
import { codecLabOption, columnsOption, datasetsOption } from './chartOptions';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** Runs the option's tooltip formatter as ECharts would for the first data point. */
function tooltipFor(option: ChartOption, name: string): string {
  const tooltip = option.tooltip as { formatter: (p: unknown) => string };
  return tooltip.formatter([{ name, seriesName: 'x', value: 1, dataIndex: 0 }]);
}

describe('chart options escape data in tooltips', () => {
  it('dataset names', () => {
    const d: DatasetStats = { dataset: HOSTILE, files: 1, rows: 5, parquetBytes: 2048, sourceBytes: 8192, ratio: 4, partitions: 0 };
    const html = tooltipFor(datasetsOption([d]), HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).toContain('2.00 KB');
    expect(html).toContain('4.0×');
  });

  it('column names, types and encodings', () => {
    const c: ColumnChunkStats = {
      column: HOSTILE,
      physicalType: 'BYTE_ARRAY',
      type: '<b>VARCHAR</b>',
      codecs: ['ZSTD'],
      encodings: ['<script>'],
      compressedBytes: 100,
      uncompressedBytes: 350,
      share: 0.5,
      min: null,
      max: null,
      nulls: 0,
    };
    const html = tooltipFor(columnsOption([c]), HOSTILE);
    expect(html.replace(/<\/?b>|<br\/>/g, '')).not.toMatch(/[<>]/);
    expect(html).toContain('3.5×');
    expect(html).toContain('50.0%');
  });

  it('codec lab: one point per codec and level, with units', () => {
    const results: CodecResult[] = [
      { codec: 'zstd', level: 3, bytes: 1024 * 1024, writeMs: 1500, readMs: 20, ratio: 3.14 },
      { codec: 'snappy', level: null, bytes: 2 * 1024 * 1024, writeMs: 500, readMs: 10, ratio: 1.5 },
    ];
    const opt = codecLabOption(results);
    expect((opt.xAxis as { data: string[] }).data).toEqual(['zstd 3', 'snappy']);
    const html = tooltipFor(opt, 'zstd 3');
    expect(html).toContain('1.00 MB');
    expect(html).toContain('3.1×');
    expect(html).toContain('1.50 s');
  });
});
