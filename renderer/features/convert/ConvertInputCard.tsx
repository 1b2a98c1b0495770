import { Card } from '../../lib/ui/Card';

interface Props {
  inputs: readonly string[];
  uploading: boolean;
  /** One sentence per dropped file that could not be used. */
  dropNotes: readonly string[];
  onAdd: (mode: 'files' | 'folder') => void;
  onRemove: (path: string) => void;
}

/** Step 1: the CSV files and folders to convert (added with the picker or dropped on the page). */
export function ConvertInputCard({ inputs, uploading, dropNotes, onAdd, onRemove }: Props) {
  return (
    <Card
      label="Input files"
      title="1 · Input"
      sub="CSV, CSV.GZ or TSV files, or folders of them"
      actions={
        <>
          <button type="button" className="btn" data-testid="add-files" onClick={() => onAdd('files')}>
            Add files…
          </button>
          <button type="button" className="btn" data-testid="add-folder" onClick={() => onAdd('folder')}>
            Add folder…
          </button>
        </>
      }
    >
      {inputs.length === 0 ? (
        <div className="drop-zone" data-testid="drop-zone">
          {uploading ? 'Uploading…' : 'Drop CSV files here, or add files or a folder.'}
        </div>
      ) : (
        <ul className="input-list" data-testid="convert-inputs">
          {inputs.map((p) => (
            <li key={p} className="input-chip" title={p}>
              <span className="mono">{p}</span>
              <button type="button" className="icon-btn" aria-label={`Remove ${p}`} onClick={() => onRemove(p)}>
                ×
              </button>
            </li>
          ))}
          {uploading && <li className="hint">Uploading…</li>}
        </ul>
      )}
      {dropNotes.map((n) => (
        <div key={n} className="lake-warning">
          {n}
        </div>
      ))}
    </Card>
  );
}
