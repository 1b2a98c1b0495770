import type { SliceFieldsProps } from './sliceForm';

interface Props extends Pick<SliceFieldsProps, 'form' | 'update' | 'options'> {
  onBrowse: () => void;
}

/** The "Output" fieldset: the folder the slice is written to. */
export function SliceOutputFields({ form, update, options, onBrowse }: Props) {
  return (
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
        <button type="button" className="btn" onClick={onBrowse}>
          Browse…
        </button>
      </div>
      <div className="hint">A new (or empty) folder; it appears only when the export is complete.</div>
      <label className="export-row">
        Format
        <select
          value={form.format}
          onChange={(e) => update({ format: e.target.value === 'bdf' ? 'bdf' : 'parquet' })}
          data-testid="slice-format"
        >
          <option value="parquet">Parquet: one file per split</option>
          <option value="bdf">Battery Data Format: one .bdf.parquet per jar (telemetry)</option>
        </select>
      </label>
    </fieldset>
  );
}
