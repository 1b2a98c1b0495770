import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { StorageOverview } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { hrefFor } from '../../app/router';
import { EChart } from '../../lib/echarts/EChart';
import { inspectRest } from '../inspector/inspectRoute';
import { datasetsOption, tiersOption } from './chartOptions';
import { CodecLab } from './CodecLab';
import { CostPanel } from './CostPanel';
import { DatasetDetail } from './DatasetDetail';
import { formatRatio } from './units';
import { Card } from '../../lib/ui/Card';
import { LakeCachePanel } from '../settings/LakeCachePanel';
import { useLakeStatus } from '../../lib/lake/lakeStatusStore';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Stat } from '../../lib/ui/Stat';
import { DataTable, type Column } from '../../lib/ui/DataTable';

const DATASET_COLUMNS: Column<StorageOverview['datasets'][number]>[] = [
  { header: 'Dataset', className: 'mono', cell: (d) => d.dataset },
  { header: 'Files', className: 'num', cell: (d) => formatCount(d.files) },
  { header: 'Partitions', className: 'num', cell: (d) => formatCount(d.partitions) },
  { header: 'Rows', className: 'num', cell: (d) => formatCount(d.rows) },
  { header: 'Parquet', className: 'num', cell: (d) => formatBytes(d.parquetBytes) },
  { header: 'Source CSV', className: 'num', cell: (d) => (d.sourceBytes === null ? '–' : formatBytes(d.sourceBytes)) },
  { header: 'Ratio', className: 'num', cell: (d) => formatRatio(d.ratio) },
  {
    header: '',
    cell: (d) => (
      <a href={hrefFor('inspect', inspectRest({ dataset: d.dataset }))} onClick={(e) => e.stopPropagation()}>
        Inspect
      </a>
    ),
  },
];

/** #/compression: what every dataset costs where it lives, per dataset, file and column; the codec lab; the cost projection. */
export function CompressionView() {
  const [overview, setOverview] = useState<StorageOverview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Each Refresh asks again; loading lasts until the answer to the latest ask arrived.
  const [asked, setAsked] = useState(0);
  const [answered, setAnswered] = useState(-1);
  const [selected, setSelected] = useState<string | null>(null);
  const lake = useLakeStatus().status;
  const loading = answered !== asked;
  const load = () => setAsked((n) => n + 1);

  useEffect(() => {
    let live = true;
    void api.storage.overview({}).then((res) => {
      if (!live) return;
      setAnswered(asked);
      if (res.ok) {
        setOverview(res.value);
        setError(null);
      } else setError(res.error);
    });
    return () => {
      live = false;
    };
  }, [asked]);

  const datasetsChart = useMemo(() => (overview && overview.datasets.length > 0 ? datasetsOption(overview.datasets) : null), [overview]);
  const tiersChart = useMemo(() => (overview ? tiersOption(overview.hot?.bytes ?? null, overview.cold.bytes) : null), [overview]);

  return (
    <div className="lake-page" data-testid="compression-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Storage and compression</h1>
        <span className="spacer" />
        {loading && <span className="spinner" aria-label="Loading" />}
        <button type="button" className="btn" onClick={load} disabled={loading}>
          Refresh
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {lake?.kind === 's3' && (
        <Card label="Lake cache" title="S3 lake cache" sub={lake.location} testId="lake-cache-card">
          <LakeCachePanel />
        </Card>
      )}
      {overview && (
        <>
          <Card
            label="Hot and cold totals"
            title="Hot and cold"
            extra={
              <span className="dim mono clip" title={overview.lakePath}>
                lake: {overview.lakePath}
              </span>
            }
          >
            <div className="tiers">
              <div className="lake-stats" data-testid="tier-totals">
                <Stat
                  label={`Hot: PostgreSQL (${overview.hot ? `${formatCount(overview.hot.tables.length)} tables` : 'unavailable'})`}
                  value={overview.hot ? formatBytes(overview.hot.bytes) : '–'}
                />
                <Stat
                  label={`Cold: Parquet (${formatCount(overview.cold.files)} files, ${formatCount(overview.cold.rows)} rows)`}
                  value={formatBytes(overview.cold.bytes)}
                />
              </div>
              {tiersChart && (
                <EChart option={tiersChart} height={200} ariaLabel="Hot and cold bytes" testId="tiers-chart" className="tiers-chart" />
              )}
            </div>
            {overview.hotError && <div className="lake-warning">PostgreSQL sizes are missing: {overview.hotError}</div>}
            {overview.hot && overview.hot.tables.length > 0 && (
              <details className="lake-details">
                <summary>PostgreSQL tables</summary>
                <div className="lake-table-wrap">
                  <table className="lake-table" data-testid="hot-tables">
                    <thead>
                      <tr>
                        <th>Table</th>
                        <th className="num">Rows (estimate)</th>
                        <th className="num">Size</th>
                      </tr>
                    </thead>
                    <tbody>
                      {overview.hot.tables.map((t) => (
                        <tr key={t.table}>
                          <td className="mono">{t.table}</td>
                          <td className="num">{formatCount(t.rows)}</td>
                          <td className="num">{formatBytes(t.bytes)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            )}
          </Card>

          <Card label="Lake datasets" title="Lake datasets" sub="click a dataset for its files and columns">
            {overview.datasets.length === 0 ? (
              <div className="empty" data-testid="compression-datasets">
                The lake has no Parquet datasets yet. Convert CSV files on the Convert view.
              </div>
            ) : (
              <>
                <DataTable
                  columns={DATASET_COLUMNS}
                  rows={overview.datasets}
                  rowKey={(d) => d.dataset}
                  className="lake-table clickable"
                  testId="compression-datasets"
                  rowProps={(d) => ({
                    className: d.dataset === selected ? 'selected' : undefined,
                    onClick: () => setSelected(d.dataset),
                    tabIndex: 0,
                    onKeyDown: (e) => e.key === 'Enter' && setSelected(d.dataset),
                    'data-testid': 'dataset-row',
                  })}
                />
                {datasetsChart && (
                  <EChart
                    option={datasetsChart}
                    height={Math.max(160, 50 + overview.datasets.length * 36)}
                    ariaLabel="Parquet and source CSV bytes per dataset"
                    testId="datasets-chart"
                  />
                )}
              </>
            )}
          </Card>

          {selected && overview.datasets.some((d) => d.dataset === selected) && (
            <DatasetDetail key={selected} dataset={selected} onClose={() => setSelected(null)} />
          )}

          <CodecLab datasets={overview.datasets.map((d) => d.dataset)} />
          <CostPanel overview={overview} />
        </>
      )}
    </div>
  );
}
