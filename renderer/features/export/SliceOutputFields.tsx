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
    </fieldset>
  );
}
