import type { QualityWarning } from '../../../shared/api/convert';
import { formatCount } from '../../../shared/format';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  warnings: readonly QualityWarning[];
  /** The conversion failed on them (strict). */
  failed: boolean;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const COLUMNS: Column<QualityWarning>[] = [
  { header: 'File', cell: (w) => baseName(w.file), title: (w) => w.file },
  { header: 'Check', className: 'mono', cell: (w) => w.check, cellTestId: 'warning-check' },
  { header: 'Readings', className: 'num', cell: (w) => formatCount(w.count), cellTestId: 'warning-count' },
  { header: 'Warning', className: 'wrap', cell: (w) => w.message },
  { header: 'Examples', className: 'mono wrap', cell: (w) => w.examples.join('\n'), title: (w) => w.examples.join('\n') },
];

/** A conversion's quality warnings on readings: check, count, message and a few examples, all as plain text. */
export function QualityWarningsTable({ warnings, failed }: Props) {
  if (warnings.length === 0) return null;
  return (
    <div className="lake-section" data-testid="convert-warnings">
      <div className="lake-section-title">
        Quality warnings: {formatCount(warnings.length)}
        <span className="dim">
          {failed ? ' (strict: the file failed on them)' : ' (the files were converted; convert with Strict to fail them)'}
        </span>
      </div>
      <DataTable columns={COLUMNS} rows={warnings} rowKey={(w, i) => `${w.file}:${w.check}:${i}`} />
    </div>
  );
}
