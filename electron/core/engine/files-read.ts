import type { DuckDBConnection } from '@duckdb/node-api';

interface ProfileNode {
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

/**
 * The files DuckDB opened to run `sql`, from its profiler (EXPLAIN ANALYZE with the JSON profile): the sum of
 * every scan's `Total Files Read` and the file names the scans list (DuckDB lists the first few of each).
 * A scan the optimizer removed (a UNION branch a filter rules out) opens nothing and is not in the plan.
 */
export async function filesRead(conn: DuckDBConnection, sql: string): Promise<{ count: number; names: string }> {
  await conn.run(`PRAGMA enable_profiling = 'json'`);
  try {
    const rows = (await conn.runAndReadAll(`EXPLAIN ANALYZE ${sql}`)).getRows();
    const scans: Record<string, unknown>[] = [];
    const walk = (node: ProfileNode): void => {
      if (node.extra_info && 'Total Files Read' in node.extra_info) scans.push(node.extra_info);
      for (const child of node.children ?? []) walk(child);
    };
    walk(JSON.parse(String(rows[0]?.[1])) as ProfileNode);
    return {
      count: scans.reduce((n, s) => n + Number(s['Total Files Read']), 0),
      names: scans.map((s) => String(s['Filename(s)'])).join(', '),
    };
  } finally {
    await conn.run('PRAGMA disable_profiling');
  }
}
