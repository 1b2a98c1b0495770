import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { ParquetInspection } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { hrefFor } from '../../app/router';
import { EChart } from '../../lib/echarts/EChart';
import { inspectRest } from '../inspector/inspectRoute';
import { columnsOption } from './chartOptions';
import { ColumnStatsTable } from './ColumnStatsTable';
import { ParquetFilesTable } from './ParquetFilesTable';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';

interface Props {
  dataset: string;
  onClose: () => void;
}

const MAX_FILES_SHOWN = 500;

/** One lake dataset: each file's rows, size and ratio; each column's compressed and uncompressed bytes. */
export function DatasetDetail({ dataset, onClose }: Props) {
  const [data, setData] = useState<{ dataset: string; inspection: ParquetInspection } | null>(null);
  const [error, setError] = useState<{ dataset: string; error: ApiError } | null>(null);

  useEffect(() => {
    let live = true;
    void api.storage.inspect({ dataset }).then((res) => {
      if (!live) return;
      if (res.ok) setData({ dataset, inspection: res.value });
      else setError({ dataset, error: res.error });
    });
    return () => {
      live = false;
    };
  }, [dataset]);

  const inspection = data?.dataset === dataset ? data.inspection : null;
  const err = error?.dataset === dataset ? error.error : null;
  const option = useMemo(() => (inspection ? columnsOption(inspection.columns) : null), [inspection]);

  return (
    <Card
      label={`Dataset ${dataset}`}
      testId="dataset-detail"
      title={`Dataset ${dataset}`}
      sub={
        inspection
          ? `${formatCount(inspection.files.length)} files · ${formatCount(inspection.rows)} rows · ${formatBytes(inspection.bytes)}`
          : undefined
      }
      actions={
        <>
          <a className="btn small" href={hrefFor('inspect', inspectRest({ dataset }))}>
            Open in inspector
          </a>
          <button type="button" className="icon-btn" aria-label="Close the dataset detail" onClick={onClose}>
            ×
          </button>
        </>
      }
    >
      {err && <ErrorBox variant="inline" error={err} alert={false} />}
      {!inspection && !err && <div className="empty">Reading the Parquet metadata…</div>}
      {inspection && option && (
        <>
          <div className="lake-section-title">Columns: where the bytes are</div>
          <EChart
            option={option}
            height={Math.max(160, 40 + inspection.columns.length * 30)}
            ariaLabel={`Compressed and uncompressed bytes per column of ${dataset}`}
            testId="columns-chart"
          />
          <ColumnStatsTable columns={inspection.columns} variant="storage" testId="compression-columns" />
          <div className="lake-section-title">Files</div>
          <ParquetFilesTable files={inspection.files} limit={MAX_FILES_SHOWN} testId="compression-files" />
          {inspection.files.length > MAX_FILES_SHOWN && (
            <div className="hint">
              The first {formatCount(MAX_FILES_SHOWN)} of {formatCount(inspection.files.length)} files are listed.
            </div>
          )}
        </>
      )}
    </Card>
  );
}
