import { useLayoutEffect, useRef, useState, type ReactNode, type Ref } from 'react';
import type { PanelData, PanelId, PanelRollups, Scope } from '../../../shared/api/dashboard';
import { formatCount } from '../../../shared/format';
import type { EChartHandle } from '../../lib/echarts/EChart';
import { downloadPng, exportPanelData, openAsSql } from './panelActions';
import { rollupBuildText, usePanel, useRollupBuild, type PanelState } from './usePanel';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { ColdCoverageNote } from '../../lib/lake/ColdCoverageNote';

interface Props {
  panel: PanelId;
  scope: Scope | null;
  fromMs: number;
  toMs: number;
  title: string;
  /** Extra header text, e.g. the unit. */
  subtitle?: string;
  /** Spans both grid columns. */
  wide?: boolean;
  /** Draws the data; `chartRef` enables PNG export. Return null when the rows hold nothing to show. */
  children: (data: PanelData, ctx: { width: number; chartRef: Ref<EChartHandle> }) => ReactNode;
  /** Text shown instead when there are no rows. */
  emptyText?: string;
}

/** What the panel shows, for tests: loading, error, ready, empty, or its rollups' build state instead of "empty". */
function dataState(state: PanelState, build: PanelRollups | null): string {
  if (state.loading) return 'loading';
  if (state.error) return 'error';
  if (state.data && state.data.rows.length > 0) return 'ready';
  if (build) return build.building ? 'building' : 'unbuilt';
  return 'empty';
}

/**
 * A dashboard panel: title, actions (Open as SQL, Export CSV/Parquet of the full-resolution query, PNG),
 * and its own data request, so a failing or empty panel says so while the others still draw.
 */
export function PanelBox({ panel, scope, fromMs, toMs, title, subtitle, wide, children, emptyText }: Props) {
  const body = useRef<HTMLDivElement | null>(null);
  const [chart, setChart] = useState<EChartHandle | null>(null);
  // Null until the body is measured (before paint), so the first request already has the drawn width.
  const [width, setWidth] = useState<number | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const state = usePanel(panel, scope, fromMs, toMs, width);
  const build = useRollupBuild(state.data?.rollups);

  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  const name = panel.replace(/[^A-Za-z0-9_.-]/g, '_');
  const data = state.data;
  const exportAs = async (format: 'csv' | 'parquet') => {
    if (!data) return;
    setBusy(true);
    setNote(`Exporting ${format.toUpperCase()}…`);
    const res = await exportPanelData(data.exportSql, format, name);
    setBusy(false);
    setNote(res.ok ? `Exported ${formatCount(res.file.rows)} rows to ${res.file.path}` : `Export failed: ${res.message}`);
  };
  const png = () => {
    const url = chart?.toPng();
    if (url) downloadPng(url, name);
  };

  let content: ReactNode;
  if (state.error) {
    content = <ErrorBox variant="inline" error={state.error} testId="panel-error" />;
  } else if (!data) {
    content = <div className="dash-loading">Loading…</div>;
  } else if (data.rows.length === 0 && build) {
    content = (
      <div className="dash-empty" role="status" title={build.message} data-testid="panel-building">
        {rollupBuildText(build, 'Building')}
      </div>
    );
  } else if (data.rows.length === 0) {
    content = <div className="dash-empty">{emptyText ?? 'No data in this range.'}</div>;
  } else {
    content = children(data, { width: width ?? 600, chartRef: setChart });
  }

  return (
    <section
      className={wide ? 'dash-panel wide' : 'dash-panel'}
      data-testid={`panel-${panel}`}
      data-state={dataState(state, build)}
      aria-busy={state.loading}
    >
      <header className="dash-panel-head">
        <h3 className="dash-panel-title">{title}</h3>
        {subtitle && <span className="dim dash-panel-sub">{subtitle}</span>}
        {build && data && data.rows.length > 0 && (
          <span className="dash-note" role="status" title={build.message} data-testid="panel-rollup-note">
            {rollupBuildText(build, 'updating')}
          </span>
        )}
        <span className="spacer" />
        {state.loading && data && <span className="spinner" aria-label="Refreshing" />}
        <button
          type="button"
          className="btn small"
          disabled={!data}
          title="Open this panel's query in the SQL editor"
          onClick={() => data && openAsSql(title, data.sql)}
        >
          SQL
        </button>
        <button
          type="button"
          className="btn small"
          disabled={!data || busy}
          title="Export the full-resolution data as CSV"
          onClick={() => void exportAs('csv')}
        >
          CSV
        </button>
        <button
          type="button"
          className="btn small"
          disabled={!data || busy}
          title="Export the full-resolution data as Parquet"
          onClick={() => void exportAs('parquet')}
        >
          Parquet
        </button>
        <button
          type="button"
          className="btn small"
          disabled={!chart || !data || data.rows.length === 0}
          title="Save the chart as PNG"
          onClick={png}
        >
          PNG
        </button>
      </header>
      <div className="dash-panel-body" ref={body}>
        {content}
      </div>
      <footer className="dash-panel-foot dim">
        {data && (
          <span title={data.source}>
            {data.source} · {formatCount(data.rows.length)} rows · {data.elapsedMs.toFixed(0)} ms
          </span>
        )}
        {data && <ColdCoverageNote source={data.source} />}
        {note && <span className="dash-note">{note}</span>}
      </footer>
    </section>
  );
}
