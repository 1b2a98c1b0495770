import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import type { ExplainResult, PlanNode, TableScan } from '../../../shared/api/explain';

/** A node of DuckDB's JSON plan (EXPLAIN (FORMAT json)) or profile (EXPLAIN ANALYZE with JSON profiling). */
interface RawNode {
  name?: string;
  operator_name?: string;
  operator_type?: string;
  operator_cardinality?: number;
  operator_timing?: number;
  operator_rows_scanned?: number;
  extra_info?: Record<string, unknown>;
  children?: RawNode[];
  latency?: number;
}

/** A scan of the raw plan, before the lake and the catalog say more about it. */
export interface RawScan {
  operator: string;
  info: Record<string, string>;
  rowsScanned: number | null;
}

const number = (v: unknown): number | null => {
  const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

function infoText(info: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info ?? {})) out[k] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  return out;
}

/** DuckDB's plan/profile JSON as a tree of operators; the scans are collected on the way. */
export function planTree(raw: RawNode, scans: RawScan[]): PlanNode {
  const info = infoText(raw.extra_info);
  const operator = (raw.operator_name ?? raw.name ?? raw.operator_type ?? '?').trim();
  if ('Total Files Read' in info || 'Scanning Files' in info || 'Table' in info || operator.includes('PARQUET')) {
    scans.push({ operator, info, rowsScanned: number(raw.operator_rows_scanned) });
  }
  const estimate = number(info['Estimated Cardinality']);
  return {
    operator,
    estimatedRows: estimate,
    actualRows: number(raw.operator_cardinality),
    timeMs: raw.operator_timing === undefined ? null : raw.operator_timing * 1000,
    details: Object.entries(info)
      .filter(([k]) => k !== 'Estimated Cardinality')
      .map(([name, value]) => ({ name, value })),
    children: (raw.children ?? []).map((c) => planTree(c, scans)),
  };
}

/**
 * The plan of one SELECT in the workspace: EXPLAIN (the optimizer's plan, nothing runs) or EXPLAIN ANALYZE
 * (runs the query and times each operator). Returns the tree and the raw scans for the tier summary.
 */
export async function explainPlan(
  conn: DuckDBConnection,
  sql: string,
  analyze: boolean,
): Promise<{ root: PlanNode; totalMs: number | null; scans: RawScan[] }> {
  const statements = await conn.extractStatements(sql).catch(() => null);
  if (!statements || statements.count !== 1) {
    throw new WorkbenchError('BAD_INPUT', 'Explain takes one statement: select the one to explain, or put the cursor in it.');
  }
  const text = sql.trim().replace(/;+\s*$/, '');
  if (/^\s*explain\b/i.test(text))
    throw new WorkbenchError('BAD_INPUT', 'The statement is already an EXPLAIN: run it, or remove EXPLAIN to see its plan here.');
  if (analyze) await conn.run(`PRAGMA enable_profiling = 'json'`);
  try {
    const rows = (await conn.runAndReadAll(analyze ? `EXPLAIN ANALYZE ${text}` : `EXPLAIN (FORMAT json) ${text}`)).getRows();
    const json = JSON.parse(String(rows[0]?.[1] ?? 'null')) as RawNode | RawNode[] | null;
    const top = Array.isArray(json) ? json[0] : json;
    if (!top) throw new WorkbenchError('SQL_ERROR', 'The engine gave no plan for this statement.');
    const scans: RawScan[] = [];
    if (!analyze) return { root: planTree(top, scans), totalMs: null, scans };
    // The profile's top is the query; its child EXPLAIN_ANALYZE wraps the plan.
    let node: RawNode = top;
    while ((node.children?.length ?? 0) === 1 && (node.operator_name === undefined || node.operator_type === 'EXPLAIN_ANALYZE')) {
      node = node.children![0];
    }
    return { root: planTree(node, scans), totalMs: top.latency === undefined ? null : top.latency * 1000, scans };
  } finally {
    if (analyze) await conn.run('PRAGMA disable_profiling');
  }
}

/** The table scans, with the rows each table holds (the hot mirror's tables are `hot.*`). */
export async function tableScans(conn: DuckDBConnection, scans: readonly RawScan[], hotSchema: string): Promise<TableScan[]> {
  const out: TableScan[] = [];
  for (const s of scans) {
    const table = s.info.Table;
    if (!table) continue;
    const parts = table.split('.');
    const [schema, name] = parts.length >= 2 ? parts.slice(-2) : ['main', parts[0]];
    const held = await conn.runAndReadAll(`SELECT estimated_size FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
      schema,
      name,
    ]);
    out.push({
      table,
      hot: schema === hotSchema,
      rows: s.rowsScanned ?? number(s.info['Estimated Cardinality']),
      tableRows: number(held.getRows()[0]?.[0]),
    });
  }
  return out;
}

export type { ExplainResult };
