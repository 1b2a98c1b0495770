import { describe, expect, it } from 'vitest';
import { splitStatements, statementAt } from './statements';

describe('splitStatements', () => {
  it('splits at top-level semicolons and trims', () => {
    const sql = 'select 1;\n  select 2 ;\n\nselect 3';
    expect(splitStatements(sql).map((s) => s.text)).toEqual(['select 1', 'select 2', 'select 3']);
  });

  it('ignores semicolons in strings, identifiers, comments and dollar quotes', () => {
    const sql = ["select 'a;b', 'it''s;' as \"x;y\"; -- c;d", 'select /* e;f */ 2;', 'select $$g;h$$, $tag$i;j$tag$;'].join('\n');
    const texts = splitStatements(sql).map((s) => s.text);
    expect(texts).toEqual(["select 'a;b', 'it''s;' as \"x;y\"", '-- c;d\nselect /* e;f */ 2', 'select $$g;h$$, $tag$i;j$tag$']);
  });

  it('drops empty statements and keeps spans that slice the source', () => {
    const sql = ';;  select 42 ;; ';
    const spans = splitStatements(sql);
    expect(spans).toHaveLength(1);
    expect(sql.slice(spans[0].from, spans[0].to)).toBe('select 42');
  });
});

describe('statementAt', () => {
  const sql = 'select 1;\nselect 2;\n\nselect 3';
  it('finds the statement under the cursor', () => {
    expect(statementAt(sql, 3)?.text).toBe('select 1');
    expect(statementAt(sql, sql.indexOf('2'))?.text).toBe('select 2');
    expect(statementAt(sql, sql.length)?.text).toBe('select 3');
  });
  it('after a semicolon means the statement just ended', () => {
    expect(statementAt(sql, sql.indexOf(';') + 1)?.text).toBe('select 1');
    expect(statementAt(sql, sql.indexOf('\n\n') + 1)?.text).toBe('select 2');
  });
  it('returns null for blank text', () => {
    expect(statementAt('  \n ', 1)).toBeNull();
  });
});

describe('tablesInStatement', () => {
  it('resolves FROM and JOIN names, qualified and quoted, against the catalog', async () => {
    const { tablesInStatement } = await import('./sqlLanguage');
    const col = (name: string) => ({ name, type: 'BIGINT' });
    const obj = (name: string, cols: string[]) => ({
      name,
      kind: 'table' as const,
      columns: cols.map(col),
      rowCount: 0,
      sizeBytes: null,
      comment: null,
    });
    const tree = {
      schemas: [
        { database: 'workspace', name: 'main', objects: [obj('battery', ['id', 'soh']), obj('My Table', ['x'])] },
        { database: 'workspace', name: 'hot', objects: [obj('alert', ['alert_id'])] },
      ],
    };
    const found = tablesInStatement('SELECT * FROM battery b JOIN hot.alert a ON true JOIN "My Table" USING (x)', tree, 'workspace');
    expect(found.map((t) => t.name)).toEqual(['battery', 'alert', 'My Table']);
    expect(tablesInStatement('select 1 from nowhere', tree, 'workspace')).toEqual([]);
  });
});
