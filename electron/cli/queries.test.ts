import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedQuery } from '../../shared/api/saved-queries';
import { runCli } from '../core/testing/cli-process.fixture';

let ws: string;
const inWs = (...args: string[]) => runCli([...args, '--workspace', ws], { BATTERY_WORKBENCH_DEBUG: '' });

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bw-cli-queries-'));
  const setup = await inWs(
    'query',
    "CREATE TABLE site_day (site VARCHAR, day DATE, v DOUBLE); INSERT INTO site_day VALUES ('FRA1', '2025-03-01', 3.5), ('AMS2', '2025-03-01', 3.25), ('FRA1', '2025-03-02', 3.75); SELECT 1",
  );
  expect(setup.stderr).toBe('');
});

afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

describe('battery-workbench queries + query --saved (real DuckDB, real process)', () => {
  it('saves a query with typed parameters, lists it and runs it with --param values', async () => {
    const saved = await inWs(
      'queries',
      'save',
      'fleet/site day',
      '--sql',
      'SELECT site, v FROM site_day WHERE site = $site AND day = $day ORDER BY v',
      '--param',
      'site:choice=SELECT DISTINCT site FROM site_day',
      '--param',
      'day:date',
    );
    expect(saved.stderr).toContain('Saved "fleet/site day"');
    expect(saved.code).toBe(0);

    const listed = await inWs('queries', 'list', '--json');
    expect(listed.code).toBe(0);
    const queries = JSON.parse(listed.stdout) as SavedQuery[];
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ name: 'fleet/site day', folder: 'fleet', target: 'workspace' });
    expect(queries[0].params).toEqual([
      { name: 'site', type: 'choice', choicesSql: 'SELECT DISTINCT site FROM site_day' },
      { name: 'day', type: 'date' },
    ]);
    const plain = await inWs('queries', 'list');
    expect(plain.stdout).toContain('fleet/site day\tworkspace\t$site:choice $day:date');

    const ran = await inWs('query', '--saved', 'fleet/site day', '--param', 'site=FRA1', '--param', 'day=2025-03-02', '--json');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual([{ site: 'FRA1', v: 3.75 }]);
  });

  it('refuses a bad value, a value not among the choices and a missing parameter by name', async () => {
    const badDate = await inWs('query', '--saved', 'fleet/site day', '--param', 'site=FRA1', '--param', 'day=March 2');
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('$day must be a date written YYYY-MM-DD');
    const notChoice = await inWs(
      'query',
      '--saved',
      'fleet/site day',
      '--param',
      "site=x'; DROP TABLE site_day; --",
      '--param',
      'day=2025-03-02',
    );
    expect(notChoice.code).toBe(1);
    expect(notChoice.stderr).toContain('$site must be one of its choices');
    const missing = await inWs('query', '--saved', 'fleet/site day', '--param', 'site=FRA1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('$day');
    const unknown = await inWs('query', '--saved', 'nope', '--param', 'site=FRA1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no saved query named "nope"');
    const table = await inWs('query', 'SELECT count(*) AS n FROM site_day', '--json');
    expect(JSON.parse(table.stdout)).toEqual([{ n: 3 }]);
  });

  it('refuses bad usage with exit code 2, a duplicate name with 1, and deletes', async () => {
    const badType = await inWs('queries', 'save', 'x', '--sql', 'SELECT $a', '--param', 'a:float');
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('text, integer, number, date, timestamp, choice');
    const noSql = await inWs('queries', 'save', 'x');
    expect(noSql.code).toBe(2);
    const both = await inWs('query', 'SELECT 1', '--saved', 'fleet/site day');
    expect(both.code).toBe(2);
    const dup = await inWs('queries', 'save', 'fleet/site day', '--sql', 'SELECT 2');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const empty = await inWs('queries', 'save', ' ', '--sql', 'SELECT 2');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('name is empty');

    const deleted = await inWs('queries', 'delete', 'fleet/site day');
    expect(deleted.code).toBe(0);
    const again = await inWs('queries', 'delete', 'fleet/site day');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no saved query named "fleet/site day"');
    expect(JSON.parse((await inWs('queries', 'list', '--json')).stdout)).toEqual([]);
  });
});
