import { tableFromIPC, type Vector } from 'apache-arrow';

/** One decoded result window: values by (row inside the window, column). */
export interface DecodedWindow {
  rows: number;
  /** Engine type per column from the field metadata `duckdb_type` ('' when absent). */
  types: string[];
  value(row: number, col: number): unknown;
}

/** Decode Arrow IPC stream bytes from query.window. Nothing is copied into row objects. */
export function decodeWindow(bytes: Uint8Array): DecodedWindow {
  const table = tableFromIPC(bytes);
  const vectors: (Vector | null)[] = table.schema.fields.map((_f, i) => table.getChildAt(i));
  const types = table.schema.fields.map((f) => f.metadata.get('duckdb_type') ?? '');
  const rows = table.numRows;
  return {
    rows,
    types,
    value(row, col) {
      if (row < 0 || row >= rows) return null;
      const v = vectors[col];
      if (!v) return null;
      const x: unknown = v.get(row);
      return x === undefined ? null : x;
    },
  };
}
