import { columnMeaning, describeColumn } from '../../../shared/domain/dictionary';
import { ChipGroup } from '../../lib/ui/ChipGroup';
import { Field, FieldError } from '../../lib/ui/Field';
import { isKeyColumn, issueFor, toggleColumn, type SliceFieldsProps } from './sliceForm';

/** The "Columns" fieldset: which columns, resampling, point-in-time labels. */
export function SliceColumnsFields({ form, update, dataset, options, issues }: SliceFieldsProps) {
  return (
    <fieldset>
      <legend>Columns</legend>
      <ChipGroup
        label="Columns"
        chips={(dataset?.columns ?? []).map((c) => {
          const key = dataset !== undefined && isKeyColumn(dataset, c.name);
          const meaning = dataset === undefined ? undefined : columnMeaning(dataset.name, c.name);
          const type = key ? `${c.type} · always included (the key)` : c.type;
          return { value: c.name, label: c.name, fixed: key, title: meaning ? `${type}\n${describeColumn(meaning)}` : type };
        })}
        selected={form.columns}
        onToggle={(name, on) => dataset && update({ columns: toggleColumn(form.columns, dataset, name, on) })}
      />
      <FieldError>{issueFor(issues, 'columns')}</FieldError>
      {dataset !== undefined && <ColumnDictionary dataset={dataset.name} columns={dataset.columns.map((c) => c.name)} />}
      <div className="export-pair">
        <Field label="Resample (mean, min, max per unit and bucket)" layout="stacked">
          <select value={form.resample} onChange={(e) => update({ resample: e.target.value })} data-testid="slice-resample">
            <option value="">none (raw rows)</option>
            {options.resamples.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Labels (point in time)" layout="stacked">
          <select value={form.labels} onChange={(e) => update({ labels: e.target.value })} data-testid="slice-labels">
            <option value="">none</option>
            {dataset?.labelSources.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <FieldError>{issueFor(issues, 'resample')}</FieldError>
      <Field label="Feature sets (point in time)" layout="stacked">
        <input
          type="text"
          value={form.features}
          placeholder="e.g. jar_daily_stats@v1 (the Features view lists them)"
          onChange={(e) => update({ features: e.target.value })}
          data-testid="slice-features"
        />
      </Field>
      <FieldError>{issueFor(issues, 'features')}</FieldError>
      {form.labels !== '' && (
        <label className="export-check">
          <input type="checkbox" checked={form.asOf} onChange={(e) => update({ asOf: e.target.checked })} />
          As of each row: the latest label known at or before the row&apos;s time (off: only labels at exactly that time)
        </label>
      )}
    </fieldset>
  );
}

interface ColumnDictionaryProps {
  dataset: string;
  columns: readonly string[];
}

/** The data dictionary of the dataset's columns: unit, sign convention and description (text only). */
function ColumnDictionary({ dataset, columns }: ColumnDictionaryProps) {
  return (
    <details className="export-dictionary" data-testid="slice-dictionary">
      <summary>Units and meanings</summary>
      <table className="export-table">
        <thead>
          <tr>
            <th>Column</th>
            <th>Unit</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((name) => {
            const m = columnMeaning(dataset, name);
            return (
              <tr key={name}>
                <td>{name}</td>
                <td>{m?.unit ?? ''}</td>
                <td>{m ? `${m.description}${m.sign === undefined ? '' : ` Sign: ${m.sign}.`}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
