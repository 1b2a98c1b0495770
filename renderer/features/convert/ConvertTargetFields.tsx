import { Field } from '../../lib/ui/Field';
import { isValidDatasetName, type ConvertSession } from './convertForm';
import { Radio } from '../../lib/ui/Radio';

interface Props {
  session: ConvertSession;
  update: (patch: Partial<ConvertSession>) => void;
  onBrowse: () => void;
}

/** Where the Parquet goes: a lake dataset (by name) or a folder. */
export function ConvertTargetFields({ session, update, onBrowse }: Props) {
  const { targetKind, dataset, folder } = session;
  return (
    <>
      <Field label="Target">
        <Radio name="target" value="lake" current={targetKind} onChange={(v) => update({ targetKind: v })}>
          Lake dataset
        </Radio>
        <Radio name="target" value="folder" current={targetKind} onChange={(v) => update({ targetKind: v })}>
          Folder
        </Radio>
      </Field>
      {targetKind === 'lake' ? (
        <Field
          label="Dataset"
          htmlFor="convert-dataset"
          hint={<>written as &lt;lake&gt;/{dataset || '…'}/…/part-*.parquet; new files never replace old ones</>}
        >
          <input
            id="convert-dataset"
            className={dataset === '' || isValidDatasetName(dataset) ? 'lake-input mono' : 'lake-input mono invalid'}
            data-testid="convert-dataset"
            value={dataset}
            spellCheck={false}
            placeholder="e.g. cell_readings"
            onChange={(e) => update({ dataset: e.target.value, datasetTouched: true })}
          />
        </Field>
      ) : (
        <Field label="Folder" htmlFor="convert-folder">
          <input
            id="convert-folder"
            className="lake-input mono wide"
            data-testid="convert-folder"
            value={folder}
            spellCheck={false}
            onChange={(e) => update({ folder: e.target.value })}
          />
          <button type="button" className="btn" onClick={onBrowse}>
            Browse…
          </button>
        </Field>
      )}
    </>
  );
}
