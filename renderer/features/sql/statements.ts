import { forEachCodeChar } from '../../../shared/sql-lex';

/** One statement's span in the editor text: [from, to) excludes the terminating ';'. */
export interface StatementSpan {
  from: number;
  to: number;
  text: string;
}

/**
 * Split SQL text into statements at top-level semicolons, skipping semicolons inside
 * '…' strings, "…" identifiers, $tag$…$tag$ strings, -- line and block comments.
 * Empty statements (only whitespace) are left out; spans are trimmed.
 */
export function splitStatements(sql: string): StatementSpan[] {
  const out: StatementSpan[] = [];
  let start = 0;
  const push = (end: number) => {
    let a = start;
    let b = end;
    while (a < b && /\s/.test(sql[a])) a++;
    while (b > a && /\s/.test(sql[b - 1])) b--;
    if (b > a) out.push({ from: a, to: b, text: sql.slice(a, b) });
  };
  forEachCodeChar(sql, (i) => {
    if (sql[i] !== ';') return;
    push(i);
    start = i + 1;
  });
  push(sql.length);
  return out;
}

/**
 * The statement the cursor is in; between statements, the one that ended before the
 * cursor (what a user who just typed `…;` and pressed Ctrl+Enter means), else the first.
 */
export function statementAt(sql: string, pos: number): StatementSpan | null {
  const all = splitStatements(sql);
  if (all.length === 0) return null;
  let best: StatementSpan = all[0];
  for (const s of all) {
    if (s.from <= pos) best = s;
    else break;
  }
  return best;
}
