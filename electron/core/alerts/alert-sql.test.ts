import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule } from '../../../shared/api/alerts';
import { queryRows } from '../engine/duck-query';
import { episodesSql } from './alert-sql';

/** The "for" and end logic on hand-made series: exact episodes, in plain DuckDB. */
let conn: DuckDBConnection;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run('CREATE TABLE battery (battery_id INTEGER, string_id INTEGER)');
  await conn.run('INSERT INTO battery VALUES (1, 10), (2, 10), (3, 20)');
  await conn.run('CREATE TABLE r (battery_id INTEGER, ts TIMESTAMPTZ, value DOUBLE)');
});

afterAll(() => conn.closeSync());

/** Readings of one jar every 5 minutes from 00:00, one value each (null: no reading in that slot). */
async function series(jar: number, values: (number | null)[]): Promise<void> {
  for (const [i, v] of values.entries()) {
    if (v === null) continue;
    await conn.run(`INSERT INTO r VALUES (${jar}, TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL ${i * 5} MINUTE, ${v})`);
  }
}

const rule = (over: Partial<AlertRule> = {}): Pick<AlertRule, 'key' | 'sql' | 'op' | 'threshold' | 'forMinutes'> => ({
  key: 'battery',
  sql: 'SELECT battery_id, ts, value FROM r',
  op: 'above',
  threshold: 5,
  forMinutes: 15,
  ...over,
});

async function episodes(r = rule(), to = '2024-01-01T03:00:00Z'): Promise<Record<string, unknown>[]> {
  const rows = await queryRows(conn, episodesSql(r), ['2024-01-01T00:00:00Z', to]);
  return rows.map((x) => ({
    jar: x.jar,
    string_id: x.string_id,
    start: new Date(String(x.start)).toISOString().slice(11, 16),
    fired: new Date(String(x.fired_at)).toISOString().slice(11, 16),
    end: x.end_ts === null ? null : new Date(String(x.end_ts)).toISOString().slice(11, 16),
    peak: x.peak,
    readings: Number(x.readings),
  }));
}

describe('episodes of a rule', () => {
  it('fire when the condition spans the duration, end at the first reading past it, and stay quiet when shorter', async () => {
    await conn.run('DELETE FROM r');
    // 00:10-00:25 above (four readings: spans 15 minutes) then below; 00:45-00:50 above (spans 5): too short.
    await series(1, [1, 1, 6, 7, 9, 6, 2, 1, 1, 6, 6, 1]);
    expect(await episodes()).toEqual([{ jar: 1, string_id: 10, start: '00:10', fired: '00:25', end: '00:30', peak: 9, readings: 4 }]);
  });

  it('a condition that still holds at the range end has no end; equal to the threshold is not above it', async () => {
    await conn.run('DELETE FROM r');
    await series(2, [5, 5, 6, 6, 6, 6]);
    expect(await episodes()).toEqual([{ jar: 2, string_id: 10, start: '00:10', fired: '00:25', end: null, peak: 6, readings: 4 }]);
  });

  it('a gap longer than 15 minutes breaks the run; a shorter one does not', async () => {
    await conn.run('DELETE FROM r');
    // 00:00, 00:05 above; nothing 00:10-00:25 (a 20-minute gap); 00:25-00:35 above: neither run spans 15 minutes.
    await series(1, [6, 6, null, null, null, 6, 6, 6, 1]);
    // 00:00 above, 00:05-00:10 missing (a 15-minute step), 00:15, 00:20 above: one run spanning 20 minutes.
    await series(3, [6, null, null, 6, 6, 1]);
    expect(await episodes()).toEqual([{ jar: 3, string_id: 20, start: '00:00', fired: '00:15', end: '00:25', peak: 6, readings: 3 }]);
  });

  it('below: the lowest value is the peak; the range bounds what is read', async () => {
    await conn.run('DELETE FROM r');
    await series(1, [9, 4, 3, 2, 4, 9, 4, 4, 4, 4]);
    expect(await episodes(rule({ op: 'below' }))).toEqual([
      { jar: 1, string_id: 10, start: '00:05', fired: '00:20', end: '00:25', peak: 2, readings: 4 },
      { jar: 1, string_id: 10, start: '00:30', fired: '00:45', end: null, peak: 4, readings: 4 },
    ]);
    // Up to 00:40 only, the second run spans 5 minutes: it has not fired yet.
    expect(await episodes(rule({ op: 'below' }), '2024-01-01T00:40:00Z')).toHaveLength(1);
  });

  it('a string rule keys by string and names the jar of its worst reading', async () => {
    await conn.run('DELETE FROM r');
    await series(1, [1, 8, 8, 8, 8, 1]);
    await series(2, [1, 7, 9, 7, 7, 1]);
    const spread = rule({
      key: 'string',
      sql: 'SELECT b.string_id, r.ts, max(r.value) AS value, arg_max(r.battery_id, r.value) AS battery_id FROM r JOIN battery b USING (battery_id) GROUP BY ALL',
    });
    expect(await episodes(spread)).toEqual([{ jar: 2, string_id: 10, start: '00:05', fired: '00:20', end: '00:25', peak: 9, readings: 4 }]);
  });
});
