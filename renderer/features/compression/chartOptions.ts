import type { CodecResult, ColumnChunkStats, DatasetStats } from '../../../shared/api/storage';
import { formatBytes, formatDuration } from '../../../shared/format';
import { formatterParam, tooltipHtml } from '../../lib/echarts/escape';
import type { ChartOption } from '../../lib/echarts/registry';
import { BYTE_UNITS, DURATION_UNITS, axisUnit, inUnit, unitValueAxis } from '../../lib/echarts/ticks';
import { formatRatio, formatShare, ratioOf } from './units';

/*
 * Axes are in one unit each, chosen from the data and named in the axis title (ticks by tickLabel, see unitValueAxis);
 * tooltips carry exact values with units; every text from data is escaped in tooltips (labels are canvas text).
 */

export function codecLabel(r: Pick<CodecResult, 'codec' | 'level'>): string {
  return r.level === null ? r.codec : `${r.codec} ${r.level}`;
}

/** Codec lab: file size per codec (bars) and write/read time (lines, right axis). */
export function codecLabOption(results: readonly CodecResult[]): ChartOption {
  const labels = results.map(codecLabel);
  const size = axisUnit(
    results.map((r) => r.bytes),
    BYTE_UNITS,
  );
  const time = axisUnit(
    results.flatMap((r) => [r.writeMs, r.readMs]),
    DURATION_UNITS,
  );
  return {
    grid: { left: 70, right: 70, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const { dataIndex } = formatterParam(params);
        const r = results[dataIndex];
        if (!r) return '';
        return tooltipHtml(codecLabel(r), [
          ['Size', formatBytes(r.bytes)],
          ['Ratio vs uncompressed', formatRatio(r.ratio)],
          ['Write', formatDuration(r.writeMs)],
          ['Read', formatDuration(r.readMs)],
        ]);
      },
    },
    xAxis: { type: 'category', data: labels },
    yAxis: [unitValueAxis('Size', size), { ...unitValueAxis('Time', time), splitLine: { show: false } }],
    series: [
      {
        name: 'Size',
        type: 'bar',
        data: inUnit(
          results.map((r) => r.bytes),
          size,
        ),
        yAxisIndex: 0,
        barMaxWidth: 40,
      },
      {
        name: 'Write time',
        type: 'line',
        data: inUnit(
          results.map((r) => r.writeMs),
          time,
        ),
        yAxisIndex: 1,
        symbolSize: 7,
      },
      {
        name: 'Read time',
        type: 'line',
        data: inUnit(
          results.map((r) => r.readMs),
          time,
        ),
        yAxisIndex: 1,
        symbolSize: 7,
      },
    ],
  };
}

/** Per dataset: Parquet bytes next to the CSV bytes it came from (where known). */
export function datasetsOption(datasets: readonly DatasetStats[]): ChartOption {
  const names = datasets.map((d) => d.dataset);
  const size = axisUnit(
    datasets.flatMap((d) => [d.parquetBytes, d.sourceBytes]),
    BYTE_UNITS,
  );
  return {
    grid: { left: 130, right: 30, top: 30, bottom: 44 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const d = datasets[formatterParam(params).dataIndex];
        if (!d) return '';
        return tooltipHtml(d.dataset, [
          ['Parquet', formatBytes(d.parquetBytes)],
          ['Source CSV', d.sourceBytes === null ? 'unknown' : formatBytes(d.sourceBytes)],
          ['Ratio', formatRatio(d.ratio)],
          ['Rows', d.rows.toLocaleString('en-US')],
        ]);
      },
    },
    xAxis: { ...unitValueAxis('Size', size), nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 120, overflow: 'truncate' } },
    series: [
      {
        name: 'Parquet',
        type: 'bar',
        data: inUnit(
          datasets.map((d) => d.parquetBytes),
          size,
        ),
        barMaxWidth: 16,
      },
      {
        name: 'Source CSV',
        type: 'bar',
        data: inUnit(
          datasets.map((d) => d.sourceBytes ?? 0),
          size,
        ),
        barMaxWidth: 16,
      },
    ],
  };
}

/** Per column: compressed vs uncompressed bytes, largest first. */
export function columnsOption(columns: readonly ColumnChunkStats[]): ChartOption {
  const sorted = [...columns].sort((a, b) => b.compressedBytes - a.compressedBytes);
  const size = axisUnit(
    sorted.flatMap((c) => [c.compressedBytes, c.uncompressedBytes]),
    BYTE_UNITS,
  );
  return {
    grid: { left: 140, right: 30, top: 30, bottom: 44 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const c = sorted[formatterParam(params).dataIndex];
        if (!c) return '';
        return tooltipHtml(c.column, [
          ['Type', c.type],
          ['Compressed', formatBytes(c.compressedBytes)],
          ['Uncompressed', formatBytes(c.uncompressedBytes)],
          ['Ratio', formatRatio(ratioOf(c.uncompressedBytes, c.compressedBytes))],
          ['Share of file', formatShare(c.share)],
          ['Codec', c.codecs.join(', ')],
          ['Encodings', c.encodings.join(', ')],
        ]);
      },
    },
    xAxis: { ...unitValueAxis('Size', size), nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: sorted.map((c) => c.column), inverse: true, axisLabel: { width: 130, overflow: 'truncate' } },
    series: [
      {
        name: 'Compressed',
        type: 'bar',
        data: inUnit(
          sorted.map((c) => c.compressedBytes),
          size,
        ),
        barMaxWidth: 14,
      },
      {
        name: 'Uncompressed',
        type: 'bar',
        data: inUnit(
          sorted.map((c) => c.uncompressedBytes),
          size,
        ),
        barMaxWidth: 14,
      },
    ],
  };
}

/** Hot (PostgreSQL) vs cold (Parquet lake) bytes. */
export function tiersOption(hotBytes: number | null, coldBytes: number): ChartOption {
  const data = [
    { name: 'Hot: PostgreSQL', value: hotBytes ?? 0 },
    { name: 'Cold: Parquet lake', value: coldBytes },
  ];
  const total = data.reduce((a, d) => a + d.value, 0);
  return {
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const p = formatterParam(params);
        const v = typeof p.value === 'number' ? p.value : 0;
        return tooltipHtml(p.name, [
          ['Size', formatBytes(v)],
          ['Share', formatShare(total > 0 ? v / total : null)],
        ]);
      },
    },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        // Room above and below the ring for the outside size labels (a thin slice at the top labels above it).
        radius: ['36%', '56%'],
        center: ['50%', '47%'],
        data,
        label: { formatter: (p: { value?: unknown }) => formatBytes(typeof p.value === 'number' ? p.value : 0) },
      },
    ],
  };
}
