import { DuckDBTypeId } from '@duckdb/node-api';
import { quoteIdent } from '../../../shared/sql';

/**
 * How one result column travels in a window. Fixed-width numbers and booleans go as native
 * Arrow types copied straight from DuckDB's vectors; everything else (HUGEINT, DECIMAL, UUID,
 * dates and times, nested types, BLOB, ENUM, VARCHAR...) goes as Utf8 text that DuckDB itself
 * produced with CAST(... AS VARCHAR): exact, and TIMESTAMPTZ in the session time zone.
 */
export type WireKind =
  'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float32' | 'float64' | 'text';

export function wireKindFor(typeId: DuckDBTypeId): WireKind {
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TINYINT:
      return 'int8';
    case DuckDBTypeId.SMALLINT:
      return 'int16';
    case DuckDBTypeId.INTEGER:
      return 'int32';
    case DuckDBTypeId.BIGINT:
      return 'int64';
    case DuckDBTypeId.UTINYINT:
      return 'uint8';
    case DuckDBTypeId.USMALLINT:
      return 'uint16';
    case DuckDBTypeId.UINTEGER:
      return 'uint32';
    case DuckDBTypeId.UBIGINT:
      return 'uint64';
    case DuckDBTypeId.FLOAT:
      return 'float32';
    case DuckDBTypeId.DOUBLE:
      return 'float64';
    default:
      return 'text';
  }
}

/** The select-list expression that reads a stored column for the wire. */
export function wireExpression(storageName: string, kind: WireKind): string {
  const col = quoteIdent(storageName);
  return kind === 'text' ? `CAST(${col} AS VARCHAR)` : col;
}

export interface WireColumn {
  /**
   * The Arrow field name: the real column name, made unique when the result repeats a name
   * (`a`, `a_1`), because apache-arrow merges fields of the same name. The real name travels
   * in the field metadata `column_name`.
   */
  name: string;
  realName: string;
  /** DuckDB's type text, carried in the field metadata `duckdb_type`. */
  duckdbType: string;
  kind: WireKind;
}

export const WIDTH: Record<Exclude<WireKind, 'bool' | 'text'>, number> = {
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float32: 4,
  float64: 8,
};

/** Field names for the wire: repeats get `_1`, `_2`... (never clashing with another real name). */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const used = new Set<string>();
  return names.map((name) => {
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
    let k = 1;
    while (taken.has(`${name}_${k}`) || used.has(`${name}_${k}`)) k++;
    const unique = `${name}_${k}`;
    used.add(unique);
    return unique;
  });
}
