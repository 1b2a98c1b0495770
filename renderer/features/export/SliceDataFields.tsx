import { Field, FieldError } from '../../lib/ui/Field';
import { initialForm, issueFor, shortUtc, wholeRange, type SliceFieldsProps } from './sliceForm';

/** The "Data" fieldset: dataset and time range (UTC), with the dataset's extent and "Use all". */
export function SliceDataFields({ form, update, dataset, options, issues }: SliceFieldsProps) {
  const extent = dataset?.extent;
  return (
    <fieldset>
      <legend>Data</legend>
      <Field label="Dataset" layout="stacked">
        <select value={form.dataset} data-testid="slice-dataset" onChange={(e) => update(initialForm(options, e.target.value, form))}>
          {options.datasets.map((d) => (
            <option key={d.name} value={d.name}>
              {d.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="export-pair">
        <Field label="From (UTC, inclusive)" layout="stacked">
          <input type="datetime-local" value={form.from} onChange={(e) => update({ from: e.target.value })} data-testid="slice-from" />
        </Field>
        <Field label="To (UTC, exclusive)" layout="stacked">
          <input type="datetime-local" value={form.to} onChange={(e) => update({ to: e.target.value })} data-testid="slice-to" />
        </Field>
      </div>
      <FieldError>{issueFor(issues, 'from') ?? issueFor(issues, 'to')}</FieldError>
      {extent && (
        <div className="hint">
          Data from {shortUtc(extent.min)} to {shortUtc(extent.max)} UTC.{' '}
          <button type="button" className="link-btn" onClick={() => update(wholeRange(extent))}>
            Use all
          </button>
        </div>
      )}
    </fieldset>
  );
}
