import type { RejectedRow } from '../../../shared/api/convert';
import { formatCount } from '../../../shared/format';

interface Props {
  rejects: readonly RejectedRow[];
  /** All bad rows counted (the list holds at most 1,000). */
  total: number;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The bad rows of a conversion: file, line, column, reason and the raw text, all as plain text. */
export function RejectsTable({ rejects, total }: Props) {
  if (rejects.length === 0) return null;
  return (
    <div className="lake-section" data-testid="convert-rejects">
      <div className="lake-section-title">
        Bad rows: {formatCount(total)}
        {total > rejects.length && <span className="dim"> (the first {formatCount(rejects.length)} are listed)</span>}
      </div>
      <div className="lake-table-wrap">
        <table className="lake-table">
          <thead>
            <tr>
              <th>File</th>
              <th className="num">Line</th>
              <th>Column</th>
              <th>Reason</th>
              <th>Text</th>
            </tr>
          </thead>
          <tbody>
            {rejects.map((r, i) => (
              <tr key={`${r.file}:${r.line}:${r.column ?? ''}:${i}`}>
                <td title={r.file}>{baseName(r.file)}</td>
                <td className="num" data-testid="reject-line">
                  {r.line}
                </td>
                <td className="mono">{r.column ?? '–'}</td>
                <td className="wrap">{r.reason}</td>
                <td className="mono clip" title={r.text}>
                  {r.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
