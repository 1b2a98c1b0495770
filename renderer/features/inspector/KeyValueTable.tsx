import { useState } from 'react';
import type { ParquetInspection } from '../../../shared/api/storage';

interface Props {
  rows: ParquetInspection['keyValue'];
}

const CLIP = 300;

function ValueCell({ value }: { value: string }) {
  const [open, setOpen] = useState(false);
  if (value.length <= CLIP) return <pre className="kv-value">{value}</pre>;
  return (
    <div>
      <pre className="kv-value">{open ? value : `${value.slice(0, CLIP)}…`}</pre>
      <button type="button" className="link-btn" onClick={() => setOpen((v) => !v)}>
        {open ? 'Show less' : `Show all ${value.length.toLocaleString('en-US')} characters`}
      </button>
    </div>
  );
}

/** A Parquet file's key-value metadata (e.g. ARROW:schema, pandas), as text. */
export function KeyValueTable({ rows }: Props) {
  if (rows.length === 0) return <div className="empty">No key-value metadata.</div>;
  return (
    <div className="lake-table-wrap" data-testid="inspector-kv">
      <table className="lake-table">
        <thead>
          <tr>
            <th>File</th>
            <th>Key</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.file}:${r.key}:${i}`}>
              <td className="mono clip" title={r.file}>
                {r.file}
              </td>
              <td className="mono">{r.key}</td>
              <td>
                <ValueCell value={r.value} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
