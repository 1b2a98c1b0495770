import { describe, expect, it } from 'vitest';
import type { CodecResult, ColumnChunkStats, DatasetStats } from '../../../shared/api/storage';
import { duplicateLabels } from '../../lib/echarts/drawn';
import type { ChartOption } from '../../lib/echarts/registry';
import { ssrDrawn, ssrSvg, svgTextBox } from '../../lib/echarts/ssrDrawn';
import { codecLabOption, columnsOption, datasetsOption, tiersOption } from './chartOptions';

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

describe('storage chart axes', () => {
  it('show each tick once, in the unit named on the axis (no per-tick rounding to "2 ms" twice)', () => {
    const results: CodecResult[] = [
      { codec: 'zstd', level: 3, bytes: 1.1 * 1024 * 1024, writeMs: 1.2, readMs: 0.4, ratio: 3 },
      { codec: 'snappy', level: null, bytes: 1.2 * 1024 * 1024, writeMs: 1.9, readMs: 0.6, ratio: 2.5 },
    ];
    const drawn = ssrDrawn(codecLabOption(results));
    const [size, time] = drawn.axes.filter((a) => a.type === 'value');
    expect(size.name).toBe('Size (MB)');
    expect(time.name).toBe('Time (ms)');
    expect(time.labels).toContain('1.5');
    for (const axis of drawn.axes) expect(duplicateLabels(axis), `${axis.axis}: ${axis.labels.join(', ')}`).toEqual([]);
    expect(drawn.marks).toBe(6);
  });

  it('dataset and column sizes: one unit per axis, every bar drawn', () => {
    const d = (dataset: string, parquetBytes: number): DatasetStats => ({
      dataset,
      files: 1,
      rows: 5,
      parquetBytes,
      sourceBytes: parquetBytes * 4,
      ratio: 4,
      partitions: 0,
    });
    const drawn = ssrDrawn(datasetsOption([d('telemetry', 3 * 1024 ** 3), d('alert', 20 * 1024)]));
    const x = drawn.axes.find((a) => a.type === 'value');
    expect(x?.name).toBe('Size (GB)');
    expect(x && duplicateLabels(x)).toEqual([]);
    const columns = ssrDrawn(
      columnsOption([
        {
          column: 'v',
          physicalType: 'DOUBLE',
          type: 'DOUBLE',
          codecs: ['ZSTD'],
          encodings: [],
          compressedBytes: 700,
          uncompressedBytes: 2000,
          share: 1,
          min: null,
          max: null,
          nulls: 0,
        },
      ]),
    );
    expect(columns.axes.find((a) => a.type === 'value')?.name).toBe('Size (KB)');
    expect(columns.marks).toBe(2);
  });

  it('draws the hot/cold ring with both size labels inside the chart, a thin slice too', () => {
    const size = { width: 360, height: 200 };
    const svg = ssrSvg(tiersOption(43.4 * 1024 ** 2, 718 * 1024), size);
    for (const label of ['43.4 MB', '718 KB']) {
      const [top, bottom] = svgTextBox(svg, label);
      expect(top, `${label} starts above the chart`).toBeGreaterThanOrEqual(0);
      expect(bottom, `${label} ends below the chart`).toBeLessThanOrEqual(size.height);
    }
  });
});
