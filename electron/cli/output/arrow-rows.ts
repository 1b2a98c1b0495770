import { tableFromIPC } from 'apache-arrow';

export interface DecodedColumn {
  name: string;
  /** The engine type from the field metadata `duckdb_type` (falls back to Arrow's type name). */
  duckdbType: string;
}

export interface DecodedWindow {
  columns: DecodedColumn[];
  /** Column-major access: values[col][row]. */
  values: unknown[][];
  rowCount: number;
}

/** Decodes one query.window Arrow IPC stream into columns of plain JS values (bigint stays bigint). */
export function decodeArrowWindow(bytes: Uint8Array): DecodedWindow {
  const table = tableFromIPC(bytes);
  const columns: DecodedColumn[] = table.schema.fields.map((f) => ({
    name: f.name,
    duckdbType: f.metadata.get('duckdb_type') ?? String(f.type),
  }));
  const values: unknown[][] = [];
  for (let c = 0; c < columns.length; c++) {
    const vector = table.getChildAt(c);
    const out = new Array<unknown>(table.numRows);
    for (let r = 0; r < table.numRows; r++) out[r] = vector ? (vector.get(r) as unknown) : null;
    values.push(out);
  }
  return { columns, values, rowCount: table.numRows };
}
