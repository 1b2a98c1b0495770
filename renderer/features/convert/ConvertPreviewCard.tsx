import type { CsvPreview } from '../../../shared/api/convert';
import type { ApiError } from '../../../shared/api/errors';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { ConvertPreview } from './ConvertPreview';
import type { ColumnEdit, ConvertSession, HeaderChoice } from './convertForm';

const DELIMITERS: { value: string; label: string }[] = [
  { value: '', label: 'Sniff' },
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

interface Props {
  session: ConvertSession;
  update: (patch: Partial<ConvertSession>) => void;
  previews: CsvPreview[] | null;
  error: ApiError | null;
  loading: boolean;
  active: number;
  onActive: (index: number) => void;
  onEdit: (source: string, edit: ColumnEdit) => void;
}

/** Step 2: the dialect (delimiter, header) and the sniffed columns, with their names and types to edit. */
export function ConvertPreviewCard({ session, update, previews, error, loading, active, onActive, onEdit }: Props) {
  return (
    <Card
      label="Preview"
      title="2 · Preview and columns"
      extra={loading && <span className="spinner" aria-label="Reading the files" />}
      actions={
        <>
          <label className="lake-field-inline">
            Delimiter
            <select value={session.delimiter} onChange={(e) => update({ delimiter: e.target.value })} aria-label="Delimiter">
              {DELIMITERS.map((d) => (
                <option key={d.label} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          <label className="lake-field-inline">
            Header
            <select value={session.header} onChange={(e) => update({ header: e.target.value as HeaderChoice })} aria-label="Header row">
              <option value="auto">Sniff</option>
              <option value="yes">First row</option>
              <option value="no">None</option>
            </select>
          </label>
        </>
      }
    >
      {error && <ErrorBox error={error} testId="preview-error" />}
      {previews && (
        <ConvertPreview
          previews={previews}
          active={active}
          onActive={onActive}
          edits={session.edits}
          onEdit={onEdit}
          fileCount={session.inputs.length}
        />
      )}
    </Card>
  );
}
