import { useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage, type ApiError } from '../../../shared/api/errors';
import type { SliceEstimate, SliceOptions, SliceReport } from '../../../shared/api/slice';
import { checkSliceSpec, specFromJson, type SpecIssue, type SliceSpecInput } from '../../../shared/domain/slice-spec';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { FilePickerDialog } from '../../lib/FilePickerDialog';
import { useJob } from '../../lib/jobs/useJob';
import { writeClipboard } from '../../lib/clipboard';
import { SliceSummary } from './SliceSummary';
import { buildSpec, formFromSpec, initialForm, type SliceForm } from './sliceForm';
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
  const [pasteText, setPasteText] = useState('');
  const [pasteIssues, setPasteIssues] = useState<string | null>(null);
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
        <div className="inline-error" role="alert">
          Could not load the datasets: {loadError.message}
        </div>
      </div>
    );
  }
  if (!options || !form || !spec) return <div className="export-view dim">Loading datasets…</div>;

  const update = (patch: Partial<SliceForm>): void => setForm((f) => (f ? { ...f, ...patch } : f));
  const running = job?.state === 'running';
  const report = job?.state === 'done' ? job.report : null;
  const issueFor = (prefix: string): string | null =>
    issues.find((i) => i.field === prefix || i.field.startsWith(`${prefix}[`) || i.field.startsWith(`${prefix}.`))?.message ?? null;

  const run = async (): Promise<void> => {
    setRunError(null);
    const res = await api.slice.run(form.out.trim() === '' ? { spec } : { spec, path: form.out.trim() });
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

  const applyPaste = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(pasteText);
    } catch (err) {
      setPasteIssues(`Not JSON: ${errorMessage(err)}`);
      return;
    }
    const checked = checkSliceSpec(parsed);
    if (!checked.ok) {
      setPasteIssues(checked.issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
      return;
    }
    setForm(formFromSpec(specFromJson(parsed) as SliceSpecInput, options, form));
    setPasteIssues(null);
    setPasteOpen(false);
  };

  const fractionsSum = form.fractions.reduce((a, f) => a + (Number(f.value) || 0), 0);

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
      {pasteOpen && (
        <div className="export-paste">
          <textarea
            aria-label="Spec or manifest JSON"
            placeholder='{ "dataset": "telemetry", "from": "…", "to": "…" }  (a manifest.json works too)'
            value={pasteText}
            onChange={(e) => setPasteText(e.target.value)}
            rows={6}
          />
          <div className="export-row">
            <button type="button" className="btn primary" onClick={applyPaste}>
              Use this spec
            </button>
            {pasteIssues && <pre className="inline-error export-pre">{pasteIssues}</pre>}
          </div>
        </div>
      )}
      <div className="export-body">
        <form className="export-form" onSubmit={(e) => e.preventDefault()} aria-label="Slice spec">
          <fieldset>
            <legend>Data</legend>
            <label className="export-field">
              <span>Dataset</span>
              <select
                value={form.dataset}
                data-testid="slice-dataset"
                onChange={(e) => setForm(initialForm(options, e.target.value, form))}
              >
                {options.datasets.map((d) => (
                  <option key={d.name} value={d.name}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
            <div className="export-pair">
              <label className="export-field">
                <span>From (UTC, inclusive)</span>
                <input
                  type="datetime-local"
                  value={form.from}
                  onChange={(e) => update({ from: e.target.value })}
                  data-testid="slice-from"
                />
              </label>
              <label className="export-field">
                <span>To (UTC, exclusive)</span>
                <input type="datetime-local" value={form.to} onChange={(e) => update({ to: e.target.value })} data-testid="slice-to" />
              </label>
            </div>
            {(issueFor('from') || issueFor('to')) && <div className="field-error">{issueFor('from') ?? issueFor('to')}</div>}
            {dataset?.extent && (
              <div className="hint">
                Data from {dataset.extent.min.slice(0, 16).replace('T', ' ')} to {dataset.extent.max.slice(0, 16).replace('T', ' ')} UTC.{' '}
                <button
                  type="button"
                  className="link-btn"
                  onClick={() => {
                    const ext = dataset.extent;
                    if (!ext) return;
                    const hour = 3_600_000;
                    update({
                      from: new Date(Math.floor(Date.parse(ext.min) / hour) * hour).toISOString().slice(0, 16),
                      to: new Date(Math.ceil((Date.parse(ext.max) + 1) / hour) * hour).toISOString().slice(0, 16),
                    });
                  }}
                >
                  Use all
                </button>
              </div>
            )}
          </fieldset>

          <fieldset>
            <legend>Sites and {dataset?.entityColumn === 'string_id' ? 'strings' : 'jars'}</legend>
            <div className="export-chips" role="group" aria-label="Sites">
              {options.locations.length === 0 && <span className="dim">No sites in the workspace.</span>}
              {options.locations.map((l) => (
                <label key={l.id} className={`chip${form.sites.includes(l.id) ? ' on' : ''}`} title={l.name}>
                  <input
                    type="checkbox"
                    checked={form.sites.includes(l.id)}
                    onChange={(e) => update({ sites: e.target.checked ? [...form.sites, l.id] : form.sites.filter((s) => s !== l.id) })}
                  />
                  {l.code}
                </label>
              ))}
            </div>
            <div className="hint">{form.sites.length === 0 ? 'All sites.' : `${form.sites.length} site(s).`}</div>
            <label className="export-field">
              <span>{dataset?.entityColumn ?? 'battery_id'} (ids or ranges, empty = all)</span>
              <input type="text" value={form.units} placeholder="e.g. 1-24, 30" onChange={(e) => update({ units: e.target.value })} />
            </label>
            {issueFor('filter') && <div className="field-error">{issueFor('filter')}</div>}
          </fieldset>

          <fieldset>
            <legend>Columns</legend>
            <div className="export-chips" role="group" aria-label="Columns">
              {dataset?.columns.map((c) => {
                const key = c.name === dataset.entityColumn || c.name === dataset.timeColumn;
                const on = key || form.columns.includes(c.name);
                return (
                  <label
                    key={c.name}
                    className={`chip${on ? ' on' : ''}${key ? ' fixed' : ''}`}
                    title={key ? `${c.type} · always included (the key)` : c.type}
                  >
                    <input
                      type="checkbox"
                      checked={on}
                      disabled={key}
                      onChange={(e) =>
                        update({
                          columns: e.target.checked
                            ? dataset.columns.map((x) => x.name).filter((n) => n === c.name || form.columns.includes(n))
                            : form.columns.filter((n) => n !== c.name),
                        })
                      }
                    />
                    {c.name}
                  </label>
                );
              })}
            </div>
            {issueFor('columns') && <div className="field-error">{issueFor('columns')}</div>}
            <div className="export-pair">
              <label className="export-field">
                <span>Resample (mean, min, max per unit and bucket)</span>
                <select value={form.resample} onChange={(e) => update({ resample: e.target.value })} data-testid="slice-resample">
                  <option value="">none (raw rows)</option>
                  {options.resamples.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label className="export-field">
                <span>Labels (point in time)</span>
                <select value={form.labels} onChange={(e) => update({ labels: e.target.value })} data-testid="slice-labels">
                  <option value="">none</option>
                  {dataset?.labelSources.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            {issueFor('resample') && <div className="field-error">{issueFor('resample')}</div>}
            {form.labels !== '' && (
              <label className="export-check">
                <input type="checkbox" checked={form.asOf} onChange={(e) => update({ asOf: e.target.checked })} />
                As of each row: the latest label known at or before the row&apos;s time (off: only labels at exactly that time)
              </label>
            )}
          </fieldset>

          <fieldset>
            <legend>Split</legend>
            <div className="export-segment" role="radiogroup" aria-label="Split by">
              {(['none', 'battery', 'time'] as const).map((s) => (
                <label key={s} className={`segment${form.splitBy === s ? ' on' : ''}`}>
                  <input type="radio" name="split-by" checked={form.splitBy === s} onChange={() => update({ splitBy: s })} />
                  {s === 'none'
                    ? 'No split'
                    : s === 'battery'
                      ? dataset?.entityColumn === 'string_id'
                        ? 'By string'
                        : 'By jar'
                      : 'By time'}
                </label>
              ))}
            </div>
            {form.splitBy !== 'none' && (
              <>
                <div className="export-fractions">
                  {form.fractions.map((f, i) => (
                    <div key={i} className="export-fraction">
                      <input
                        type="text"
                        aria-label={`Split ${i + 1} name`}
                        value={f.name}
                        onChange={(e) =>
                          update({ fractions: form.fractions.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })
                        }
                      />
                      <input
                        type="number"
                        aria-label={`Split ${i + 1} fraction`}
                        min="0"
                        max="1"
                        step="0.05"
                        value={f.value}
                        onChange={(e) =>
                          update({ fractions: form.fractions.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })
                        }
                      />
                      <button
                        type="button"
                        className="icon-btn"
                        aria-label={`Remove split ${f.name}`}
                        disabled={form.fractions.length <= 1}
                        onClick={() => update({ fractions: form.fractions.filter((_x, j) => j !== i) })}
                      >
                        ×
                      </button>
                    </div>
                  ))}
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => update({ fractions: [...form.fractions, { name: `split${form.fractions.length + 1}`, value: '0' }] })}
                  >
                    Add split
                  </button>
                  <span className={Math.abs(fractionsSum - 1) < 1e-9 ? 'dim' : 'field-error'}>sum {Number(fractionsSum.toFixed(6))}</span>
                </div>
                {form.splitBy === 'battery' && (
                  <label className="export-field narrow">
                    <span>Seed</span>
                    <input type="number" value={form.seed} onChange={(e) => update({ seed: e.target.value })} />
                  </label>
                )}
                <div className="hint">
                  {form.splitBy === 'battery'
                    ? 'Each unit lands in exactly one split: units are ranked by a seeded hash and cut by the fractions.'
                    : 'Cuts the time range in order (train first); with resample, cuts fall on bucket starts.'}
                </div>
                {issueFor('split') && <div className="field-error">{issueFor('split')}</div>}
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Output</legend>
            <div className="export-row">
              <input
                type="text"
                className="grow"
                aria-label="Output folder"
                placeholder={`${options.exportsDir}/${form.dataset}-slice-<time>`}
                value={form.out}
                onChange={(e) => update({ out: e.target.value })}
              />
              <button type="button" className="btn" onClick={() => setPicker(true)}>
                Browse…
              </button>
            </div>
            <div className="hint">A new (or empty) folder; it appears only when the export is complete.</div>
          </fieldset>
        </form>

        <section className="export-side" aria-label="Estimate and run">
          <div className="export-card" data-testid="slice-estimate">
            <div className="card-title">Estimate {estimating && <span className="dim">· updating…</span>}</div>
            {issues.length > 0 && (
              <ul className="issue-list" role="alert">
                {issues.map((i) => (
                  <li key={`${i.field}:${i.message}`}>
                    <code>{i.field}</code> {i.message}
                  </li>
                ))}
              </ul>
            )}
            {estimateError && <div className="inline-error">{estimateError.message}</div>}
            {estimate && issues.length === 0 && (
              <>
                <div className="big-figures">
                  <div>
                    <strong data-testid="estimate-rows">{formatCount(estimate.rows)}</strong> rows
                  </div>
                  <div>
                    about <strong>{formatBytes(estimate.bytes)}</strong> Parquet
                  </div>
                  <div>
                    <strong>{estimate.schema.length}</strong> columns
                  </div>
                </div>
                {estimate.splits.length > 1 && (
                  <table className="export-table">
                    <tbody>
                      {estimate.splits.map((s) => (
                        <tr key={s.name}>
                          <td>{s.name}</td>
                          <td className="num">{formatCount(s.rows)} rows</td>
                          <td className="num dim">{estimate.rows > 0 ? `${((100 * s.rows) / estimate.rows).toFixed(1)} %` : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <details>
                  <summary>Schema and SQL</summary>
                  <div className="schema-list">
                    {estimate.schema.map((c) => (
                      <span key={c.name}>
                        {c.name} <span className="dim">{c.type}</span>
                      </span>
                    ))}
                  </div>
                  <pre className="export-pre">{estimate.sql}</pre>
                </details>
              </>
            )}
            <div className="export-row">
              <button
                type="button"
                className="btn primary"
                data-testid="slice-run"
                disabled={issues.length > 0 || running || estimate?.rows === 0}
                onClick={() => void run()}
              >
                Export slice
              </button>
              <button type="button" className="btn" onClick={() => void copySpec()}>
                Copy spec
              </button>
              {notice && <span className="dim">{notice}</span>}
            </div>
            {estimate?.rows === 0 && issues.length === 0 && <div className="hint">No rows match: widen the time range or the filter.</div>}
            {runError && (
              <div className="inline-error" role="alert">
                {runError.message}
                {runError.detail ? ` ${runError.detail}` : ''}
              </div>
            )}
          </div>

          {job && (
            <div className="export-card" data-testid="slice-job">
              <div className="card-title">
                {job.state === 'running'
                  ? 'Exporting…'
                  : job.state === 'done'
                    ? 'Exported'
                    : job.state === 'cancelled'
                      ? 'Cancelled'
                      : 'Failed'}
              </div>
              {job.state === 'running' && (
                <>
                  <progress max={1} value={job.fraction ?? undefined} aria-label="Export progress" />
                  <div className="export-row">
                    <span className="dim">
                      {job.phase} · {formatCount(job.rows)} rows {job.message ? `· ${job.message}` : ''}
                    </span>
                    <span className="spacer" />
                    <button type="button" className="btn" data-testid="slice-cancel" onClick={() => void cancel()}>
                      Cancel
                    </button>
                  </div>
                </>
              )}
              {job.state === 'cancelled' && <div className="hint">Nothing was left behind.</div>}
              {job.state === 'failed' && job.error && (
                <div className="inline-error" role="alert">
                  {job.error.message}
                </div>
              )}
              {report && <SliceSummary report={report} onCopySpec={() => void copySpec()} />}
            </div>
          )}
        </section>
      </div>
      {picker && (
        <FilePickerDialog
          mode="folder"
          title="Choose the folder for the slice"
          onChoose={(paths) => {
            if (paths[0]) update({ out: `${paths[0].replace(/[\\/]$/, '')}/${form.dataset}-slice` });
            setPicker(false);
          }}
          onClose={() => setPicker(false)}
        />
      )}
    </div>
  );
}
