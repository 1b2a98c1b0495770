import { format } from 'echarts/core';

/**
 * ECharts tooltips (html render mode) put a formatter's string into the DOM as HTML.
 * Every text that came from data (dataset, file and column names, values) goes through here.
 */
export function escapeHtml(text: string): string {
  return format.encodeHTML(text);
}

/** A tooltip body: an escaped bold title, then `label: value` lines, all escaped. */
export function tooltipHtml(title: string, rows: readonly (readonly [label: string, value: string])[]): string {
  const head = title ? `<b>${escapeHtml(title)}</b>` : '';
  const lines = rows.map(([label, value]) => `${escapeHtml(label)}: ${escapeHtml(value)}`);
  return [head, ...lines].filter((s) => s !== '').join('<br/>');
}

/** Pulls the `name`, `seriesName` and raw `value` out of an ECharts formatter param without trusting its shape. */
export function formatterParam(param: unknown): { name: string; seriesName: string; value: unknown; dataIndex: number } {
  const p = (Array.isArray(param) ? param[0] : param) as Record<string, unknown> | undefined;
  return {
    name: typeof p?.name === 'string' ? p.name : String(p?.name ?? ''),
    seriesName: typeof p?.seriesName === 'string' ? p.seriesName : '',
    value: p?.value,
    dataIndex: typeof p?.dataIndex === 'number' ? p.dataIndex : -1,
  };
}
