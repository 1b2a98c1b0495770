import type { ParquetFileInfo } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { formatRatio, ratioOf } from './units';
import { DataTable, type Column } from '../../lib/ui/DataTable';

const COLUMNS: Column<ParquetFileInfo>[] = [
  { header: 'File', className: 'mono clip', cell: (f) => f.path, title: (f) => f.path },
  { header: 'Rows', className: 'num', cell: (f) => formatCount(f.rows) },
  { header: 'Row groups', className: 'num', cell: (f) => formatCount(f.rowGroups) },
  { header: 'Parquet', className: 'num', cell: (f) => formatBytes(f.bytes) },
  { header: 'Source CSV', className: 'num', cell: (f) => (f.sourceBytes === null ? '–' : formatBytes(f.sourceBytes)) },
  { header: 'Ratio', className: 'num', cell: (f) => formatRatio(ratioOf(f.sourceBytes, f.bytes)) },
];

interface Props {
  files: readonly ParquetFileInfo[];
  /** At most this many rows are listed (a dataset may hold thousands of files). */
  limit: number;
  testId: string;
}

/** The Parquet files of a dataset or folder: rows, row groups, size, source CSV size and ratio. */
export function ParquetFilesTable({ files, limit, testId }: Props) {
  return <DataTable columns={COLUMNS} rows={files.slice(0, limit)} rowKey={(f) => f.path} testId={testId} wrap="lake-table-wrap tall" />;
}
