import type { ParquetFileInfo } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { formatRatio, ratioOf } from './units';

interface Props {
  files: readonly ParquetFileInfo[];
  /** At most this many rows are listed (a dataset may hold thousands of files). */
  limit: number;
  testId: string;
}

/** The Parquet files of a dataset or folder: rows, row groups, size, source CSV size and ratio. */
export function ParquetFilesTable({ files, limit, testId }: Props) {
  return (
    <div className="lake-table-wrap tall">
      <table className="lake-table" data-testid={testId}>
        <thead>
          <tr>
            <th>File</th>
            <th className="num">Rows</th>
            <th className="num">Row groups</th>
            <th className="num">Parquet</th>
            <th className="num">Source CSV</th>
            <th className="num">Ratio</th>
          </tr>
        </thead>
        <tbody>
          {files.slice(0, limit).map((f) => (
            <tr key={f.path}>
              <td className="mono clip" title={f.path}>
                {f.path}
              </td>
              <td className="num">{formatCount(f.rows)}</td>
              <td className="num">{formatCount(f.rowGroups)}</td>
              <td className="num">{formatBytes(f.bytes)}</td>
              <td className="num">{f.sourceBytes === null ? '–' : formatBytes(f.sourceBytes)}</td>
              <td className="num">{formatRatio(ratioOf(f.sourceBytes, f.bytes))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
