/**
 * Walks SQL text and calls `visit` at each character that is SQL code: outside '…' strings, "…" identifiers,
 * $tag$…$tag$ strings, -- line and block comments. `visit` returns the index to go on from (or nothing for the
 * next character), so it can consume a token it recognizes.
 */
export function forEachCodeChar(sql: string, visit: (i: number) => number | void): void {
  let i = 0;
  const n = sql.length;
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
    } else if (c === '$' && DOLLAR_QUOTE.test(sql.slice(i, i + 64))) {
      const tag = (DOLLAR_QUOTE.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else {
      const next = visit(i);
      i = typeof next === 'number' && next > i ? next : i + 1;
    }
  }
}

const DOLLAR_QUOTE = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;
const NAMED_PARAM = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/** The named parameters (`$site` → `site`) the SQL uses outside strings and comments, each once, in order of first use. */
export function sqlParamNames(sql: string): string[] {
  const names: string[] = [];
  forEachCodeChar(sql, (i) => {
    if (sql[i] !== '$') return;
    const m = NAMED_PARAM.exec(sql.slice(i, i + 128));
    if (!m) return;
    if (!names.includes(m[1])) names.push(m[1]);
    return i + m[0].length;
  });
  return names;
}

const WORD = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*/;

/**
 * The relation names the SQL reads: each word after FROM or JOIN (outside strings and comments), lower-cased, each
 * once in order of first use; `schema.name` kept whole. A subquery after FROM names nothing; CTE names are included
 * (a caller matches the result against the names it knows).
 */
export function sqlRelationNames(sql: string): string[] {
  const names: string[] = [];
  let afterFrom = false;
  forEachCodeChar(sql, (i) => {
    const m = WORD.exec(sql.slice(i, i + 256));
    if (!m || (i > 0 && /[A-Za-z0-9_$.]/.test(sql[i - 1]))) {
      if (!/\s/.test(sql[i])) afterFrom = false;
      return;
    }
    const word = m[0].toLowerCase();
    if (afterFrom && !names.includes(word)) names.push(word);
    afterFrom = word === 'from' || word === 'join';
    return i + m[0].length;
  });
  return names;
}
