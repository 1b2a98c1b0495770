import { useMemo, useRef, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { CodecResult } from '../../../shared/api/storage';
import { formatBytes, formatCount, formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { EChart, type EChartHandle } from '../../lib/echarts/EChart';
import { downloadDataUrl } from '../../lib/echarts/download';
import { codecLabel, codecLabOption } from './chartOptions';
import { formatRatio } from './units';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  datasets: readonly string[];
}

const SAMPLE_SIZES = [10_000, 50_000, 200_000, 1_000_000] as const;

const CODEC_COLUMNS: Column<CodecResult>[] = [
  { header: 'Codec', className: 'mono', cell: codecLabel },
  { header: 'Size', className: 'num', cell: (r) => formatBytes(r.bytes) },
  { header: 'Ratio vs uncompressed', className: 'num', cell: (r) => formatRatio(r.ratio) },
  { header: 'Write', className: 'num', cell: (r) => formatDuration(r.writeMs) },
  { header: 'Read', className: 'num', cell: (r) => formatDuration(r.readMs) },
];

/** Re-encodes a sample of a dataset under each codec (and zstd level) and charts size and write/read time. */
export function CodecLab({ datasets }: Props) {
  const [dataset, setDataset] = useState('');
  const [sampleRows, setSampleRows] = useState<number>(200_000);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ source: string; sampleRows: number; results: CodecResult[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const chosen = datasets.includes(dataset) ? dataset : (datasets[0] ?? '');
  const option = useMemo(() => (result ? codecLabOption(result.results) : null), [result]);
  const chart = useRef<EChartHandle | null>(null);

  const run = async () => {
    if (!chosen) return;
    setRunning(true);
    setError(null);
    const res = await api.storage.codecLab({ target: { dataset: chosen }, sampleRows });
    setRunning(false);
    if (res.ok) setResult(res.value);
    else setError(res.error);
  };

  const best = result ? [...result.results].sort((a, b) => a.bytes - b.bytes)[0] : null;

  return (
    <Card
      label="Codec lab"
      testId="codec-lab"
      title="Codec lab"
      sub="re-encode a sample under snappy, zstd (levels), gzip and uncompressed"
    >
      <div className="lake-form row">
        <label className="lake-field-inline">
          Dataset
          <select
            value={chosen}
            onChange={(e) => setDataset(e.target.value)}
            aria-label="Dataset for the codec lab"
            data-testid="codec-lab-dataset"
          >
            {datasets.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label className="lake-field-inline">
          Sample
          <select value={sampleRows} onChange={(e) => setSampleRows(Number(e.target.value))} aria-label="Sample rows">
            {SAMPLE_SIZES.map((n) => (
              <option key={n} value={n}>
                {formatCount(n)} rows
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn primary" data-testid="codec-lab-run" disabled={!chosen || running} onClick={() => void run()}>
          {running ? 'Encoding…' : 'Run'}
        </button>
        {running && <span className="spinner" aria-label="Encoding" />}
        {datasets.length === 0 && <span className="hint">The lake has no dataset yet.</span>}
      </div>
      {error && <ErrorBox variant="inline" error={error} alert={false} />}
      {result && option && (
        <>
          <div className="chart-tools">
            <button
              type="button"
              className="btn small"
              data-testid="codec-lab-png"
              title="Save the chart as a PNG image"
              onClick={() => {
                const url = chart.current?.toPng();
                if (url) downloadDataUrl(url, `codec-lab-${chosen}.png`);
              }}
            >
              Save PNG
            </button>
          </div>
          <EChart ref={chart} option={option} height={300} ariaLabel="Size and write/read time per codec" testId="codec-lab-chart" />
          <DataTable
            columns={CODEC_COLUMNS}
            rows={result.results}
            rowKey={codecLabel}
            testId="codec-lab-results"
            rowProps={(r) => ({ className: r === best ? 'best' : undefined })}
          />
          <div className="hint">
            Sample of up to {formatCount(result.sampleRows)} rows from {result.source}.
          </div>
        </>
      )}
    </Card>
  );
}
