import { useState } from 'react';
import type { ParquetInspection } from '../../../shared/api/storage';
import { DataTable, type Column } from '../../lib/ui/DataTable';

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

const COLUMNS: Column<ParquetInspection['keyValue'][number]>[] = [
  { header: 'File', className: 'mono clip', cell: (r) => r.file, title: (r) => r.file },
  { header: 'Key', className: 'mono', cell: (r) => r.key },
  { header: 'Value', cell: (r) => <ValueCell value={r.value} /> },
];

/** A Parquet file's key-value metadata (e.g. ARROW:schema, pandas), as text. */
export function KeyValueTable({ rows }: Props) {
  if (rows.length === 0) return <div className="empty">No key-value metadata.</div>;
  return (
    <div className="lake-table-wrap" data-testid="inspector-kv">
      <DataTable columns={COLUMNS} rows={rows} rowKey={(r, i) => `${r.file}:${r.key}:${i}`} wrap={null} />
    </div>
  );
}
