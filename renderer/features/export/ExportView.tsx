import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { SliceEstimate, SliceOptions, SliceReport } from '../../../shared/api/slice';
import { checkSliceSpec, type SpecIssue, type SliceSpecInput } from '../../../shared/domain/slice-spec';
import { api } from '../../api/client';
import { writeClipboard } from '../../lib/clipboard';
import { FilePickerDialog } from '../../lib/FilePickerDialog';
import { useJob } from '../../lib/jobs/useJob';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { SliceColumnsFields } from './SliceColumnsFields';
import { SliceDataFields } from './SliceDataFields';
import { SliceEstimateCard } from './SliceEstimateCard';
import { buildSpec, formFromSpec, initialForm, runRequest, sliceFolder, type SliceFieldsProps, type SliceForm } from './sliceForm';
import { SliceJobCard } from './SliceJobCard';
import { SliceOutputFields } from './SliceOutputFields';
import { SliceScopeFields } from './SliceScopeFields';
import { SliceSplitFields } from './SliceSplitFields';
import { SpecPastePanel } from './SpecPastePanel';
import './export.css';

/** The job id survives leaving and coming back to the view. */
let lastJobId: string | null = null;

/**
 * #/export: build a training-slice spec with pickers, see row and size estimates before running,
 * run it as a job (progress, cancel), then the manifest summary with "Copy spec" and "Open in folder".
 */
export function ExportView() {
  const [options, setOptions] = useState<SliceOptions | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [form, setForm] = useState<SliceForm | null>(null);
  const [estimate, setEstimate] = useState<SliceEstimate | null>(null);
  const [estimating, setEstimating] = useState(false);
  const [estimateError, setEstimateError] = useState<ApiError | null>(null);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [jobId, setJobId] = useState<string | null>(lastJobId);
  const [picker, setPicker] = useState(false);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const { job, cancel } = useJob<SliceReport>(jobId);
  const estimateSeq = useRef(0);

  useEffect(() => {
    let live = true;
    void api.slice.options({}).then((res) => {
      if (!live) return;
      if (!res.ok) {
        setLoadError(res.error);
        return;
      }
      setOptions(res.value);
      setForm((f) => f ?? initialForm(res.value));
    });
    return () => {
      live = false;
    };
  }, []);

  const dataset = useMemo(() => options?.datasets.find((d) => d.name === form?.dataset), [options, form?.dataset]);
  const spec = useMemo<SliceSpecInput | null>(() => (form ? buildSpec(form, dataset) : null), [form, dataset]);
  const issues = useMemo<SpecIssue[]>(() => {
    if (!spec) return [];
    const checked = checkSliceSpec(spec);
    return checked.ok ? [] : checked.issues;
  }, [spec]);

  // Estimates follow the spec, debounced; only the latest answer is shown.
  useEffect(() => {
    // A bad spec shows its issues instead of the (stale) estimate; a newer request wins over older answers.
    const seq = ++estimateSeq.current;
    if (!spec || issues.length > 0) return;
    const timer = setTimeout(() => {
      setEstimating(true);
      void api.slice.estimate({ spec }).then((res) => {
        if (seq !== estimateSeq.current) return;
        setEstimating(false);
        if (res.ok) {
          setEstimate(res.value);
          setEstimateError(null);
        } else {
          setEstimate(null);
          setEstimateError(res.error);
        }
      });
    }, 350);
    return () => clearTimeout(timer);
  }, [spec, issues]);

  if (loadError) {
    return (
      <div className="export-view">
        <ErrorBox variant="inline" error={loadError} prefix="Could not load the datasets: " />
      </div>
    );
  }
  if (!options || !form || !spec) return <div className="export-view dim">Loading datasets…</div>;

  const update = (patch: Partial<SliceForm>): void => setForm((f) => (f ? { ...f, ...patch } : f));
  const report = job?.state === 'done' ? job.report : null;
  const fields: SliceFieldsProps = { form, update, dataset, options, issues };

  const run = async (): Promise<void> => {
    setRunError(null);
    const res = await api.slice.run(runRequest(form, spec));
    if (!res.ok) {
      setRunError(res.error);
      return;
    }
    lastJobId = res.value.jobId;
    setJobId(res.value.jobId);
  };

  const copySpec = async (): Promise<void> => {
    const text = JSON.stringify(report ? report.manifest.spec : spec, null, 2);
    setNotice((await writeClipboard(text)) ? 'Spec copied.' : 'The clipboard refused the text.');
  };

  return (
    <div className="export-view" data-testid="export-view">
      <div className="export-head">
        <h2>Training-slice export</h2>
        <span className="dim">Parquet per split, with a manifest that says exactly what is inside.</span>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setPasteOpen((v) => !v)}>
          Paste spec…
        </button>
      </div>
      <SpecPastePanel
        open={pasteOpen}
        onSpec={(pasted) => {
          setForm(formFromSpec(pasted, options, form));
          setPasteOpen(false);
        }}
      />
      <div className="export-body">
        <form className="export-form" onSubmit={(e) => e.preventDefault()} aria-label="Slice spec">
          <SliceDataFields {...fields} />
          <SliceScopeFields {...fields} />
          <SliceColumnsFields {...fields} />
          <SliceSplitFields {...fields} />
          <SliceOutputFields form={form} update={update} options={options} onBrowse={() => setPicker(true)} />
        </form>

        <section className="export-side" aria-label="Estimate and run">
          <SliceEstimateCard
            estimate={estimate}
            estimating={estimating}
            estimateError={estimateError}
            issues={issues}
            running={job?.state === 'running'}
            runError={runError}
            notice={notice}
            onRun={() => void run()}
            onCopySpec={() => void copySpec()}
          />
          {job && <SliceJobCard job={job} onCancel={() => void cancel()} onCopySpec={() => void copySpec()} />}
        </section>
      </div>
      {picker && (
        <FilePickerDialog
          mode="folder"
          title="Choose the folder for the slice"
          onChoose={(paths) => {
            if (paths[0]) update({ out: sliceFolder(paths[0], form.dataset) });
            setPicker(false);
          }}
          onClose={() => setPicker(false)}
        />
      )}
    </div>
  );
}
