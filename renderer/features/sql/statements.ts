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
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    let a = start;
    let b = end;
    while (a < b && /\s/.test(sql[a])) a++;
    while (b > a && /\s/.test(sql[b - 1])) b--;
    if (b > a) out.push({ from: a, to: b, text: sql.slice(a, b) });
  };
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        i = end < 0 ? n : end + m[0].length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(n);
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
