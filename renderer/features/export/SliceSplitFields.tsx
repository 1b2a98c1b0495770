import { Field, FieldError } from '../../lib/ui/Field';
import {
  addFraction,
  fractionsSum,
  issueFor,
  removeFraction,
  setFraction,
  SPLIT_KINDS,
  splitLabel,
  type SliceFieldsProps,
} from './sliceForm';

/** The "Split" fieldset: none, by unit (seeded) or by time, and the named fractions. */
export function SliceSplitFields({ form, update, dataset, issues }: SliceFieldsProps) {
  const { sum, ok } = fractionsSum(form);
  return (
    <fieldset>
      <legend>Split</legend>
      <div className="export-segment" role="radiogroup" aria-label="Split by">
        {SPLIT_KINDS.map((s) => (
          <label key={s} className={`segment${form.splitBy === s ? ' on' : ''}`}>
            <input type="radio" name="split-by" checked={form.splitBy === s} onChange={() => update({ splitBy: s })} />
            {splitLabel(s, dataset)}
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
                  onChange={(e) => update(setFraction(form, i, { name: e.target.value }))}
                />
                <input
                  type="number"
                  aria-label={`Split ${i + 1} fraction`}
                  min="0"
                  max="1"
                  step="0.05"
                  value={f.value}
                  onChange={(e) => update(setFraction(form, i, { value: e.target.value }))}
                />
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Remove split ${f.name}`}
                  disabled={form.fractions.length <= 1}
                  onClick={() => update(removeFraction(form, i))}
                >
                  ×
                </button>
              </div>
            ))}
            <button type="button" className="btn small" onClick={() => update(addFraction(form))}>
              Add split
            </button>
            <span className={ok ? 'dim' : 'field-error'}>sum {sum}</span>
          </div>
          {form.splitBy === 'battery' && (
            <Field label="Seed" layout="stacked" narrow>
              <input type="number" value={form.seed} onChange={(e) => update({ seed: e.target.value })} />
            </Field>
          )}
          <div className="hint">
            {form.splitBy === 'battery'
              ? 'Each unit lands in exactly one split: units are ranked by a seeded hash and cut by the fractions.'
              : 'Cuts the time range in order (train first); with resample, cuts fall on bucket starts.'}
          </div>
          <FieldError>{issueFor(issues, 'split')}</FieldError>
        </>
      )}
    </fieldset>
  );
}
