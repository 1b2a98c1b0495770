import type { RejectedRow } from '../../../shared/api/convert';
import { formatCount } from '../../../shared/format';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  rejects: readonly RejectedRow[];
  /** All bad rows counted (the list holds at most 1,000). */
  total: number;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const COLUMNS: Column<RejectedRow>[] = [
  { header: 'File', cell: (r) => baseName(r.file), title: (r) => r.file },
  { header: 'Line', className: 'num', cell: (r) => r.line, cellTestId: 'reject-line' },
  { header: 'Column', className: 'mono', cell: (r) => r.column ?? '–' },
  { header: 'Reason', className: 'wrap', cell: (r) => r.reason },
  { header: 'Text', className: 'mono clip', cell: (r) => r.text, title: (r) => r.text },
];

/** The bad rows of a conversion: file, line, column, reason and the raw text, all as plain text. */
export function RejectsTable({ rejects, total }: Props) {
  if (rejects.length === 0) return null;
  return (
    <div className="lake-section" data-testid="convert-rejects">
      <div className="lake-section-title">
        Bad rows: {formatCount(total)}
        {total > rejects.length && <span className="dim"> (the first {formatCount(rejects.length)} are listed)</span>}
      </div>
      <DataTable columns={COLUMNS} rows={rejects} rowKey={(r, i) => `${r.file}:${r.line}:${r.column ?? ''}:${i}`} />
    </div>
  );
}
