/** One operator of a query plan. */
export interface PlanNode {
  /** DuckDB's operator name: `HASH_GROUP_BY`, `READ_PARQUET`, `SEQ_SCAN`, … */
  operator: string;
  /** The optimizer's estimate of the rows it produces; null when it gave none. */
  estimatedRows: number | null;
  /** With ANALYZE: the rows it produced. */
  actualRows: number | null;
  /** With ANALYZE: the time spent in the operator itself, in ms. */
  timeMs: number | null;
  /** What the engine says about it (table, filters, aggregates, files read…), as text. */
  details: { name: string; value: string }[];
  children: PlanNode[];
}

/** A Parquet scan of the plan: which lake files it reads after pruning, and their bytes. */
export interface ParquetScan {
  /** The lake dataset, when the files are the lake's (a unified view's cold branch). */
  dataset: string | null;
  /** The months of the lake's partitions it reads (`2024-05`), when known. */
  months: string[];
  files: number;
  /** Bytes of those files; `bytesExact` false: only of the files the engine named (a lower bound). */
  bytes: number | null;
  bytesExact: boolean;
  /** The first file names the engine lists. */
  names: string[];
}

/** A table scan of the plan (the hot mirror's tables are the hot tier's rows in the workspace). */
export interface TableScan {
  table: string;
  /** True for the hot mirror (`hot.*`). */
  hot: boolean;
  /** Rows scanned (ANALYZE) or the estimate. */
  rows: number | null;
  /** Rows the table holds. */
  tableRows: number | null;
}

export interface ExplainResult {
  analyzed: boolean;
  /** With ANALYZE: the query's whole time, in ms. */
  totalMs: number | null;
  root: PlanNode;
  parquet: ParquetScan[];
  tables: TableScan[];
}
