import { describe, expect, it } from 'vitest';
import { sqlParamNames, sqlRelationNames } from './sql-lex';

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

describe('sqlRelationNames', () => {
  it('names what FROM and JOIN read, outside strings and comments, once each', () => {
    const sql = `WITH r AS (SELECT * FROM Telemetry WHERE note <> 'FROM alert') -- JOIN capacity_test
      SELECT * FROM r JOIN battery b ON true LEFT JOIN main.battery_string s USING (string_id)
      JOIN (SELECT 1 FROM location) x ON true, /* FROM impedance_measurement */ telemetry
      WHERE EXISTS (SELECT 1 FROM r)`;
    expect(sqlRelationNames(sql)).toEqual(['telemetry', 'r', 'battery', 'main.battery_string', 'location']);
  });
});
