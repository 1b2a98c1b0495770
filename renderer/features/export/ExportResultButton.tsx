import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import { EXPORT_FORMATS, type ExportedFile, type ExportFormat } from '../../../shared/api/export';
import type { QueryRunResult, SortKey } from '../../../shared/api/query';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { FilePickerDialog } from '../../lib/FilePickerDialog';
import { useJob } from '../../lib/jobs/useJob';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Field, FieldError } from '../../lib/ui/Field';
import { JobProgress } from '../../lib/ui/JobProgress';
import { DownloadLink } from './DownloadLink';
import './export.css';

interface Props {
  result: QueryRunResult;
  /** The grid's sort: the file has the rows in the order the grid shows. */
  sort: SortKey[];
}

const LABELS: Readonly<Record<ExportFormat, string>> = { csv: 'CSV', parquet: 'Parquet', json: 'JSON' };

/** "Export…" in the results grid's status bar: the whole result (not only loaded rows) to CSV, Parquet or JSON. */
export function ExportResultButton({ result, sort }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="btn small"
        onClick={() => setOpen(true)}
        disabled={result.columns.length === 0}
        data-testid="export-result"
      >
        Export…
      </button>
      {open && <ExportResultDialog result={result} sort={sort} onClose={() => setOpen(false)} />}
    </>
  );
}

interface DialogProps extends Props {
  onClose: () => void;
}

function ExportResultDialog({ result, sort, onClose }: DialogProps) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [name, setName] = useState('result');
  const [folder, setFolder] = useState('');
  const [picker, setPicker] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { job, cancel } = useJob<ExportedFile>(jobId);
  const running = job?.state === 'running';
  const file = job?.state === 'done' ? job.report : null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && !picker) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, picker]);

  const start = async (): Promise<void> => {
    setError(null);
    const res = await api.export.result({
      resultId: result.resultId,
      format,
      name,
      sort,
      ...(folder.trim() ? { path: folder.trim() } : {}),
    });
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setJobId(res.value.jobId);
  };

  const nameOk = /^[A-Za-z0-9_.-]{1,100}$/.test(name);
  return (
    <div className="export-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !running && onClose()}>
      <div className="export-dialog" role="dialog" aria-modal="true" aria-label="Export result" data-testid="export-dialog">
        <div className="export-dialog-head">
          <span className="card-title">Export the result</span>
          <span className="spacer" />
          <button type="button" className="icon-btn" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </div>
        <p className="hint">
          All {formatCount(result.rowCount)} rows and {result.columns.length} columns{sort.length > 0 ? `, sorted as in the grid` : ''}, not
          only the rows loaded in the grid.
        </p>
        <div className="export-segment" role="radiogroup" aria-label="Format">
          {EXPORT_FORMATS.map((f) => (
            <label key={f} className={`segment${format === f ? ' on' : ''}`}>
              <input type="radio" name="export-format" checked={format === f} onChange={() => setFormat(f)} disabled={running} />
              {LABELS[f]}
            </label>
          ))}
        </div>
        <Field label={`File name (the time and .${format} are added)`} layout="stacked">
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} disabled={running} aria-invalid={!nameOk} />
        </Field>
        <FieldError>{!nameOk && 'Use letters, digits, _ . or - (up to 100).'}</FieldError>
        <Field label="Folder (empty = the workspace's exports folder)" layout="stacked">
          <div className="export-row">
            <input
              type="text"
              className="grow"
              value={folder}
              onChange={(e) => setFolder(e.target.value)}
              disabled={running}
              placeholder="exports folder"
            />
            <button type="button" className="btn" onClick={() => setPicker(true)} disabled={running}>
              Browse…
            </button>
          </div>
        </Field>
        {error && <ErrorBox variant="inline" error={error} withDetail />}
        {job && job.state === 'running' && (
          <JobProgress fraction={job.fraction} label="Export progress">
            {formatCount(job.rows)} rows
          </JobProgress>
        )}
        {job && job.state === 'failed' && job.error && <ErrorBox variant="inline" error={job.error} />}
        {job && job.state === 'cancelled' && <div className="hint">Cancelled; no file was written.</div>}
        {file && (
          <div className="export-done" data-testid="export-done">
            <div>
              Wrote <strong>{formatCount(file.rows)}</strong> rows ({formatBytes(file.bytes)}) to
            </div>
            <code className="export-path" data-testid="export-path">
              {file.path}
            </code>
            <DownloadLink downloadId={file.downloadId} testId="export-download">
              Download
            </DownloadLink>
          </div>
        )}
        <div className="export-row end">
          {running ? (
            <button type="button" className="btn" onClick={() => void cancel()}>
              Cancel
            </button>
          ) : (
            <button type="button" className="btn" onClick={onClose}>
              {file ? 'Close' : 'Cancel'}
            </button>
          )}
          <button
            type="button"
            className="btn primary"
            onClick={() => void start()}
            disabled={running || !nameOk}
            data-testid="export-start"
          >
            {file ? 'Export again' : 'Export'}
          </button>
        </div>
      </div>
      {picker && (
        <FilePickerDialog
          mode="folder"
          title="Choose a folder for the export"
          onChoose={(paths) => {
            if (paths[0]) setFolder(paths[0]);
            setPicker(false);
          }}
          onClose={() => setPicker(false)}
        />
      )}
    </div>
  );
}
