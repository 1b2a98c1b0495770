import { z } from 'zod';

/** The aggregates a pivot's values can use. */
export const PIVOT_AGGREGATES = ['sum', 'avg', 'min', 'max', 'count', 'count_distinct', 'median'] as const;
export const PivotAggregate = z.enum(PIVOT_AGGREGATES);
export type PivotAggregate = z.infer<typeof PivotAggregate>;

const ColumnName = z.string().min(1).max(1000);

/** A pivot of a kept result: `rows` stay rows, each combination of `columns` values becomes columns, `values` fill the cells. */
export const PivotSpec = z
  .object({
    rows: z.array(ColumnName).max(8).default([]),
    columns: z.array(ColumnName).min(1, 'needs at least one column to spread').max(4),
    values: z
      .array(z.object({ column: ColumnName, aggregate: PivotAggregate }))
      .min(1, 'needs at least one value to aggregate')
      .max(8),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    for (const name of [...spec.rows, ...spec.columns]) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `uses "${name}" twice among rows and columns` });
      seen.add(name);
    }
  });
export type PivotSpec = z.infer<typeof PivotSpec>;

/** A pivot makes at most this many columns; more is refused before it runs (the grid could not show them anyway). */
export const MAX_PIVOT_COLUMNS = 1000;

export const PIVOT_AGGREGATE_LABEL: Record<PivotAggregate, string> = {
  sum: 'sum',
  avg: 'average',
  min: 'min',
  max: 'max',
  count: 'count',
  count_distinct: 'count distinct',
  median: 'median',
};
