import { CSV_COLUMN_TYPES, type CsvPreview } from '../../../shared/api/convert';
import { formatBytes, formatCount } from '../../../shared/format';
import { describeDelimiter, effectiveName, effectiveType, isValidColumnType, type ColumnEdit } from './convertForm';

interface Props {
  previews: readonly CsvPreview[];
  active: number;
  onActive: (index: number) => void;
  edits: Readonly<Record<string, ColumnEdit>>;
  onEdit: (source: string, edit: ColumnEdit) => void;
  /** Files listed in the inputs; previews cover the first 20. */
  fileCount: number;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function sameColumns(a: CsvPreview, b: CsvPreview): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i].name);
}

/** What the sniffer found per file, the column names and types to write (editable), and the first rows as text. */
export function ConvertPreview({ previews, active, onActive, edits, onEdit, fileCount }: Props) {
  const p = previews[Math.min(active, previews.length - 1)];
  if (!p) return null;
  const differ = previews.some((q) => !sameColumns(q, previews[0]));
  return (
    <div className="convert-preview" data-testid="convert-preview">
      {previews.length > 1 && (
        <div className="lake-tabs" role="tablist" aria-label="Previewed files">
          {previews.map((q, i) => (
            <button
              key={q.file}
              type="button"
              role="tab"
              aria-selected={i === active}
              className={i === active ? 'lake-tab active' : 'lake-tab'}
              title={q.file}
              onClick={() => onActive(i)}
            >
              {baseName(q.file)}
            </button>
          ))}
          {fileCount > previews.length && <span className="hint">and {formatCount(fileCount - previews.length)} more files</span>}
        </div>
      )}
      <div className="lake-facts" data-testid="sniffed-dialect">
        <span title={p.file}>{baseName(p.file)}</span>
        <span>
          {formatBytes(p.bytes)}
          {p.compressed ? ' gzip' : ''}
        </span>
        <span>
          delimiter <b>{describeDelimiter(p.delimiter)}</b>
        </span>
        <span>
          quote <b>{p.quote === '' ? '(none)' : p.quote}</b>
        </span>
        <span>
          header <b>{p.header ? 'yes' : 'no'}</b>
        </span>
        {p.skipRows > 0 && <span>skips {p.skipRows} lines</span>}
      </div>
      {differ && (
        <div className="lake-warning">
          These files do not all have the same columns. Renames and types apply by column name and must match a column in every file.
        </div>
      )}
      <div className="lake-table-wrap convert-columns">
        <table className="lake-table">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>CSV column</th>
              <th>Sniffed type</th>
              <th>Parquet name</th>
              <th>Parquet type</th>
            </tr>
          </thead>
          <tbody>
            {p.columns.map((c, i) => {
              const edit = edits[c.name] ?? { name: '', type: '' };
              const type = effectiveType(c, edits);
              const typeOk = isValidColumnType(type);
              return (
                <tr key={c.name}>
                  <td className="num dim">{i + 1}</td>
                  <td className="mono">{c.name}</td>
                  <td className="mono dim">{c.type}</td>
                  <td>
                    <input
                      className="lake-input mono"
                      aria-label={`Name for ${c.name}`}
                      data-testid="column-name"
                      value={edit.name}
                      placeholder={c.name}
                      spellCheck={false}
                      onChange={(e) => onEdit(c.name, { ...edit, name: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      className={typeOk ? 'lake-input mono' : 'lake-input mono invalid'}
                      aria-label={`Type for ${c.name}`}
                      aria-invalid={!typeOk}
                      data-testid="column-type"
                      list="bw-csv-types"
                      value={edit.type}
                      placeholder={c.type}
                      spellCheck={false}
                      onChange={(e) => onEdit(c.name, { ...edit, type: e.target.value })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <datalist id="bw-csv-types">
          {CSV_COLUMN_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
      <div className="lake-section-title">First {formatCount(p.sample.length)} rows as read</div>
      <div className="lake-table-wrap convert-sample">
        <table className="lake-table">
          <thead>
            <tr>
              {p.columns.map((c) => (
                <th key={c.name}>
                  <div>{effectiveName(c, edits)}</div>
                  <div className="htype">{effectiveType(c, edits)}</div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.sample.map((row, r) => (
              <tr key={r}>
                {p.columns.map((c, i) => {
                  const v = row[i];
                  return (
                    <td key={c.name} className="mono clip">
                      {v === null || v === undefined ? <span className="null">NULL</span> : v}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
