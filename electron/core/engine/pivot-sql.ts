import { WorkbenchError } from '../../../shared/api/errors';
import type { PivotAggregate, PivotSpec } from '../../../shared/api/pivot';
import { quoteIdent } from '../../../shared/sql';

function aggregateSql(aggregate: PivotAggregate, column: string): string {
  const c = quoteIdent(column);
  return aggregate === 'count_distinct' ? `count(DISTINCT ${c})` : `${aggregate}(${c})`;
}

/** A value's label, `sum(v)`: the PIVOT alias that names several values' columns apart. */
export function pivotValueLabel(value: PivotSpec['values'][number]): string {
  return value.aggregate === 'count_distinct' ? `count_distinct(${value.column})` : `${value.aggregate}(${value.column})`;
}

/**
 * DuckDB PIVOT over `source` (a SELECT whose columns carry the result's names), rows in order of the row
 * columns. Every name is checked against `available` and quoted; nothing else enters the SQL.
 */
export function pivotSql(source: string, spec: PivotSpec, available: readonly string[]): string {
  const known = new Set(available);
  for (const name of [...spec.rows, ...spec.columns, ...spec.values.map((v) => v.column)]) {
    if (!known.has(name)) throw new WorkbenchError('BAD_INPUT', `The result has no column "${name}" to pivot on.`);
  }
  const used = [...new Set([...spec.rows, ...spec.columns, ...spec.values.map((v) => v.column)])];
  // One value names its columns by the spread values alone; several add their label (`x_sum(v)`).
  const using = spec.values
    .map((v) =>
      spec.values.length === 1
        ? aggregateSql(v.aggregate, v.column)
        : `${aggregateSql(v.aggregate, v.column)} AS ${quoteIdent(pivotValueLabel(v))}`,
    )
    .join(', ');
  const rows = spec.rows.map(quoteIdent).join(', ');
  const pivot =
    `PIVOT (SELECT ${used.map(quoteIdent).join(', ')} FROM (${source})) ON ${spec.columns.map(quoteIdent).join(', ')} ` +
    `USING ${using}${rows ? ` GROUP BY ${rows}` : ''}`;
  return rows ? `SELECT * FROM (${pivot}) ORDER BY ${spec.rows.map((r) => `${quoteIdent(r)} NULLS LAST`).join(', ')}` : pivot;
}

/** How many columns the pivot would make: the distinct combinations of the spread columns, times the values. */
export function pivotWidthSql(source: string, spec: PivotSpec): string {
  return `SELECT count(*) * ${spec.values.length} AS n FROM (SELECT DISTINCT ${spec.columns.map(quoteIdent).join(', ')} FROM (${source}))`;
}
