import { describe, expect, it } from 'vitest';
import { sqlParamNames } from './sql-lex';

describe('sqlParamNames', () => {
  it('finds named parameters in code, each once, in order', () => {
    expect(sqlParamNames('SELECT * FROM t WHERE site = $site AND day >= $from AND other = $site')).toEqual(['site', 'from']);
  });

  it('skips strings, quoted identifiers, comments, dollar-quoted strings and positional parameters', () => {
    const sql = `SELECT '$a', "$b", $$ $c $$, $tag$ $d $tag$, $1 -- $e
      /* $f */ FROM t WHERE x = $g`;
    expect(sqlParamNames(sql)).toEqual(['g']);
  });

  it('takes a whole name, underscores and digits included', () => {
    expect(sqlParamNames('SELECT $site_2 + $_x')).toEqual(['site_2', '_x']);
  });
});
