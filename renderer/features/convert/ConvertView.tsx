import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { PARQUET_CODECS, type ConvertReport, type CsvPreview, type ParquetCodec } from '../../../shared/api/convert';
import type { ApiError } from '../../../shared/api/errors';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { ConvertHistory, type HistoryEntry } from './ConvertHistory';
import { ConvertPreview } from './ConvertPreview';
import { ConvertReportPanel, type ShownReport } from './ConvertReportPanel';
import {
  buildRequest,
  CSV_EXTENSIONS,
  DEFAULT_ROW_GROUP_SIZE,
  dialectOf,
  formProblems,
  isValidDatasetName,
  ROW_GROUP_SIZES,
  suggestDatasetName,
  temporalColumns,
  ZSTD_LEVELS,
  type ColumnEdit,
  type ConvertForm,
  type HeaderChoice,
} from './convertForm';
import { pathsFromDrop } from './dropFiles';
import { FilePickerDialog, type PickerMode } from '../../lib/FilePickerDialog';
import { useJob, type JobView } from '../../lib/jobs/useJob';
import { useSessionState } from '../../lib/state/sessionState';

type PickerFor = { purpose: 'inputs'; mode: PickerMode } | { purpose: 'folder'; mode: 'folder' };

const DELIMITERS: { value: string; label: string }[] = [
  { value: '', label: 'Sniff' },
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

function emptyReport(form: ConvertForm): ConvertReport {
  return {
    rows: 0,
    rowsIn: 0,
    rejected: 0,
    inputBytes: 0,
    outputBytes: 0,
    ratio: 0,
    elapsedMs: 0,
    codec: form.codec,
    target: form.targetKind === 'lake' ? { kind: 'lake', dataset: form.dataset } : { kind: 'folder', path: form.folder },
    files: [],
    rejects: [],
  };
}

/** What a finished job shows: its report, or its error with the bad rows it carried. */
function shownFromJob(job: JobView<ConvertReport>, form: ConvertForm): ShownReport | null {
  if (job.state === 'running') return null;
  if (job.state === 'done') {
    const report = job.report;
    return report ? { report, error: null, startedAt: null } : null;
  }
  const report = emptyReport(form);
  const bad = job.error?.data?.rejects;
  if (bad) {
    report.rejects = bad.rows;
    report.rejected = bad.total;
  }
  const error = job.error ?? {
    code: job.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL',
    message: job.message || `The conversion ${job.state}.`,
  };
  return { report, error: { code: error.code, message: error.message }, startedAt: null };
}

/** #/convert: CSV, CSV.GZ and TSV files to Parquet, into the lake or any folder, with a report per run. */
export function ConvertView() {
  const [inputs, setInputs] = useSessionState<string[]>('convert.inputs', []);
  const [delimiter, setDelimiter] = useSessionState('convert.delimiter', '');
  const [header, setHeader] = useSessionState<HeaderChoice>('convert.header', 'auto');
  const [edits, setEdits] = useSessionState<Record<string, ColumnEdit>>('convert.edits', {});
  const [targetKind, setTargetKind] = useSessionState<'lake' | 'folder'>('convert.targetKind', 'lake');
  const [dataset, setDataset] = useSessionState('convert.dataset', '');
  const [datasetTouched, setDatasetTouched] = useSessionState('convert.datasetTouched', false);
  const [folder, setFolder] = useSessionState('convert.folder', '');
  const [partitionByDay, setPartitionByDay] = useSessionState('convert.partition', '');
  const [codec, setCodec] = useSessionState<ParquetCodec>('convert.codec', 'zstd');
  const [level, setLevel] = useSessionState<number | null>('convert.level', null);
  const [rowGroupSize, setRowGroupSize] = useSessionState('convert.rowGroupSize', DEFAULT_ROW_GROUP_SIZE);
  const [onBadRows, setOnBadRows] = useSessionState<'fail' | 'skip'>('convert.onBadRows', 'fail');
  const [jobId, setJobId] = useSessionState<string | null>('convert.jobId', null);
  const [selectedHistory, setSelectedHistory] = useSessionState<HistoryEntry | null>('convert.historySel', null);

  // The preview answer is tagged with what it previewed, so a stale one is never shown.
  const [previewed, setPreviewed] = useState<{ key: string; previews: CsvPreview[] | null; error: ApiError | null } | null>(null);
  const [activePreview, setActivePreview] = useState(0);
  const [picker, setPicker] = useState<PickerFor | null>(null);
  const [dropNotes, setDropNotes] = useState<string[]>([]);
  const [dragOver, setDragOver] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [reportClosed, setReportClosed] = useState(false);

  const previewKey = JSON.stringify([inputs, delimiter, header]);
  const current = inputs.length > 0 && previewed?.key === previewKey ? previewed : null;
  const previews = current?.previews ?? null;
  const previewError = current?.error ?? null;
  const previewLoading = inputs.length > 0 && current === null;

  const form: ConvertForm = {
    inputs,
    delimiter,
    header,
    edits,
    targetKind,
    dataset,
    folder,
    partitionByDay,
    codec,
    level,
    rowGroupSize,
    onBadRows,
  };
  const columns = useMemo(() => previews?.[0]?.columns ?? [], [previews]);
  const { job, cancel } = useJob<ConvertReport>(jobId);
  const running = job?.state === 'running';

  // Re-read the history on mount, on Refresh and whenever the job changes state.
  const [historyAsked, setHistoryAsked] = useState(0);
  const jobState = job?.state;
  useEffect(() => {
    let live = true;
    void api.convert.history({ limit: 50 }).then((res) => {
      if (!live) return;
      if (res.ok) {
        setHistory(res.value.reports);
        setHistoryError(null);
      } else setHistoryError(res.error.message);
    });
    return () => {
      live = false;
    };
  }, [historyAsked, jobState]);

  // Preview (sniff) whenever the inputs or the dialect change.
  useEffect(() => {
    if (inputs.length === 0) return;
    let live = true;
    const key = JSON.stringify([inputs, delimiter, header]);
    void api.convert.preview({ inputs, dialect: dialectOf({ delimiter, header }), rows: 20 }).then((res) => {
      if (!live) return;
      setActivePreview(0);
      setPreviewed(res.ok ? { key, previews: res.value.previews, error: null } : { key, previews: null, error: res.error });
    });
    return () => {
      live = false;
    };
  }, [inputs, delimiter, header]);

  const addInputs = (paths: string[]) => {
    if (paths.length === 0) return;
    const next = [...inputs, ...paths.filter((p) => !inputs.includes(p))];
    setInputs(next);
    if (!datasetTouched) setDataset(suggestDatasetName(next[0]));
  };

  const removeInput = (path: string) => {
    const next = inputs.filter((p) => p !== path);
    setInputs(next);
    if (!datasetTouched) setDataset(next.length > 0 ? suggestDatasetName(next[0]) : '');
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length === 0) return;
    setUploading(true);
    const res = await pathsFromDrop(files);
    setUploading(false);
    setDropNotes(res.errors);
    addInputs(res.paths);
  };

  const onEdit = useCallback((source: string, edit: ColumnEdit) => setEdits((prev) => ({ ...prev, [source]: edit })), [setEdits]);

  const problems = formProblems(form, columns);
  const start = async () => {
    if (problems.length > 0 || running) return;
    setStarting(true);
    setStartError(null);
    const res = await api.convert.start(buildRequest(form, columns));
    setStarting(false);
    if (!res.ok) {
      setStartError(res.error);
      return;
    }
    setSelectedHistory(null);
    setReportClosed(false);
    setJobId(res.value.jobId);
  };

  const partitionChoices = temporalColumns(columns, edits);
  const totalBytes = previews && previews.length === inputs.length ? previews.reduce((a, p) => a + p.bytes, 0) : null;
  const jobShown = job ? shownFromJob(job, form) : null;
  const shown: ShownReport | null = selectedHistory
    ? {
        report: selectedHistory,
        error: selectedHistory.error ? { code: selectedHistory.errorCode ?? 'INTERNAL', message: selectedHistory.error } : null,
        startedAt: selectedHistory.startedAt,
      }
    : reportClosed
      ? null
      : jobShown;

  return (
    <div className="convert-view">
      <div
        className={dragOver ? 'lake-page drop-target' : 'lake-page'}
        data-testid="convert-drop-target"
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes('Files')) {
            e.preventDefault();
            setDragOver(true);
          }
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDragOver(false);
        }}
        onDrop={(e) => void onDrop(e)}
      >
        <h1 className="lake-h1">Convert CSV to Parquet</h1>

        <section className="lake-card" aria-label="Input files">
          <div className="lake-card-head">
            <span className="lake-card-title">1 · Input</span>
            <span className="dim">CSV, CSV.GZ or TSV files, or folders of them</span>
            <span className="spacer" />
            <button type="button" className="btn" data-testid="add-files" onClick={() => setPicker({ purpose: 'inputs', mode: 'files' })}>
              Add files…
            </button>
            <button type="button" className="btn" data-testid="add-folder" onClick={() => setPicker({ purpose: 'inputs', mode: 'folder' })}>
              Add folder…
            </button>
          </div>
          {inputs.length === 0 ? (
            <div className="drop-zone" data-testid="drop-zone">
              {uploading ? 'Uploading…' : 'Drop CSV files here, or add files or a folder.'}
            </div>
          ) : (
            <ul className="input-list" data-testid="convert-inputs">
              {inputs.map((p) => (
                <li key={p} className="input-chip" title={p}>
                  <span className="mono">{p}</span>
                  <button type="button" className="icon-btn" aria-label={`Remove ${p}`} onClick={() => removeInput(p)}>
                    ×
                  </button>
                </li>
              ))}
              {uploading && <li className="hint">Uploading…</li>}
            </ul>
          )}
          {dropNotes.map((n) => (
            <div key={n} className="lake-warning">
              {n}
            </div>
          ))}
        </section>

        {inputs.length > 0 && (
          <section className="lake-card" aria-label="Preview">
            <div className="lake-card-head">
              <span className="lake-card-title">2 · Preview and columns</span>
              {previewLoading && <span className="spinner" aria-label="Reading the files" />}
              <span className="spacer" />
              <label className="lake-field-inline">
                Delimiter
                <select value={delimiter} onChange={(e) => setDelimiter(e.target.value)} aria-label="Delimiter">
                  {DELIMITERS.map((d) => (
                    <option key={d.label} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="lake-field-inline">
                Header
                <select value={header} onChange={(e) => setHeader(e.target.value as HeaderChoice)} aria-label="Header row">
                  <option value="auto">Sniff</option>
                  <option value="yes">First row</option>
                  <option value="no">None</option>
                </select>
              </label>
            </div>
            {previewError && (
              <div className="convert-error" role="alert" data-testid="preview-error">
                <span className="error-code">{previewError.code}</span> <span className="error-text">{previewError.message}</span>
                {previewError.detail && <div className="error-advice">{previewError.detail}</div>}
              </div>
            )}
            {previews && (
              <ConvertPreview
                previews={previews}
                active={activePreview}
                onActive={setActivePreview}
                edits={edits}
                onEdit={onEdit}
                fileCount={inputs.length}
              />
            )}
          </section>
        )}

        <section className="lake-card" aria-label="Output">
          <div className="lake-card-head">
            <span className="lake-card-title">3 · Output</span>
          </div>
          <div className="lake-form">
            <div className="lake-field">
              <span className="lake-label">Target</span>
              <label className="radio">
                <input type="radio" name="target" checked={targetKind === 'lake'} onChange={() => setTargetKind('lake')} /> Lake dataset
              </label>
              <label className="radio">
                <input type="radio" name="target" checked={targetKind === 'folder'} onChange={() => setTargetKind('folder')} /> Folder
              </label>
            </div>
            {targetKind === 'lake' ? (
              <div className="lake-field">
                <label className="lake-label" htmlFor="convert-dataset">
                  Dataset
                </label>
                <input
                  id="convert-dataset"
                  className={dataset === '' || isValidDatasetName(dataset) ? 'lake-input mono' : 'lake-input mono invalid'}
                  data-testid="convert-dataset"
                  value={dataset}
                  spellCheck={false}
                  placeholder="e.g. cell_readings"
                  onChange={(e) => {
                    setDataset(e.target.value);
                    setDatasetTouched(true);
                  }}
                />
                <span className="hint">written as &lt;lake&gt;/{dataset || '…'}/…/part-*.parquet; new files never replace old ones</span>
              </div>
            ) : (
              <div className="lake-field">
                <label className="lake-label" htmlFor="convert-folder">
                  Folder
                </label>
                <input
                  id="convert-folder"
                  className="lake-input mono wide"
                  data-testid="convert-folder"
                  value={folder}
                  spellCheck={false}
                  onChange={(e) => setFolder(e.target.value)}
                />
                <button type="button" className="btn" onClick={() => setPicker({ purpose: 'folder', mode: 'folder' })}>
                  Browse…
                </button>
              </div>
            )}
            <div className="lake-field">
              <label className="lake-label" htmlFor="convert-partition">
                Partition
              </label>
              <select
                id="convert-partition"
                data-testid="convert-partition"
                value={partitionByDay}
                onChange={(e) => setPartitionByDay(e.target.value)}
              >
                <option value="">None (one file per CSV)</option>
                {partitionChoices.map((c) => (
                  <option key={c} value={c}>
                    By day of {c} (date=YYYY-MM-DD)
                  </option>
                ))}
                {partitionByDay !== '' && !partitionChoices.includes(partitionByDay) && (
                  <option value={partitionByDay}>{partitionByDay} (not a time column)</option>
                )}
              </select>
              {partitionChoices.length === 0 && columns.length > 0 && (
                <span className="hint">no DATE or TIMESTAMP column to partition by</span>
              )}
            </div>
            <div className="lake-field">
              <label className="lake-label" htmlFor="convert-codec">
                Codec
              </label>
              <select
                id="convert-codec"
                data-testid="convert-codec"
                value={codec}
                onChange={(e) => setCodec(e.target.value as ParquetCodec)}
              >
                {PARQUET_CODECS.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              {codec === 'zstd' && (
                <select
                  aria-label="zstd level"
                  value={level ?? ''}
                  onChange={(e) => setLevel(e.target.value === '' ? null : Number(e.target.value))}
                >
                  <option value="">Level: default (3)</option>
                  {ZSTD_LEVELS.map((l) => (
                    <option key={l} value={l}>
                      Level {l}
                    </option>
                  ))}
                </select>
              )}
              <label className="lake-field-inline">
                Row groups of
                <select aria-label="Row group size" value={rowGroupSize} onChange={(e) => setRowGroupSize(Number(e.target.value))}>
                  {ROW_GROUP_SIZES.map((n) => (
                    <option key={n} value={n}>
                      {formatCount(n)} rows
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="lake-field">
              <span className="lake-label">Bad rows</span>
              <label className="radio">
                <input
                  type="radio"
                  name="bad-rows"
                  data-testid="bad-rows-fail"
                  checked={onBadRows === 'fail'}
                  onChange={() => setOnBadRows('fail')}
                />{' '}
                Fail: write nothing and list them
              </label>
              <label className="radio">
                <input
                  type="radio"
                  name="bad-rows"
                  data-testid="bad-rows-skip"
                  checked={onBadRows === 'skip'}
                  onChange={() => setOnBadRows('skip')}
                />{' '}
                Skip them and list them
              </label>
            </div>
          </div>
          <div className="convert-actions">
            <button
              type="button"
              className="btn primary"
              data-testid="convert-run"
              disabled={problems.length > 0 || running || starting}
              onClick={() => void start()}
            >
              {running ? 'Converting…' : 'Convert'}
            </button>
            {running && (
              <button type="button" className="btn" data-testid="convert-cancel" onClick={() => void cancel()}>
                Cancel
              </button>
            )}
            {running && job && (
              <span className="run-progress" data-testid="convert-progress">
                <span
                  className="progress-track wide"
                  role="progressbar"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round((job.fraction ?? 0) * 100)}
                >
                  <span className="progress-fill" style={{ width: `${Math.round((job.fraction ?? 0) * 100)}%` }} />
                </span>
                {job.fraction !== null && `${Math.round(job.fraction * 100)}% · `}
                {formatBytes(job.bytes)}
                {totalBytes !== null && ` of ${formatBytes(totalBytes)}`} · {formatCount(job.rows)} rows
                {job.message && <span className="dim"> · {job.message}</span>}
              </span>
            )}
            {!running && problems.length > 0 && inputs.length > 0 && <span className="hint warn">{problems[0]}</span>}
          </div>
          {startError && (
            <div className="convert-error" role="alert" data-testid="convert-error">
              <span className="error-code">{startError.code}</span> <span className="error-text">{startError.message}</span>
              {startError.detail && <div className="error-advice">{startError.detail}</div>}
            </div>
          )}
        </section>

        {shown && (
          <ConvertReportPanel
            key={selectedHistory ? `history-${selectedHistory.id}` : `job-${jobId ?? ''}`}
            shown={shown}
            onClose={() => {
              setSelectedHistory(null);
              setReportClosed(true);
            }}
          />
        )}
      </div>
      <ConvertHistory
        entries={history}
        error={historyError}
        selectedId={selectedHistory?.id ?? null}
        onSelect={(h) => setSelectedHistory(h)}
        onRefresh={() => setHistoryAsked((n) => n + 1)}
      />
      {picker && (
        <FilePickerDialog
          mode={picker.mode}
          title={
            picker.purpose === 'folder'
              ? 'Choose the output folder'
              : picker.mode === 'folder'
                ? 'Add a folder of CSV files'
                : 'Add CSV files'
          }
          extensions={CSV_EXTENSIONS}
          initialPath={picker.purpose === 'folder' && folder ? folder : undefined}
          onClose={() => setPicker(null)}
          onChoose={(paths) => {
            if (picker.purpose === 'folder') setFolder(paths[0] ?? '');
            else addInputs(paths);
            setPicker(null);
          }}
        />
      )}
    </div>
  );
}
