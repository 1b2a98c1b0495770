import { useEffect, useMemo, useRef, useState } from 'react';
import { defaultChartSettings, type ChartData, type ChartRange, type ChartRequest, type ChartSettings } from '../../../shared/api/chart';
import type { ApiError } from '../../../shared/api/errors';
import type { ExportFormat } from '../../../shared/api/export';
import type { QueryRunResult } from '../../../shared/api/query';
import { formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { downloadDataUrl } from '../../lib/echarts/download';
import { EChart, type EChartHandle } from '../../lib/echarts/EChart';
import type { ChartOption } from '../../lib/echarts/registry';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { useDragToZoom, zoomValues } from '../dashboards/TimeChart';
import { runExportJob } from '../export/runExportJob';
import { ChartControls } from './ChartControls';
import { chartOption, rightAxisColumns, valueText, zoomable } from './chartOption';
import './chart.css';

interface Props {
  result: QueryRunResult;
  /** The tab's settings; null (or naming columns the result lacks): defaults from the column types. */
  settings: ChartSettings | undefined;
  onSettings: (settings: ChartSettings) => void;
}

/** Settings that fit the result's columns, else the defaults for its column types. */
export function settingsFor(result: QueryRunResult, settings: ChartSettings | undefined): ChartSettings {
  const names = new Set(result.columns.map((c) => c.name));
  const fits =
    settings !== undefined &&
    (settings.x === null || names.has(settings.x)) &&
    settings.y.every((y) => names.has(y)) &&
    (settings.series === null || names.has(settings.series));
  return fits ? settings : defaultChartSettings(result.columns);
}

/** The plot width asked of the core: the panel's width in steps of 100 px (a small resize does not re-query). */
function plotWidth(px: number): number {
  return Math.max(200, Math.round(px / 100) * 100);
}

/**
 * The Chart tab of a result: the core computes the points (M4 to this width, bins, or per-category aggregates) over the
 * kept result, so no row crosses to the renderer; a drag zooms and re-queries the range at full resolution.
 */
export function ChartPanel({ result, settings: tabSettings, onSettings }: Props) {
  const settings = useMemo(() => settingsFor(result, tabSettings), [result, tabSettings]);
  const key = JSON.stringify(settings);
  // A zoom belongs to the settings and result it was made on: other settings draw the whole x range again.
  const zoomKey = `${result.resultId}|${key}`;
  const [zoom, setZoom] = useState<{ key: string; range: ChartRange } | null>(null);
  const range = zoom?.key === zoomKey ? zoom.range : null;
  // The last answer, for the request it answers: while a newer one runs, the chart shows this one dimmed.
  const [answer, setAnswer] = useState<{ request: string; data: ChartData | null; error: ApiError | null } | null>(null);
  const [width, setWidth] = useState(0);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [exportNote, setExportNote] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const wrap = useRef<HTMLDivElement | null>(null);
  const chart = useRef<EChartHandle | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(plotWidth(el.clientWidth)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const request = JSON.stringify({ resultId: result.resultId, settings, width, ...(range ? { range } : {}) });
  useEffect(() => {
    if (width === 0) return;
    let live = true;
    void api.query.chart(JSON.parse(request) as ChartRequest).then((res) => {
      if (!live) return;
      setAnswer((prev) => ({
        request,
        data: res.ok ? res.value : (prev?.data ?? null),
        error: res.ok ? null : res.error,
      }));
    });
    return () => {
      live = false;
    };
  }, [request, width]);
  const data = answer?.data ?? null;
  const error = answer?.error ?? null;
  const loading = width > 0 && answer?.request !== request;

  // Settings from before the second axis existed have no splitAxes: on, as the schema's default.
  const splitAxes = settings.splitAxes !== false;
  const right = useMemo(() => (data && splitAxes ? rightAxisColumns(data) : new Set<number>()), [data, splitAxes]);
  const option = useMemo(
    () => (data ? (chartOption(data, settings.x ?? '', settings.y.join(', '), right) as ChartOption) : null),
    [data, settings.x, settings.y, right],
  );
  const onRight = data ? data.yColumns.filter((_c, i) => right.has(i)) : [];
  useDragToZoom(wrap, option);
  const events = useMemo(
    () => ({
      datazoom: (params: unknown) => {
        const v = zoomValues(params);
        if (v) setZoom({ key: zoomKey, range: v });
      },
    }),
    [zoomKey],
  );

  const exportData = async (): Promise<void> => {
    setExporting(true);
    setExportNote(null);
    const shown = data?.range && range ? { range } : {};
    const res = await runExportJob(() => api.export.chart({ resultId: result.resultId, settings, format, name: 'chart', ...shown }));
    setExporting(false);
    setExportNote(res.ok ? `Wrote ${formatCount(res.file.rows)} rows to ${res.file.path}` : res.message);
  };

  const exportPng = (): void => {
    const url = chart.current?.toPng();
    if (url) downloadDataUrl(url, 'chart.png');
  };

  const rangeText =
    data && range && data.xKind !== 'text' ? `${valueText(range.from, data.xKind)} – ${valueText(range.to, data.xKind)}` : null;
  return (
    <div className="result-chart" data-testid="result-chart">
      <ChartControls columns={result.columns} settings={settings} onChange={onSettings} />
      <div className="result-chart-bar">
        <span
          className="hint"
          data-testid="chart-meta"
          data-points={data?.points ?? ''}
          data-rows={data?.rows ?? ''}
          data-width={width}
          data-right-axis={onRight.join(',')}
        >
          {loading
            ? 'Drawing…'
            : data
              ? `${formatCount(data.points)} points from ${formatCount(data.rows)} rows · ${data.method}${rangeText ? ` · ${rangeText}` : ''}${
                  onRight.length > 0 ? ` · right axis: ${onRight.join(', ')}` : ''
                }`
              : ''}
        </span>
        {data?.note && <span className="hint">{data.note}</span>}
        <span className="spacer" />
        {range && (
          <button type="button" className="btn small" onClick={() => setZoom(null)} data-testid="chart-reset-zoom">
            Reset zoom
          </button>
        )}
        <select
          value={format}
          onChange={(e) => setFormat(e.target.value === 'parquet' ? 'parquet' : 'csv')}
          aria-label="Data export format"
        >
          <option value="csv">CSV</option>
          <option value="parquet">Parquet</option>
        </select>
        <button
          type="button"
          className="btn small"
          onClick={() => void exportData()}
          disabled={exporting || !data}
          data-testid="chart-export-data"
          title="Write the full-resolution rows behind the chart (its columns, in the range shown)"
        >
          {exporting ? 'Exporting…' : 'Export data'}
        </button>
        <button type="button" className="btn small" onClick={exportPng} disabled={!data} data-testid="chart-export-png">
          PNG
        </button>
      </div>
      {exportNote && (
        <div className="hint result-chart-note" data-testid="chart-export-note">
          {exportNote}
        </div>
      )}
      {error && <ErrorBox error={error} testId="chart-error" />}
      <div ref={wrap} className={loading ? 'result-chart-plot stale' : 'result-chart-plot'}>
        {option && (
          <EChart
            option={option}
            height="100%"
            ariaLabel={`${settings.type} chart of ${settings.y.join(', ') || 'rows'} by ${settings.x ?? ''}`}
            testId="result-chart-canvas"
            onEvents={data && zoomable(data) ? events : undefined}
            ref={chart}
          />
        )}
      </div>
    </div>
  );
}
