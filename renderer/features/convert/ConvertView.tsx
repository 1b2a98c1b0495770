import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import type { ConvertReport, CsvPreview } from '../../../shared/api/convert';
import type { ApiError } from '../../../shared/api/errors';
import { api } from '../../api/client';
import { FilePickerDialog } from '../../lib/FilePickerDialog';
import { useJob } from '../../lib/jobs/useJob';
import { useSessionState } from '../../lib/state/sessionState';
import { Card } from '../../lib/ui/Card';
import { ConvertFormatFields } from './ConvertFormatFields';
import { ConvertHistory, type HistoryEntry } from './ConvertHistory';
import { ConvertInputCard } from './ConvertInputCard';
import { ConvertPreviewCard } from './ConvertPreviewCard';
import { ConvertReportPanel } from './ConvertReportPanel';
import { ConvertRunBar } from './ConvertRunBar';
import { ConvertTargetFields } from './ConvertTargetFields';
import {
  buildRequest,
  CSV_EXTENSIONS,
  dialectOf,
  formOf,
  formProblems,
  INITIAL_SESSION,
  pickerTitle,
  previewKeyOf,
  reportTarget,
  totalInputBytes,
  withInputRemoved,
  withInputsAdded,
  type ColumnEdit,
  type ConvertSession,
  type PickerFor,
} from './convertForm';
import { pathsFromDrop } from './dropFiles';
import { shownFromHistory, shownFromJob, type ShownReport } from './reportShape';

/** #/convert: CSV, CSV.GZ and TSV files to Parquet, into the lake or any folder, with a report per run. */
export function ConvertView() {
  // The form, the job followed and the history entry shown survive leaving the view (one session state).
  const [session, setSession] = useSessionState<ConvertSession>('convert.session', INITIAL_SESSION);
  const update = useCallback((patch: Partial<ConvertSession>) => setSession((s) => ({ ...s, ...patch })), [setSession]);
  const { inputs, delimiter, header, jobId, selectedHistory } = session;

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

  const current = inputs.length > 0 && previewed?.key === previewKeyOf(session) ? previewed : null;
  const previews = current?.previews ?? null;
  const form = formOf(session);
  const columns = useMemo(() => previews?.[0]?.columns ?? [], [previews]);
  const { job, cancel } = useJob<ConvertReport>(jobId);

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
    const key = previewKeyOf({ inputs, delimiter, header });
    void api.convert.preview({ inputs, dialect: dialectOf({ delimiter, header }), rows: 20 }).then((res) => {
      if (!live) return;
      setActivePreview(0);
      setPreviewed(res.ok ? { key, previews: res.value.previews, error: null } : { key, previews: null, error: res.error });
    });
    return () => {
      live = false;
    };
  }, [inputs, delimiter, header]);

  const addInputs = (paths: string[]) => setSession((s) => ({ ...s, ...withInputsAdded(s, paths) }));

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

  const onEdit = useCallback(
    (source: string, edit: ColumnEdit) => setSession((s) => ({ ...s, edits: { ...s.edits, [source]: edit } })),
    [setSession],
  );

  const problems = formProblems(form, columns);
  const start = async () => {
    if (problems.length > 0 || job?.state === 'running') return;
    setStarting(true);
    setStartError(null);
    const res = await api.convert.start(buildRequest(form, columns));
    setStarting(false);
    if (!res.ok) {
      setStartError(res.error);
      return;
    }
    setReportClosed(false);
    update({ selectedHistory: null, jobId: res.value.jobId });
  };

  const jobShown = job ? shownFromJob(job, form.codec, reportTarget(form)) : null;
  const shown: ShownReport | null = selectedHistory ? shownFromHistory(selectedHistory) : reportClosed ? null : jobShown;

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

        <ConvertInputCard
          inputs={inputs}
          uploading={uploading}
          dropNotes={dropNotes}
          onAdd={(mode) => setPicker({ purpose: 'inputs', mode })}
          onRemove={(path) => setSession((s) => ({ ...s, ...withInputRemoved(s, path) }))}
        />

        {inputs.length === 0 && (
          <Card label="Preview" title="2 · Preview and columns">
            <div className="hint" data-testid="preview-empty">
              Add a file: its delimiter, header and columns show here, each column&apos;s name and type yours to change.
            </div>
          </Card>
        )}
        {inputs.length > 0 && (
          <ConvertPreviewCard
            session={session}
            update={update}
            previews={previews}
            error={current?.error ?? null}
            loading={current === null}
            active={activePreview}
            onActive={setActivePreview}
            onEdit={onEdit}
          />
        )}

        <Card label="Output" title="3 · Output">
          <div className="lake-form">
            <ConvertTargetFields session={session} update={update} onBrowse={() => setPicker({ purpose: 'folder', mode: 'folder' })} />
            <ConvertFormatFields session={session} update={update} columns={columns} />
          </div>
          <ConvertRunBar
            job={job}
            problems={problems}
            hasInputs={inputs.length > 0}
            starting={starting}
            startError={startError}
            totalBytes={totalInputBytes(previews, inputs.length)}
            onStart={() => void start()}
            onCancel={() => void cancel()}
          />
        </Card>

        {shown && (
          <ConvertReportPanel
            key={selectedHistory ? `history-${selectedHistory.id}` : `job-${jobId ?? ''}`}
            shown={shown}
            onClose={() => {
              update({ selectedHistory: null });
              setReportClosed(true);
            }}
          />
        )}
      </div>
      <ConvertHistory
        entries={history}
        error={historyError}
        selectedId={selectedHistory?.id ?? null}
        onSelect={(h) => update({ selectedHistory: h })}
        onRefresh={() => setHistoryAsked((n) => n + 1)}
      />
      {picker && (
        <FilePickerDialog
          mode={picker.mode}
          title={pickerTitle(picker)}
          extensions={CSV_EXTENSIONS}
          initialPath={picker.purpose === 'folder' && session.folder ? session.folder : undefined}
          onClose={() => setPicker(null)}
          onChoose={(paths) => {
            if (picker.purpose === 'folder') update({ folder: paths[0] ?? '' });
            else addInputs(paths);
            setPicker(null);
          }}
        />
      )}
    </div>
  );
}
