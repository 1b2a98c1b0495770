import { ChipGroup } from '../../lib/ui/ChipGroup';
import { Field, FieldError } from '../../lib/ui/Field';
import { issueFor, toggleSite, unitsWord, type SliceFieldsProps } from './sliceForm';

/** The "Sites and jars" fieldset: sites as chips, units as ids and ranges. */
export function SliceScopeFields({ form, update, dataset, options, issues }: SliceFieldsProps) {
  return (
    <fieldset>
      <legend>Sites and {unitsWord(dataset)}</legend>
      <ChipGroup
        label="Sites"
        chips={options.locations.map((l) => ({ value: l.id, label: l.code, title: l.name }))}
        selected={form.sites}
        onToggle={(id, on) => update({ sites: toggleSite(form.sites, id, on) })}
        empty={<span className="dim">No sites in the workspace.</span>}
      />
      <div className="hint">{form.sites.length === 0 ? 'All sites.' : `${form.sites.length} site(s).`}</div>
      <Field label={`${dataset?.entityColumn ?? 'battery_id'} (ids or ranges, empty = all)`} layout="stacked">
        <input type="text" value={form.units} placeholder="e.g. 1-24, 30" onChange={(e) => update({ units: e.target.value })} />
      </Field>
      <FieldError>{issueFor(issues, 'filter')}</FieldError>
    </fieldset>
  );
}
