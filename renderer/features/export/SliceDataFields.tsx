import { Field, FieldError } from '../../lib/ui/Field';
import { WallClockInput } from '../../lib/ui/WallClockInput';
import { instantText, parseWallClock } from '../../lib/ui/wallClock';
import { initialForm, issueFor, wholeRange, type SliceFieldsProps } from './sliceForm';

/** What is wrong with a typed time, in the form's own terms (the spec check's message speaks of ISO times). */
function typedIssue(label: string, text: string): string | null {
  if (text.trim() === '' || parseWallClock(text) !== null) return null;
  return `${label}: "${text}" is not a date and time; write it as YYYY-MM-DD HH:MM (UTC, 24 h).`;
}

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
          <WallClockInput value={form.from} onChange={(from) => update({ from })} testId="slice-from" />
        </Field>
        <Field label="To (UTC, exclusive)" layout="stacked">
          <WallClockInput value={form.to} onChange={(to) => update({ to })} testId="slice-to" />
        </Field>
      </div>
      <FieldError>
        {typedIssue('From', form.from) ?? typedIssue('To', form.to) ?? issueFor(issues, 'from') ?? issueFor(issues, 'to')}
      </FieldError>
      {extent && (
        <div className="hint">
          Data from {instantText(extent.min)} to {instantText(extent.max)} UTC.{' '}
          <button type="button" className="link-btn" onClick={() => update(wholeRange(extent))}>
            Use all
          </button>
        </div>
      )}
    </fieldset>
  );
}
